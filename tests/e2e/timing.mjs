// Load timings of the built page (dist/, a release build) in headless
// Chromium. Not part of the test run: `cargo xtask perf-web` runs it and
// writes the figures into docs/PERFORMANCE.md.
//
//   node tests/e2e/timing.mjs [--dist DIR] [--runs N] [--json OUT] LABEL=FILE...
//
// For each profile and run (a fresh browser each time):
// - the file is fetched into a File in the page first (not timed);
// - a PerformanceObserver for 'longtask' is registered;
// - the drop event is dispatched on the dropzone (t0), and a
//   MutationObserver notes when the first Top row enters the DOM; the next
//   animation frame after that approximates "painted";
// - the longest main-thread task overlapping t0..painted comes from the
//   longtask entries (which only report tasks over 50 ms);
// - the worker's wasm linear memory is read in the worker once the row is
//   there (wasm memory never shrinks, so this is its peak during the load);
// - the renderer process's peak RSS (VmHWM; page, worker and V8 together)
//   is read from /proc for the pid CDP's SystemInfo.getProcessInfo names.
// Then, in the same page, the views (see timeViews): the hash switches to
// #graph and the clock runs until the first graph node is in the DOM and
// painted (the graph view also reports its own layout time); then to
// #flamegraph until the canvas has pixels; then a click on a wide frame
// starts the zoom animation, whose frame intervals are recorded.
// It also reports the size of dist/'s wasm and JS, raw and gzipped.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';

import { CHROMIUM_FLAGS, ROOT, chromiumPath, startServer } from './lib.mjs';
import { median, profileArg, runMain, writeResult } from './measure.mjs';

const args = process.argv.slice(2);
let dist = join(ROOT, 'dist');
let runs = 3;
let jsonOut = null;
const profiles = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = resolve(args[++i]);
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--json') jsonOut = resolve(args[++i]);
  else profiles.push(profileArg(args[i]));
}
if (!profiles.length) {
  profiles.push({ label: 'large.cpu', file: join(ROOT, 'tests', 'fixtures', 'pprof', 'large.cpu') });
}

const log = (...a) => console.error(...a);

/** Peak RSS (VmHWM, KiB) of each renderer process of `browser`. */
async function rendererPeaks(browser) {
  try {
    const cdp = await browser.newBrowserCDPSession();
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    await cdp.detach();
    return processInfo
      .filter((p) => p.type === 'renderer')
      .map((p) => {
        try {
          const status = readFileSync(`/proc/${p.id}/status`, 'utf8');
          return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
        } catch {
          return null;
        }
      })
      .filter((k) => k);
  } catch (e) {
    log(`  (renderer memory unavailable: ${e.message})`);
    return [];
  }
}

/** The linear memory of the page's workers' wasm (bytes), read in each worker. */
async function workerWasmBytes(page) {
  const sizes = [];
  for (const worker of page.workers()) {
    const bytes = await worker
      .evaluate(async () => {
        // wasm-bindgen's no-modules glue: calling the init function again
        // returns the instance's exports, memory included.
        if (typeof wasm_bindgen !== 'function') return null;
        const exports = await wasm_bindgen();
        return exports?.memory?.buffer?.byteLength ?? null;
      })
      .catch(() => null);
    if (bytes) sizes.push(bytes);
  }
  return sizes.length ? Math.max(...sizes) : null;
}

/**
 * Switches the page to `hash` and resolves with the milliseconds until
 * `ready()` (evaluated in the page after every animation frame) is true,
 * plus one more frame so the result is painted.
 */
async function timeSwitch(page, hash, ready) {
  return page.evaluate(
    ({ hash, ready }) =>
      new Promise((done, fail) => {
        const isReady = new Function(`return (${ready})();`);
        const timer = setTimeout(() => fail(new Error(`${hash} not ready within 120 s`)), 120_000);
        const t0 = performance.now();
        const poll = () => {
          if (isReady()) {
            requestAnimationFrame(() => {
              clearTimeout(timer);
              done(performance.now() - t0);
            });
          } else {
            requestAnimationFrame(poll);
          }
        };
        location.hash = hash;
        requestAnimationFrame(poll);
      }),
    { hash, ready: ready.toString() },
  );
}

