// Takes the README's screenshot of the page's Leaks view for two heap
// snapshots of examples/leaky_service, and checks that it names
// leaky_service::with_value first.
//
//   node crates/agent/scripts/leaks-screenshot.mjs HEAP1 HEAP2 [OUT.png]
//
// Needs the built page (`cargo xtask dist`), playwright-core in
// tests/e2e/node_modules (`cargo xtask setup`) and Chromium
// (/usr/bin/chromium or $CHROMIUM). OUT defaults to docs/images/rust-leaks.png.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(join(ROOT, 'tests/e2e/package.json'));
const { chromium } = require('playwright-core');

const [heap1, heap2, out = join(ROOT, 'docs/images/rust-leaks.png')] = process.argv.slice(2);
if (!heap1 || !heap2) {
  console.error('usage: node crates/agent/scripts/leaks-screenshot.mjs HEAP1 HEAP2 [OUT.png]');
  process.exit(2);
}
const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'index.html'))) {
  console.error('no dist/index.html: run `cargo xtask dist` first');
  process.exit(1);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.gz': 'application/octet-stream', '.svg': 'image/svg+xml', '.json': 'application/json' };

// dist/ on a loopback port, nothing else.
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(DIST, path);
  if (file.endsWith('/') || !extname(file)) file = join(file, 'index.html');
  if (!file.startsWith(DIST) || !existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let status = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 30_000 });
  // Both snapshots dropped at once: the newer is shown against the older.
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of files) {
      const raw = atob(base64);
      const data = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
      transfer.items.add(new File([data], name));
    }
    const zone = document.querySelector('[data-testid=dropzone]');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, [heap2, heap1].map((f) => ({ name: basename(f), base64: readFileSync(f).toString('base64') })));
  await page.locator('[data-view=leaks]').click({ timeout: 30_000 });
  const first = page.locator('[data-testid=leaks-view] tbody.suspect').first();
  await first.waitFor({ timeout: 30_000 });
  const name = await first.getAttribute('data-function');
  if (name !== 'leaky_service::with_value') {
    console.error(`the first suspect is ${name}, not leaky_service::with_value`);
    status = 1;
  }
  await page.screenshot({ path: out });
  console.log(`first suspect: ${name}; screenshot: ${out}`);
} finally {
  await browser.close();
  server.close();
}
process.exit(status);
