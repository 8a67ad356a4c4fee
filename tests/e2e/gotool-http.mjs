// Per-view server times of `go tool pprof -http` on the same profiles as
// timing.mjs and speedscope.mjs, so `cargo xtask perf-web` can set them
// beside proflens's as ratios. Not part of the test run; needs Go (and
// Graphviz's `dot`, which pprof's Graph view runs).
//
//   node tests/e2e/gotool-http.mjs [--go GO] [--runs N] [--timeout S] [--ready-timeout S]
//                                  [--max-memory GIB] [--json OUT] LABEL=FILE...
//
// Go is --go, else $GO, else /usr/lib/go-1.23/bin/go. Without it the JSON
// says "go tool pprof not installed" and the script still succeeds.
//
// For each profile and run, a fresh server: the pprof tool binary that
// `go tool -n pprof` names (what `go tool pprof` runs, started directly so
// that the process timed, measured and killed is pprof itself, not the go
// command waiting for it) with `-http=127.0.0.1:PORT -no_browser FILE`,
// PPROF_BINARY_PATH and HOME set to an empty temporary directory and PATH to
// /usr/local/bin:/usr/bin:/bin, so it finds no binaries to symbolize with.
// - *ready*: from the spawn until the server answers any HTTP request (a GET
//   of `/`, which pprof answers with a redirect to /ui/ without building a
//   report). pprof parses the whole profile before it listens, so this is its
//   load time. (A GET of /ui/ would also build the Graph.)
// - then one full GET (body read) of each view, in this order: Top
//   (`/ui/top`), Graph with pprof's defaults (`/ui/`, which runs Graphviz's
//   `dot -Tsvg`), Graph with `nf=0` (`/ui/?nf=0`: nodefraction 0, so the 80
//   nodes of nodecount's default), Flame Graph (`/ui/flamegraph`). Every view
//   re-parses the profile from pprof's serialized copy, as pprof does for
//   every request. These are server times: the browser would still have to
//   parse and draw the page, so they are a lower bound of what a person
//   waits for.
// - peak RSS: VmHWM of the pprof process (polled from /proc every 100 ms;
//   Graphviz runs as a child process and is not counted).
// Memory is capped at --max-memory GiB (default 8) resident: a watchdog
// polling VmRSS kills the server past it. `prlimit --as` is set 2 GiB
// higher as a backstop against growth between polls (Go 1.23 reserves about
// 1.2 GiB of address space at start, which --as counts; GOMEMLIMIT is only
// a GC target, not a cap). A view that runs out of memory, passes the
// timeout (default 120 s) or gets an HTTP error is recorded as failed with
// the reason, the server is restarted if it is gone or still busy, and the
// next view goes on.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { median, profileArg, runMain, writeResult } from './measure.mjs';

const args = process.argv.slice(2);
let go = process.env.GO || '/usr/lib/go-1.23/bin/go';
let runs = 1;
let timeoutS = 120;
let readyTimeoutS = 600;
let maxMemoryGiB = 8;
let jsonOut = null;
const profiles = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--go') go = args[++i];
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--timeout') timeoutS = Number(args[++i]);
  else if (args[i] === '--ready-timeout') readyTimeoutS = Number(args[++i]);
  else if (args[i] === '--max-memory') maxMemoryGiB = Number(args[++i]);
  else if (args[i] === '--json') jsonOut = resolve(args[++i]);
  else profiles.push(profileArg(args[i]));
}
if (!profiles.length || !(runs >= 1) || !(timeoutS > 0) || !(maxMemoryGiB > 0)) {
  console.error(
    'usage: node tests/e2e/gotool-http.mjs [--go GO] [--runs N] [--timeout S] [--ready-timeout S] ' +
      '[--max-memory GIB] [--json OUT] LABEL=FILE...',
  );
  process.exit(2);
}

/** The views timed, in order: JSON key, URL path, name. */
const VIEWS = [
  ['top', '/ui/top', 'Top'],
  ['graph', '/ui/', 'Graph'],
  ['graphFull', '/ui/?nf=0', 'Graph nf=0'],
  ['flame', '/ui/flamegraph', 'Flame Graph'],
];
const PATH = '/usr/local/bin:/usr/bin:/bin';
const CAP_KIB = maxMemoryGiB * 1024 * 1024;
/** prlimit's address-space backstop: the cap plus Go's reservations. */
const AS_BYTES = Math.round((maxMemoryGiB + 2) * 2 ** 30);

