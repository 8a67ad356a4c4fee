// Usage: node run.mjs module.wasm profile [iterations]
// Prints the median time of gunzip, decode and decode+top in milliseconds.
import { readFileSync } from 'node:fs';

const [wasmPath, profilePath, iterArg] = process.argv.slice(2);
const iterations = Number(iterArg || 15);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const ex = instance.exports;
const bytes = readFileSync(profilePath);
const ptr = ex.alloc(bytes.length);
new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);

function median(fn) {
  const times = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    const r = fn();
    times.push(performance.now() - t);
    if (r === 0xffffffff) throw new Error('wasm call failed');
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)].toFixed(1);
}

const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
const result = {
  gunzip_ms: gz ? median(() => ex.gunzip(ptr, bytes.length)) : null,
  decode_ms: median(() => ex.decode(ptr, bytes.length)),
  decode_top_ms: median(() => ex.decode_top(ptr, bytes.length)),
};
console.log(JSON.stringify(result));
