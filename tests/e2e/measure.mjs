// Shared pieces of the measuring scripts (timing.mjs, speedscope.mjs,
// gotool-http.mjs): their LABEL=FILE arguments, medians, and the JSON they
// leave for `cargo xtask perf-web`.

import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/** A `LABEL=FILE` argument (or a bare FILE, labelled by its name). */
export function profileArg(arg) {
  const eq = arg.indexOf('=');
  const [label, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [basename(arg), arg];
  return { label, file: resolve(file) };
}

/** The median of the numbers among `values` (the upper one of an even count), or null. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : null;
}

/** Prints `result` as JSON, and writes it to `jsonOut` too when given. */
export function writeResult(result, jsonOut) {
  const json = JSON.stringify(result, null, 2);
  if (jsonOut) writeFileSync(jsonOut, json);
  console.log(json);
}

/** Runs a script's async `main`, exiting with 1 and the error if it fails. */
export function runMain(main) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
