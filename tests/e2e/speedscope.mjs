// Load timings of speedscope (the npm release, a dev-only tool that
// `cargo xtask perf-web` installs under the git-ignored .tools/speedscope)
// on the same profiles and in the same way as timing.mjs times proflens, so
// the two can be set side by side as ratios. Not part of the test run.
//
//   node tests/e2e/speedscope.mjs --speedscope DIR [--runs N] [--timeout S] [--json OUT] LABEL=FILE...
//
// For each profile and run (a fresh browser each time): the profile is
// fetched into a File in the page first (not timed), then a drop event
// carrying it is dispatched on speedscope's landing page (t0). speedscope
// sets the document title to "NAME - speedscope" when it has imported the
// profile and is about to draw it; *first paint* is the next animation
// frame after that. A run that crashes the renderer, shows speedscope's
// import error or passes the timeout is recorded as such.

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { chromium } from 'playwright-core';

import { CHROMIUM_FLAGS, chromiumPath, startServer } from './lib.mjs';
import { median, profileArg, runMain, writeResult } from './measure.mjs';

const args = process.argv.slice(2);
let speedscope = null;
let runs = 3;
let timeoutS = 180;
let jsonOut = null;
const profiles = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--speedscope') speedscope = resolve(args[++i]);
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--timeout') timeoutS = Number(args[++i]);
  else if (args[i] === '--json') jsonOut = resolve(args[++i]);
  else profiles.push(profileArg(args[i]));
}
if (!speedscope || !profiles.length) {
  console.error('usage: node tests/e2e/speedscope.mjs --speedscope DIR [--runs N] [--json OUT] LABEL=FILE...');
  process.exit(2);
}

const log = (...a) => console.error(...a);

/** Peak RSS (VmHWM, KiB) of the renderer processes of `browser`. */
async function rendererPeak(browser) {
  try {
    const cdp = await browser.newBrowserCDPSession();
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    await cdp.detach();
    const peaks = processInfo
      .filter((p) => p.type === 'renderer')
      .map((p) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))?.[1]))
      .filter((k) => k);
    return peaks.length ? Math.max(...peaks) : null;
  } catch {
    return null;
  }
}

async function oneRun(base, profile) {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const crashed = new Promise((ok) => page.once('crash', () => ok({ error: 'the renderer crashed' })));
    await page.goto(`${base}/speedscope/index.html`);
    await page.waitForFunction(() => document.body.innerText.includes('Drag and drop'), null, { timeout: 30_000 });
    await page.evaluate(
      async ({ url, name }) => {
        const blob = await (await fetch(url)).blob();
        window.__timingFile = new File([blob], name);
      },
      { url: profile.url, name: basename(profile.file) },
    );
    await page.waitForTimeout(300);
    const timed = page.evaluate(
      (timeoutMs) =>
        new Promise((done) => {
          const transfer = new DataTransfer();
          transfer.items.add(window.__timingFile);
          const target = document.elementFromPoint(640, 400) ?? document.body;
          let t0 = 0;
          const timer = setTimeout(() => done({ error: `no profile shown within ${timeoutMs / 1000} s` }), timeoutMs);
          const check = () => {
            if (document.title.endsWith(' - speedscope')) {
              const imported = performance.now();
              requestAnimationFrame(() =>
                setTimeout(() => {
                  clearTimeout(timer);
                  done({ importedMs: imported - t0, paintedMs: performance.now() - t0 });
                }, 0),
              );
              return true;
            }
            if (/error|went wrong/i.test(document.body.innerText) && !document.body.innerText.includes('Drag and drop')) {
              clearTimeout(timer);
              done({ error: `speedscope shows: ${document.body.innerText.slice(0, 200)}` });
              return true;
            }
            return false;
          };
          const observer = new MutationObserver(() => check() && observer.disconnect());
          observer.observe(document, { childList: true, subtree: true, characterData: true });
          t0 = performance.now();
          target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }),
      timeoutS * 1000,
    );
    const outcome = await Promise.race([timed, crashed]);
    const heap = outcome.error
      ? null
      : await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null).catch(() => null);
    return { ...outcome, jsHeapBytes: heap, rendererPeakKiB: await rendererPeak(browser) };
  } catch (e) {
    return { error: e.message.split('\n')[0] };
  } finally {
    await browser.close().catch(() => {});
  }
}

async function main() {
  const mounts = { '/speedscope/': speedscope };
  profiles.forEach((p, i) => {
    mounts[`/_profiles/${i}/`] = dirname(p.file);
    p.url = `/_profiles/${i}/${encodeURIComponent(basename(p.file))}`;
  });
  const server = await startServer(speedscope, mounts);
  const version = JSON.parse(readFileSync(join(speedscope, '..', '..', 'package.json'), 'utf8')).version;
  const chromiumVersion = spawnSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).stdout.trim();
  const result = { speedscope: version, chromium: chromiumVersion, runs, profiles: [] };
  for (const profile of profiles) {
    log(`speedscope ${version}: ${profile.label} (${(statSync(profile.file).size / 1e6).toFixed(1)} MB), ${runs} runs`);
    const all = [];
    for (let r = 0; r < runs; r++) {
      const m = await oneRun(server.url, profile);
      log(
        m.error
          ? `  run ${r + 1}: ${m.error}`
          : `  run ${r + 1}: first paint ${m.paintedMs.toFixed(0)} ms, renderer peak RSS ` +
              `${m.rendererPeakKiB ? (m.rendererPeakKiB / 1024).toFixed(0) + ' MiB' : 'n/a'}`,
      );
      all.push(m);
      // A profile that fails once fails every time; don't spend the runs.
      if (m.error) break;
    }
    const ok = all.filter((m) => !m.error);
    const med = ok.length
      ? {
          paintedMs: median(ok.map((m) => m.paintedMs)),
          importedMs: median(ok.map((m) => m.importedMs)),
          rendererPeakKiB: median(ok.map((m) => m.rendererPeakKiB)),
          jsHeapBytes: median(ok.map((m) => m.jsHeapBytes)),
        }
      : null;
    result.profiles.push({ label: profile.label, file: profile.file, runs: all, median: med, error: all.find((m) => m.error)?.error ?? null });
  }
  await server.close();
  writeResult(result, jsonOut);
}

runMain(main);
