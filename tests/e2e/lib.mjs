// Shared pieces of the browser tests (run.mjs) and the timing script
// (timing.mjs): a static file server for dist/, headless Chromium through
// playwright-core, the `proflens top` reference output, and page helpers.

import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

/** The repository root (tests/e2e/../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Chromium flags that work headless, as root, in a container, offline. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  // Profiles are served as the bytes they are: no Content-Encoding, so the
  // page sees the gzip stream and inflates it itself.
  '.gz': 'application/gzip',
  '.pb': 'application/octet-stream',
};

/**
 * Serves `root` (and each `mounts` prefix → directory) on 127.0.0.1 at a
 * free port. Returns { url, close }.
 */
export async function startServer(root, mounts = {}) {
  const roots = [...Object.entries(mounts).map(([p, d]) => [p, resolve(d)]), ['/', resolve(root)]];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const [prefix, dir] = roots.find(([p]) => path.startsWith(p));
    let file = resolve(dir, '.' + sep + path.slice(prefix.length));
    if (file !== dir && !file.startsWith(dir + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** The Chromium binary: $CHROMIUM, else /usr/bin/chromium. */
export function chromiumPath() {
  const path = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`cargo xtask setup\` (or set CHROMIUM=/path/to/chromium)`);
  }
  return path;
}

/**
 * Launches headless Chromium with a fresh temporary profile directory
 * (removed by the returned close()). TZ=UTC so the page's Time line matches
 * `proflens` run with TZ=UTC.
 */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'proflens-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_FLAGS,
    env: { ...process.env, TZ: 'UTC' },
    viewport: { width: 1280, height: 800 },
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, browser: context.browser(), close };
}

/** The release `proflens` binary (xtask builds it before the tests). */
export function cliPath() {
  const path = process.env.PROFLENS_CLI || join(ROOT, 'target', 'release', 'proflens');
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`cargo build --release -p proflens-cli\``);
  }
  return path;
}

/**
 * Runs `proflens top ARGS FILE` (TZ=UTC) and parses its output into the
 * header lines and the rows, as the page shows them: percentages trimmed,
 * the "(inline)" mark split off the name.
 */
export function cliTop(file, args = []) {
  const out = spawnSync(cliPath(), ['top', ...args, file], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 1 << 30,
  });
  if (out.status !== 0) {
    throw new Error(`proflens top ${args.join(' ')} ${file} failed: ${out.stderr}`);
  }
  const lines = out.stdout.split('\n').filter((l) => l !== '');
  const columns = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%$/.test(l));
  if (columns < 0) throw new Error(`no column header in proflens output:\n${out.stdout}`);
  const rows = lines.slice(columns + 1).map((line) => {
    const m = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)  (.*)$/.exec(line);
    if (!m) throw new Error(`cannot parse proflens row: ${JSON.stringify(line)}`);
    const inl = / \((inline|partial-inline)\)$/.exec(m[6]);
    return {
      flat: m[1],
      flatPct: m[2],
      sumPct: m[3],
      cum: m[4],
      cumPct: m[5],
      name: inl ? m[6].slice(0, inl.index) : m[6],
      inline: inl ? `(${inl[1]})` : '',
    };
  });
  return { header: lines.slice(0, columns), rows };
}

/** Runs `proflens ARGS` (TZ=UTC) and returns its stdout. */
export function cli(args) {
  const out = spawnSync(cliPath(), args, {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 1 << 30,
  });
  if (out.status !== 0) throw new Error(`proflens ${args.join(' ')} failed: ${out.stderr}`);
  return out.stdout;
}

/** The rendered rows of the top table, in DOM order. */
export async function pageRows(page) {
  return page.$$eval('[data-testid=top-table] tbody tr[data-row]', (trs) =>
    trs.map((tr) => {
      const num = [...tr.querySelectorAll('td.num')].map((td) => td.textContent.trim());
      return {
        index: Number(tr.dataset.row),
        flat: num[0],
        flatPct: num[1],
        sumPct: num[2],
        cum: num[3],
        cumPct: num[4],
        name: tr.querySelector('td.name')?.textContent.trim(),
        inline: tr.querySelector('td.inl')?.textContent.trim() ?? '',
      };
    }),
  );
}

const FIELDS = ['flat', 'flatPct', 'sumPct', 'cum', 'cumPct', 'name', 'inline'];

/** A one-line rendering of a row for messages. */
export function showRow(r) {
  return r ? FIELDS.map((f) => r[f]).join(' | ') : '(none)';
}

/** The first difference between the page's rows and the expected ones, or null. */
export function rowDiff(got, want, count) {
  const n = Math.min(count, want.length);
  if (got.length < n) {
    return `the page shows ${got.length} rows, expected at least ${n}`;
  }
  for (let i = 0; i < n; i++) {
    const bad = FIELDS.filter((f) => got[i][f] !== want[i][f]);
    if (bad.length) {
      return `row ${i} differs in ${bad.join(', ')}:\n    page:     ${showRow(got[i])}\n    proflens: ${showRow(want[i])}`;
    }
  }
  return null;
}

/**
 * Waits until the first `count` rendered rows equal `want` (the table may
 * still show the previous report for a moment); throws with the last
 * difference when they never do.
 */
export async function waitForRows(page, want, { count = 10, timeout = 30_000, what = 'the table' } = {}) {
  const deadline = Date.now() + timeout;
  let diff = 'no rows rendered';
  while (Date.now() < deadline) {
    const got = await pageRows(page);
    diff = got.length ? rowDiff(got, want, count) : 'no rows rendered';
    if (!diff) return got;
    await page.waitForTimeout(100);
  }
  const banner = await page.locator('[data-testid=error-banner]').textContent({ timeout: 10 }).catch(() => null);
  throw new Error(
    `${what} does not match proflens top after ${timeout / 1000}s: ${diff}` +
      (banner ? `\n  error banner: ${banner}` : ''),
  );
}

/** Polls `check` (returning a falsy value or a message when not yet true). */
export async function waitUntil(page, check, message, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`${message}${last ? ` (${last})` : ''}`);
}

/**
 * Drops `bytes` as a file named `name` on the dropzone: a DragEvent with a
 * DataTransfer holding a File, dispatched in the page.
 */
export async function dropFile(page, name, bytes) {
  await dropFiles(page, [[name, bytes]]);
}

/**
 * Drops several files at once (`files`: [name, bytes] pairs) on the
 * dropzone, as one DragEvent whose DataTransfer holds them all.
 */
export async function dropFiles(page, files) {
  await page.evaluate(
    (files) => {
      const transfer = new DataTransfer();
      for (const { name, base64 } of files) {
        const raw = atob(base64);
        const data = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
        transfer.items.add(new File([data], name));
      }
      const zone = document.querySelector('[data-testid=dropzone]');
      if (!zone) throw new Error('no [data-testid=dropzone] on the page');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    files.map(([name, bytes]) => ({ name, base64: Buffer.from(bytes).toString('base64') })),
  );
}