const log = (...a) => console.error(...a);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const showMs = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);

/** The first program named `name` in PATH's directories, or null. */
function onPath(name) {
  return PATH.split(':').map((d) => join(d, name)).find((p) => existsSync(p)) ?? null;
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** VmRSS and VmHWM (KiB) of `pid`, or null once it is gone. */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * One GET of `path` with the body read. Resolves { status, ms, bytes, text }
 * (text: the body's first 300 bytes), or { error } on a connection error or
 * after `timeoutMs`.
 */
function get(port, path, timeoutMs) {
  return new Promise((done) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let bytes = 0;
      const head = [];
      res.on('data', (chunk) => {
        if (bytes < 300) head.push(chunk);
        bytes += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(head).toString('utf8', 0, 300);
        done({ status: res.statusCode, ms: performance.now() - t0, bytes, text });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        done({ error: e.code ?? e.message });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ error: 'timeout' });
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      done({ error: e.code ?? e.message });
    });
    req.end();
  });
}

/** A running `pprof -http` server on one profile. */
class Server {
  constructor(pprof, file) {
    this.pprof = pprof;
    this.file = file;
    this.peakKiB = 0;
  }

  /** Starts it; resolves { readyMs } or { error }. */
  async start() {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'proflens-gotool-'));
    const argv = [`-http=127.0.0.1:${this.port}`, '-no_browser', this.file];
    const prlimit = onPath('prlimit');
    const [program, rest] = prlimit ? [prlimit, [`--as=${AS_BYTES}`, '--', this.pprof, ...argv]] : [this.pprof, argv];
    this.stderr = '';
    this.killedFor = null;
    const t0 = performance.now();
    this.child = spawn(program, rest, {
      env: { PATH, HOME: this.dir, PPROF_BINARY_PATH: this.dir, PPROF_TMPDIR: this.dir, TZ: 'UTC' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    this.exited = new Promise((ok) => this.child.once('exit', (code, signal) => ok({ code, signal })));
    this.alive = true;
    this.exited.then(() => (this.alive = false));
    this.watch = setInterval(() => this.poll(), 100);
    const deadline = t0 + readyTimeoutS * 1000;
    while (this.alive && performance.now() < deadline) {
      const r = await get(this.port, '/', 10_000);
      if (r.status) return { readyMs: performance.now() - t0 };
      await sleep(20);
    }
    if (this.alive) {
      await this.stop();
      return { error: `not serving within ${readyTimeoutS} s` };
    }
    return { error: await this.death() };
  }

  poll() {
    const m = this.alive ? memory(this.child.pid) : null;
    if (!m) return;
    this.peakKiB = Math.max(this.peakKiB, m.hwm, m.rss);
    if (m.rss >= CAP_KIB && !this.killedFor) {
      this.killedFor = `over ${maxMemoryGiB} GiB resident (killed at ${(m.rss / 1024 / 1024).toFixed(1)} GiB)`;
      this.child.kill('SIGKILL');
    }
  }

  /** Why the process is gone, once it is. */
  async death() {
    const { code, signal } = await this.exited;
    this.finish();
    if (this.killedFor) return this.killedFor;
    const fatal = this.stderr.split('\n').find((l) => /^(fatal error|panic|runtime: out of memory)/.test(l));
    if (fatal && /out of memory|cannot allocate|failed to reserve/.test(fatal)) {
      return `out of memory (${fatal.trim()}; address space capped at ${maxMemoryGiB + 2} GiB)`;
    }
    const last = fatal ?? this.stderr.trim().split('\n').pop() ?? '';
    return `pprof exited (${signal ?? `code ${code}`})${last ? `: ${last.trim().slice(0, 200)}` : ''}`;
  }

  finish() {
    clearInterval(this.watch);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop() {
    if (this.alive) {
      this.poll();
      this.child.kill('SIGKILL');
    }
    await this.exited;
    this.finish();
  }
}

/** One run: a fresh server, ready time, each view, peak RSS. */
async function oneRun(pprof, profile) {
  let server = new Server(pprof, profile.file);
  const started = await server.start();
  if (started.error) return { error: started.error, peakRssKiB: server.peakKiB || null };
  const run = { readyMs: started.readyMs, views: {}, restarts: 0 };
  let peak = 0;
  for (const [key, path, name] of VIEWS) {
    if (!server.alive) {
      peak = Math.max(peak, server.peakKiB);
      server = new Server(pprof, profile.file);
      run.restarts++;
      const again = await server.start();
      if (again.error) {
        run.views[key] = { error: `restarting pprof for this view: ${again.error}` };
        continue;
      }
    }
    const t0 = performance.now();
    const r = await get(server.port, path, timeoutS * 1000);
    server.poll();
    let view;
    if (r.status === 200) {
      view = { ms: r.ms, bytes: r.bytes, hwmKiB: server.peakKiB };
    } else if (r.status) {
      const text = r.text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
      view = { error: `HTTP ${r.status}: ${text}` };
    } else if (!server.alive || server.killedFor) {
      view = { error: await server.death() };
    } else if (r.error === 'timeout') {
      view = { error: `no answer within ${timeoutS} s` };
      await server.stop();
    } else {
      await sleep(200);
      view = { error: server.alive ? `request failed: ${r.error}` : await server.death() };
      if (server.alive) await server.stop();
    }
    if (view.error) view.afterMs = performance.now() - t0;
    run.views[key] = view;
    log(`    ${name}: ${view.error ? `failed after ${showMs(view.afterMs)}: ${view.error}` : `${showMs(view.ms)}, ${(view.bytes / 1e6).toFixed(1)} MB`}`);
  }
  await server.stop();
  run.peakRssKiB = Math.max(peak, server.peakKiB) || null;
  return run;
}

function goVersion() {
  const out = spawnSync(go, ['version'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : null;
}

async function main() {
  const result = {
    date: new Date().toISOString(),
    go: null,
    pprof: null,
    graphviz: null,
    runs,
    timeoutS,
    maxMemoryGiB,
    error: null,
    profiles: [],
  };
  const version = existsSync(go) ? goVersion() : null;
  if (!version) {
    result.error = `go tool pprof not installed (no Go at ${go}; set GO=/path/to/go)`;
  } else {
    result.go = version;
    // Warm up: `go tool` may have to build or page in the tool (not timed).
    spawnSync(go, ['tool', 'pprof', '-h'], { stdio: 'ignore', env: { ...process.env, PATH } });
    const named = spawnSync(go, ['tool', '-n', 'pprof'], { encoding: 'utf8' }).stdout?.trim();
    if (!named || !existsSync(named)) {
      result.error = `go tool pprof not installed (\`${go} tool -n pprof\` names no binary)`;
    }
    result.pprof = named;
    const dot = onPath('dot');
    result.graphviz = dot ? spawnSync(dot, ['-V'], { encoding: 'utf8' }).stderr.trim() : null;
  }
  if (result.error) {
    log(result.error);
  } else {
    log(`${result.go}: pprof -http, ${runs} run(s) a profile, views time out after ${timeoutS} s, ` +
      `memory capped at ${maxMemoryGiB} GiB${result.graphviz ? '' : '; Graphviz is missing, so the Graph views will fail'}`);
    for (const profile of profiles) {
      log(`go tool pprof -http: ${profile.label} (${(statSync(profile.file).size / 1e6).toFixed(1)} MB)`);
      const all = [];
      for (let r = 0; r < runs; r++) {
        log(`  run ${r + 1}:`);
        const m = await oneRun(result.pprof, profile);
        log(
          m.error
            ? `    failed: ${m.error}`
            : `    ready ${showMs(m.readyMs)}, peak RSS ${m.peakRssKiB ? (m.peakRssKiB / 1024).toFixed(0) + ' MiB' : 'n/a'}`,
        );
        all.push(m);
        // A profile or view that fails once fails every time; don't spend the runs.
        if (m.error || Object.values(m.views).some((v) => v.error)) break;
      }
      const ok = all.filter((m) => !m.error);
      const med = ok.length ? { readyMs: median(ok.map((m) => m.readyMs)) } : null;
      const errors = {};
      for (const [key] of VIEWS) {
        if (!med) break;
        med[`${key}Ms`] = median(ok.map((m) => m.views[key]?.ms));
        const failed = ok.find((m) => m.views[key]?.error);
        if (failed) errors[key] = { error: failed.views[key].error, afterMs: failed.views[key].afterMs };
      }
      if (med) med.peakRssKiB = Math.max(...ok.map((m) => m.peakRssKiB ?? 0)) || null;
      result.profiles.push({
        label: profile.label,
        file: profile.file,
        bytes: statSync(profile.file).size,
        runs: all,
        median: med,
        errors,
        error: all.find((m) => m.error)?.error ?? null,
      });
    }
  }
  writeResult(result, jsonOut);
}

runMain(main);