/** Graph and Flame Graph timings on the loaded page. */
async function timeViews(page) {
  const graphMs = await timeSwitch(page, '#graph', () => !!document.querySelector('[data-testid=graph-view] g.gnode'));
  const graphFacts = async () => {
    const hint = await page.locator('[data-testid=graph-view] .hint').first().textContent();
    return {
      layout: Number(/laid out in (\d+) ms/.exec(hint)?.[1] ?? NaN),
      nodes: Number(/(\d+) nodes/.exec(hint)?.[1] ?? NaN),
    };
  };
  const first = await graphFacts();
  // nodefraction=0 fills the graph to its 80-node limit: the layout's worst case.
  const full = await graphFacts().then(async (before) => {
    // (The predicate runs in the page, so the old count is spliced into its text.)
    const ms = await timeSwitch(
      page,
      '#graph?nf=0',
      `() => {
        const hint = document.querySelector('[data-testid=graph-view] .hint')?.textContent ?? '';
        return /^\\d+ nodes/.test(hint) && !hint.startsWith('${before.nodes} nodes');
      }`,
    );
    return { ms, ...(await graphFacts()) };
  });
  const flameMs = await timeSwitch(page, '#flamegraph', () => {
    const c = document.querySelector('[data-testid=flame-canvas]');
    if (!c || !c.width) return false;
    // A row of pixels through the first frames: drawn once any is opaque.
    const d = c.getContext('2d').getImageData(0, Math.min(c.height - 1, 30), c.width, 1).data;
    for (let i = 3; i < d.length; i += 4) if (d[i]) return true;
    return false;
  });
  // Zoom: click the middle of row 1 and record animation frames for 1 s.
  const box = await page.locator('[data-testid=flame-canvas]').boundingBox();
  await page.evaluate(() => {
    window.__frames = [];
    window.__longTasks = [];
    const record = (t) => {
      window.__frames.push(t);
      if (window.__frames.length < 400) requestAnimationFrame(record);
    };
    requestAnimationFrame(record);
  });
  await page.mouse.click(box.x + box.width / 2, box.y + 18 * 1.5);
  await page.waitForTimeout(1000);
  const zoom = await page.evaluate(() => {
    const f = window.__frames;
    const gaps = f.slice(1).map((t, i) => t - f[i]).sort((a, b) => a - b);
    return {
      zoomFrameMedianMs: gaps[Math.floor(gaps.length / 2)],
      zoomFrameMaxMs: gaps[gaps.length - 1],
      zoomLongTasks: window.__longTasks.length,
    };
  });
  return {
    graphMs,
    layoutMs: first.layout,
    graphNodes: first.nodes,
    graphFullMs: full.ms,
    layoutFullMs: full.layout,
    graphFullNodes: full.nodes,
    flameMs,
    ...zoom,
  };
}

async function oneRun(base, profile) {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    env: { ...process.env, TZ: 'UTC' },
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/`);
    await page.locator('[data-testid=dropzone]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=try-sample]').waitFor({ timeout: 30_000 });
    await page.evaluate(
      async ({ url, name }) => {
        const blob = await (await fetch(url)).blob();
        window.__timingFile = new File([blob], name);
        window.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: 'longtask' });
      },
      { url: profile.url, name: basename(profile.file) },
    );
    // Let the fetch's own tasks finish before the clock starts.
    await page.waitForTimeout(300);
    const t = await page.evaluate(
      () =>
        new Promise((resolveRun, failRun) => {
          const selector = '[data-testid=top-table] tbody tr[data-row]';
          const zone = document.querySelector('[data-testid=dropzone]');
          const transfer = new DataTransfer();
          transfer.items.add(window.__timingFile);
          let t0 = 0;
          // When each loading stage first shows (progress bar, then "aggregating").
          const stages = {};
          const noteStage = () => {
            for (const el of document.querySelectorAll('[data-stage]')) {
              const stage = el.getAttribute('data-stage');
              if (!(stage in stages)) stages[stage] = performance.now() - t0;
            }
          };
          const timer = setTimeout(() => failRun(new Error('no Top row within 180 s')), 180_000);
          const found = () => {
            const inDom = performance.now();
            requestAnimationFrame(() =>
              setTimeout(() => {
                clearTimeout(timer);
                resolveRun({ t0, inDom, painted: performance.now(), stages });
              }, 0),
            );
          };
          const observer = new MutationObserver(() => {
            noteStage();
            if (document.querySelector(selector)) {
              observer.disconnect();
              found();
            }
            const banner = document.querySelector('[data-testid=error-banner]');
            if (banner) {
              observer.disconnect();
              failRun(new Error(`the page shows an error: ${banner.textContent}`));
            }
          });
          observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-stage'] });
          t0 = performance.now();
          zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }),
    );
    // Long-task entries arrive asynchronously.
    await page.waitForTimeout(250);
    const tasks = await page.evaluate(() => window.__longTasks);
    const during = tasks.filter((e) => e.start + e.duration >= t.t0 && e.start <= t.painted);
    const wasmBytes = await workerWasmBytes(page);
    const views = await timeViews(page);
    const peaks = await rendererPeaks(browser);
    return {
      firstRowMs: t.inDom - t.t0,
      paintedMs: t.painted - t.t0,
      longestTaskMs: during.length ? Math.max(...during.map((e) => e.duration)) : 0,
      longTasks: during.length,
      wasmBytes,
      rendererPeakKiB: peaks.length ? Math.max(...peaks) : null,
      stages: t.stages,
      ...views,
    };
  } finally {
    await browser.close();
  }
}

function distSizes() {
  // The symbolizer is fetched only when binaries are added: not part of the first load.
  const lazy = readdirSync(dist).filter((f) => f.startsWith('proflens-symbolizer') && /\.(wasm|js)$/.test(f));
  const symbolizer = lazy.map((name) => {
    const bytes = readFileSync(join(dist, name));
    return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const files = readdirSync(dist)
    .filter((f) => /\.(wasm|js)$/.test(f) && !lazy.includes(f))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dist, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  const total = (ext) =>
    files
      .filter((f) => f.name.endsWith(ext))
      .reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });
  const wasm = total('.wasm');
  const js = total('.js');
  return { files, wasm, js, all: { raw: wasm.raw + js.raw, gzip: wasm.gzip + js.gzip }, symbolizer };
}

async function main() {
  const mounts = Object.fromEntries(profiles.map((p, i) => [`/_profiles/${i}/`, dirname(p.file)]));
  profiles.forEach((p, i) => (p.url = `/_profiles/${i}/${encodeURIComponent(basename(p.file))}`));
  const server = await startServer(dist, mounts);
  const chromiumVersion = spawnSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).stdout.trim();
  const result = { chromium: chromiumVersion, node: process.version, runs, profiles: [], dist: distSizes() };
  for (const profile of profiles) {
    const size = statSync(profile.file).size;
    const head = readFileSync(profile.file).subarray(0, 2);
    const rawSize = head[0] === 0x1f && head[1] === 0x8b ? gunzipSync(readFileSync(profile.file)).length : size;
    log(`${profile.label} (${(size / 1e6).toFixed(1)} MB), ${runs} runs`);
    const all = [];
    for (let r = 0; r < runs; r++) {
      const m = await oneRun(server.url, profile);
      log(
        `  run ${r + 1}: first row ${m.firstRowMs.toFixed(0)} ms (painted ${m.paintedMs.toFixed(0)} ms), ` +
          `longest task ${m.longestTaskMs.toFixed(0)} ms (${m.longTasks} over 50 ms), ` +
          `worker wasm ${m.wasmBytes ? (m.wasmBytes / 2 ** 20).toFixed(1) + ' MiB' : 'n/a'}, ` +
          `renderer peak RSS ${m.rendererPeakKiB ? (m.rendererPeakKiB / 1024).toFixed(0) + ' MiB' : 'n/a'}; stages at ` +
          Object.entries(m.stages).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ') + ' ms; ' +
          `graph ${m.graphMs.toFixed(0)} ms (${m.graphNodes} nodes, layout ${m.layoutMs} ms), ` +
          `nf=0 ${m.graphFullMs.toFixed(0)} ms (${m.graphFullNodes} nodes, layout ${m.layoutFullMs} ms), ` +
          `flame ${m.flameMs.toFixed(0)} ms, zoom frames median ${m.zoomFrameMedianMs.toFixed(1)} ms, ` +
          `max ${m.zoomFrameMaxMs.toFixed(1)} ms`,
      );
      all.push(m);
    }
    const med = {};
    for (const key of Object.keys(all[0])) {
      if (key !== 'stages') med[key] = median(all.map((m) => m[key]));
    }
    // Stage start times: the run with the median time to the first row.
    const byTime = [...all].sort((a, b) => a.paintedMs - b.paintedMs);
    med.stages = byTime[Math.floor(byTime.length / 2)].stages;
    // The longest task over all runs, too: one bad run matters.
    med.longestTaskMsMax = Math.max(...all.map((m) => m.longestTaskMs));
    result.profiles.push({ label: profile.label, file: profile.file, bytes: size, rawBytes: rawSize, runs: all, median: med });
  }
  await server.close();
  writeResult(result, jsonOut);
}

runMain(main);
