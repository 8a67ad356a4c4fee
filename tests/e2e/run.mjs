// Browser tests of the built page (dist/) in headless Chromium.
//
//   node tests/e2e/run.mjs [--dist DIR] [NAME-FILTER...]
//
// `cargo xtask test` runs this after a release `trunk build` and a release
// build of the `proflens` CLI, whose `top` output is the reference for the
// rows the page shows. Each test gets its own browser with a fresh profile
// directory; screenshots of every state go to tests/e2e/artifacts/.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

import {
  ROOT,
  cli,
  cliPath,
  cliTop,
  dropFile,
  dropFiles,
  launchBrowser,
  pageRows,
  rowDiff,
  showRow,
  startServer,
  waitForRows,
  waitUntil,
} from './lib.mjs';

const args = process.argv.slice(2);
let dist = join(ROOT, 'dist');
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = resolve(args[++i]);
  else filters.push(args[i]);
}

const ARTIFACTS = join(ROOT, 'tests', 'e2e', 'artifacts');
const FIXTURES = join(ROOT, 'tests', 'fixtures');
const HEAP1 = join(FIXTURES, 'go', 'heap1.pb.gz');
const HEAP2 = join(FIXTURES, 'go', 'heap2.pb.gz');
const CPU = join(FIXTURES, 'go', 'cpu.pb.gz');
const LARGE = join(FIXTURES, 'pprof', 'large.cpu');
const TEST_TIMEOUT = 120_000;

const TABLE = '[data-testid=top-table]';
const SAMPLE_MENU = '[data-testid=sample-menu]';
const GRANULARITY = '[data-testid=granularity]';
const BANNER = '[data-testid=error-banner]';

const tests = [];
/** Registers a test: `fn({ page, base, shot, note })`. */
/** A browser test; `timeout` (ms) for the few that load many heavy files. */
function test(name, fn, { timeout = TEST_TIMEOUT } = {}) {
  tests.push({ name, fn, timeout });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function legendLines(page) {
  return page.$$eval('[data-testid=legend] .legend-line', (ls) => ls.map((l) => l.textContent.trim()));
}

async function checkLegend(page, want) {
  const got = await legendLines(page);
  const g = got.join('\n');
  // The legend lists filters on their own lines; the text header indents them.
  const w = want.header.map((l) => l.trim()).join('\n');
  check(g === w, `the legend differs from proflens' header:\n  page:\n    ${got.join('\n    ')}\n  proflens:\n    ${want.header.join('\n    ')}`);
}

async function selectValue(page, selector) {
  return page.$eval(selector, (s) => s.value);
}

/** The fragment's view and parameters, e.g. { view: 'top', si: 'alloc_space' }. */
async function fragment(page) {
  const hash = await page.evaluate(() => location.hash);
  const body = hash.replace(/^#/, '');
  const [view, query = ''] = body.split('?');
  return { view, ...Object.fromEntries(new URLSearchParams(query)), toString: () => hash };
}

function sameParams(got, want) {
  const keys = new Set([...Object.keys(got), ...Object.keys(want)].filter((k) => k !== 'toString'));
  return [...keys].every((k) => got[k] === want[k]);
}

async function waitForFragment(page, want) {
  await waitUntil(
    page,
    async () => {
      const got = await fragment(page);
      return sameParams(got, want) || `the URL fragment is ${JSON.stringify(String(got))}`;
    },
    `the URL fragment never became ${JSON.stringify(want)}`,
  );
}

async function sortedHeader(page) {
  return page.$$eval(`${TABLE} th[data-sort]`, (ths) =>
    ths.filter((th) => th.getAttribute('aria-sort') === 'descending' || th.classList.contains('sorted')).map((th) => th.dataset.sort),
  );
}

async function waitForBanner(page, what) {
  const banner = page.locator(BANNER);
  try {
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
  } catch {
    throw new Error(`no error banner after loading ${what}`);
  }
  const text = (await banner.textContent()).replace(/×$/, '').trim();
  check(text.length >= 10, `the error banner for ${what} is not a clear message: ${JSON.stringify(text)}`);
  for (const bad of ['panicked', 'RuntimeError', 'unreachable', 'undefined', '[object']) {
    check(!text.includes(bad), `the error banner for ${what} shows an internal error: ${JSON.stringify(text)}`);
  }
  return text;
}

/**
 * Splits a raw profile.proto into the whole message and the bytes of its
 * `sample` fields (field 2): appending those again adds the same samples.
 */
function splitSamples(raw) {
  const samples = [];
  let i = 0;
  const varint = () => {
    let v = 0;
    let shift = 1;
    for (;;) {
      const b = raw[i++];
      v += (b & 0x7f) * shift;
      if (b < 0x80) return v;
      shift *= 128;
    }
  };
  while (i < raw.length) {
    const start = i;
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      i += len;
    } else throw new Error(`unexpected wire type ${wire} in the profile`);
    if (tag >>> 3 === 2 && wire === 2) samples.push(raw.subarray(start, i));
  }
  return { head: raw, samples: Buffer.concat(samples) };
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(n, seed = 0x2545f491) {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------

test('file input: heap2 matches proflens top (inuse_space, then alloc_space)', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=try-sample]').waitFor({ timeout: 20_000 });
  await shot('landing');
  await page.setInputFiles('#file-input', HEAP2);
  const inuse = cliTop(HEAP2);
  await waitForRows(page, inuse.rows, { what: 'heap2 inuse_space' });
  await checkLegend(page, inuse);
  check(
    (await selectValue(page, SAMPLE_MENU)) === 'inuse_space',
    `the sample menu shows ${await selectValue(page, SAMPLE_MENU)}, expected inuse_space`,
  );
  check((await selectValue(page, GRANULARITY)) === 'functions', 'the granularity menu does not show functions');
  await shot('heap2-inuse_space');

  await page.selectOption(SAMPLE_MENU, 'alloc_space');
  const alloc = cliTop(HEAP2, ['--sample-index', 'alloc_space']);
  await waitForRows(page, alloc.rows, { what: 'heap2 alloc_space' });
  await checkLegend(page, alloc);
  await waitForFragment(page, { view: 'top', si: 'alloc_space' });
  await shot('heap2-alloc_space');
});

test('try a sample: the landing page button loads the bundled profile', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.click('[data-testid=try-sample]');
  await waitForRows(page, cliTop(join(dist, 'samples', 'heap2.pb.gz')).rows, { what: 'the sample' });
  await shot('sample');
});

test('drop: a synthetic drop event on the dropzone loads a profile', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await dropFile(page, 'cpu.pb.gz', readFileSync(CPU));
  const cpu = cliTop(CPU);
  await waitForRows(page, cpu.rows, { what: 'cpu.pb.gz after a drop on the landing page' });
  await checkLegend(page, cpu);
  await shot('drop-cpu');
  // A second drop replaces the loaded profile.
  await dropFile(page, 'heap1.pb.gz', readFileSync(HEAP1));
  await waitForRows(page, cliTop(HEAP1).rows, { what: 'heap1.pb.gz dropped over cpu.pb.gz' });
  await shot('drop-heap1');
});

test('URL fragment: reload restores si, sort and g; back and forward', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz`);
  await waitForRows(page, cliTop(HEAP2).rows, { what: '?url=samples/heap2.pb.gz' });

  await page.selectOption(SAMPLE_MENU, 'alloc_space');
  await waitForRows(page, cliTop(HEAP2, ['--sample-index', 'alloc_space']).rows, { what: 'alloc_space' });
  await page.selectOption(GRANULARITY, 'lines');
  await waitForRows(page, cliTop(HEAP2, ['--sample-index', 'alloc_space', '--granularity', 'lines']).rows, {
    what: 'alloc_space by lines',
  });
  await page.click(`${TABLE} th[data-sort=cum]`);
  const stateA = { view: 'top', si: 'alloc_space', sort: 'cum', g: 'lines' };
  const rowsA = cliTop(HEAP2, ['--sample-index', 'alloc_space', '--cum', '--granularity', 'lines']).rows;
  await waitForRows(page, rowsA, { what: 'alloc_space by lines sorted by cum' });
  await waitForFragment(page, stateA);
  check(
    (await fragment(page)).toString() === '#top?si=alloc_space&sort=cum&g=lines',
    `the fragment is ${(await fragment(page)).toString()}, expected #top?si=alloc_space&sort=cum&g=lines`,
  );

  const checkStateA = async (when) => {
    await waitForRows(page, rowsA, { what: `the table ${when}` });
    await waitForFragment(page, stateA);
    const si = await selectValue(page, SAMPLE_MENU);
    const g = await selectValue(page, GRANULARITY);
    check(si === 'alloc_space', `${when}: the sample menu shows ${si}, expected alloc_space`);
    check(g === 'lines', `${when}: the granularity menu shows ${g}, expected lines`);
    const sorted = await sortedHeader(page);
    check(
      sorted.length === 1 && sorted[0] === 'cum',
      `${when}: the sorted header is ${JSON.stringify(sorted)}, expected ["cum"]`,
    );
  };

  await page.reload();
  await checkStateA('after reload');
  await shot('fragment-after-reload');

  // A second state, then back and forward between the two.
  await page.click(`${TABLE} th[data-sort=flat]`);
  const stateB = { view: 'top', si: 'alloc_space', g: 'lines' };
  const rowsB = cliTop(HEAP2, ['--sample-index', 'alloc_space', '--granularity', 'lines']).rows;
  await waitForFragment(page, stateB);
  await waitForRows(page, rowsB, { what: 'after sorting by flat' });

  await page.evaluate(() => history.back());
  await checkStateA('after history.back()');
  await shot('fragment-back');

  await page.evaluate(() => history.forward());
  await waitForFragment(page, stateB);
  await waitForRows(page, rowsB, { what: 'the table after history.forward()' });
  const sorted = await sortedHeader(page);
  check(
    sorted.length === 1 && sorted[0] === 'flat',
    `after history.forward(): the sorted header is ${JSON.stringify(sorted)}, expected ["flat"]`,
  );
  await shot('fragment-forward');

  // Name order: the page's own (pprof has none): by name, ties in flat order.
  await page.click(`${TABLE} th[data-sort=name]`);
  await waitForFragment(page, { ...stateB, sort: 'name' });
  const byName = rowsB
    .map((r, i) => [r, i])
    .sort(([a, i], [b, j]) => (a.name < b.name ? -1 : a.name > b.name ? 1 : i - j))
    .map(([r]) => r);
  await waitForRows(page, byName, { what: 'the table sorted by name' });
  await shot('fragment-name');
});

test('every sample type and granularity, set through the URL fragment, matches proflens top', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz`);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2' });
  const types = await page.$$eval(`${SAMPLE_MENU} option`, (os) => os.map((o) => o.value));
  const want = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'];
  check(
    JSON.stringify([...types].sort()) === JSON.stringify(want),
    `the sample menu offers ${JSON.stringify(types)}, expected ${JSON.stringify(want)}`,
  );
  for (const si of types) {
    for (const g of ['functions', 'filefunctions', 'files', 'lines', 'addresses']) {
      // An edited URL: the fragment alone changes (a hashchange).
      await page.evaluate((h) => (location.hash = h), `#top?si=${si}&g=${g}`);
      const rows = cliTop(HEAP2, ['--sample-index', si, '--granularity', g]).rows;
      await waitForRows(page, rows, { what: `si=${si} g=${g}`, timeout: 10_000 });
      const menus = [await selectValue(page, SAMPLE_MENU), await selectValue(page, GRANULARITY)];
      check(menus[0] === si && menus[1] === g, `with #top?si=${si}&g=${g} the menus show ${menus.join(', ')}`);
    }
  }
  await shot('inuse_objects-addresses');
});

test('progress and cancel: a long load shows its stages and cancels back to the previous profile', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.setInputFiles('#file-input', HEAP2);
  const inuse = cliTop(HEAP2);
  await waitForRows(page, inuse.rows, { what: 'heap2' });
  // large.cpu with its samples repeated (~100 MB raw, a valid profile with
  // 40 times the samples): it reads and decodes for a few seconds.
  const { head, samples } = splitSamples(gunzipSync(readFileSync(LARGE)));
  await page.evaluate(
    ({ head64, samples64 }) => {
      const bytes = (b64) => {
        const bin = atob(b64);
        const out = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        return out;
      };
      const file = new File([bytes(head64), ...Array(39).fill(bytes(samples64))], 'big.pb');
      const transfer = new DataTransfer();
      transfer.items.add(file);
      window.__stages = [];
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid=progress]');
        const stage = p?.getAttribute('data-stage');
        if (stage && window.__stages.at(-1) !== stage) window.__stages.push(stage);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
      document
        .querySelector('[data-testid=dropzone]')
        .dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    },
    { head64: head.toString('base64'), samples64: samples.toString('base64') },
  );
  const progress = page.locator('[data-testid=progress]');
  await progress.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {
    throw new Error('no [data-testid=progress] while a 100 MB profile loads');
  });
  // Wait for the worker to be decoding, so cancel stops real work.
  await waitUntil(
    page,
    async () => {
      const stages = await page.evaluate(() => window.__stages);
      return stages.some((s) => s !== 'Reading') || `stages so far: ${JSON.stringify(stages)}`;
    },
    'the progress bar never left the Reading stage',
    30_000,
  ).catch(async (e) => {
    if (!(await progress.isVisible())) {
      throw new Error('the 100 MB load finished before it could be cancelled; make the test file bigger');
    }
    throw e;
  });
  const stage = await progress.getAttribute('data-stage');
  check(['Reading', 'Decoding', 'Resolving'].includes(stage), `the progress bar's data-stage is ${JSON.stringify(stage)}`);
  await shot(`progress-${stage}`);
  await page.click('[data-testid=cancel]');
  await progress.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {
    throw new Error('the progress bar stays after Cancel');
  });
  // The cancelled load must not come back later, as a table or an error.
  await page.waitForTimeout(3_000);
  if (await page.locator(BANNER).isVisible()) {
    throw new Error(`after Cancel an error banner shows: ${await page.locator(BANNER).textContent()}`);
  }
  await waitForRows(page, inuse.rows, { what: 'the previous table after Cancel', timeout: 5_000 });
  const legend = await legendLines(page);
  check(legend[0] === inuse.header[0], `after Cancel the legend starts with ${JSON.stringify(legend[0])}`);
  const stages = await page.evaluate(() => window.__stages);
  check(stages[0] === 'Reading', `the stages shown were ${JSON.stringify(stages)}; expected Reading first`);
  await shot('after-cancel');
});

test('?url= that fails: a clear error, and the page stays usable', async ({ page, base, shot, note }) => {
  await page.goto(`${base}/?url=samples/missing.pb.gz`);
  const message = await waitForBanner(page, '?url=samples/missing.pb.gz');
  note(`404: “${message}”`);
  check(message.includes('404'), `the error for a missing ?url= does not mention HTTP 404: ${JSON.stringify(message)}`);
  await shot('url-404');
  await page.setInputFiles('#file-input', HEAP2);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2 loaded after a failed ?url=' });
});

test('bad files: a clear error banner, and the previous table stays usable', async ({ page, base, shot, note }) => {
  await page.goto(`${base}/`);
  await page.setInputFiles('#file-input', HEAP2);
  const inuse = cliTop(HEAP2);
  await waitForRows(page, inuse.rows, { what: 'heap2' });

  const bad = [
    ['random bytes', { name: 'random.bin', mimeType: 'application/octet-stream', buffer: randomBytes(4096) }],
    ['a truncated gzip file', { name: 'truncated.pb.gz', mimeType: 'application/gzip', buffer: readFileSync(HEAP2).subarray(0, 2000) }],
    ['an empty file', { name: 'empty.pb.gz', mimeType: 'application/gzip', buffer: Buffer.alloc(0) }],
  ];
  let sort = [];
  for (const [i, [what, file]] of bad.entries()) {
    await page.setInputFiles('#file-input', file);
    const message = await waitForBanner(page, what);
    note(`${what}: “${message}”`);
    await shot(`bad-file-${i + 1}`);
    // The previous profile is still shown...
    const legend = await legendLines(page);
    check(legend[0] === inuse.header[0], `after ${what} the legend starts with ${JSON.stringify(legend[0])}, expected ${JSON.stringify(inuse.header[0])}`);
    const want = cliTop(HEAP2, sort).rows;
    await waitForRows(page, want, { what: `the previous table after ${what}`, timeout: 5_000 });
    // ...and still works.
    sort = sort.length ? [] : ['--cum'];
    await page.click(`${TABLE} th[data-sort=${sort.length ? 'cum' : 'flat'}]`);
    await waitForRows(page, cliTop(HEAP2, sort).rows, { what: `the table re-sorted after ${what}` });
    await page.click(`${BANNER} button`);
    await page.locator(BANNER).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {
      throw new Error(`the error banner for ${what} does not close`);
    });
  }
  await page.selectOption(SAMPLE_MENU, 'alloc_space');
  await waitForRows(page, cliTop(HEAP2, [...sort, '--sample-index', 'alloc_space']).rows, {
    what: 'alloc_space after the bad files',
  });
  await shot('bad-files-then-alloc_space');
});

test('virtualized table: large.cpu with nf=0 scrolls to its last row', async ({ page, base, shot, note }) => {
  await page.goto(`${base}/#top?nf=0`);
  await page.setInputFiles('#file-input', LARGE);
  const want = cliTop(LARGE, ['--nodefraction', '0']).rows;
  await waitForRows(page, want, { what: 'large.cpu with nf=0', timeout: 60_000 });
  const total = want.length;
  const domRows = async () => page.locator(`${TABLE} tbody tr[data-row]`).count();
  const initial = await domRows();
  check(initial < 200 && initial * 10 < total, `the DOM holds ${initial} rows of ${total}: not virtualized`);
  await shot('large-top');

  // Scroll to the middle, then to the bottom; the rows there must be the right ones.
  for (const [where, fraction] of [['middle', 0.5], ['bottom', 1]]) {
    await page.$eval(TABLE, (el, f) => (el.scrollTop = (el.scrollHeight - el.clientHeight) * f), fraction);
    const target = where === 'bottom' ? total - 1 : null;
    await waitUntil(
      page,
      async () => {
        const rows = await pageRows(page);
        if (!rows.length) return 'no rows';
        if (target !== null && !rows.some((r) => r.index === target)) {
          return `rows ${rows[0].index}..${rows.at(-1).index} rendered`;
        }
        return true;
      },
      `after scrolling to the ${where} of ${total} rows, row ${target} is not rendered`,
    );
    const rows = await pageRows(page);
    check(rows.length < 200, `after scrolling to the ${where} the DOM holds ${rows.length} rows`);
    for (const r of rows) {
      const diff = rowDiff([r], [want[r.index]], 1);
      check(!diff, `after scrolling to the ${where}, data-row=${r.index} is wrong: ${diff}`);
    }
    // The rendered rows are in the scroller's view.
    const inView = await page.$eval(TABLE, (el) => {
      const box = el.getBoundingClientRect();
      return [...el.querySelectorAll('tbody tr[data-row]')]
        .filter((tr) => {
          const r = tr.getBoundingClientRect();
          return r.bottom > box.top && r.top < box.bottom && r.height > 0;
        })
        .map((tr) => Number(tr.dataset.row));
    });
    check(inView.length > 0, `after scrolling to the ${where} no rendered row is inside the table's viewport`);
    if (target !== null) {
      check(inView.includes(target), `the last row (${target}) is rendered but not in view (in view: ${inView[0]}..${inView.at(-1)})`);
      note(`${total} rows; ${rows.length} in the DOM at the bottom; last: ${showRow(rows.at(-1))}`);
    }
    await shot(`large-${where}`);
  }
});

test('layout: no horizontal overflow at 1280×800 and 420×800, the table visible', async ({ page, base, shot }) => {
  for (const [width, height] of [[1280, 800], [420, 800]]) {
    await page.setViewportSize({ width, height });
    const overflow = () =>
      page.evaluate(() => ({
        doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        body: document.body.scrollWidth - window.innerWidth,
      }));
    await page.goto(`${base}/`);
    await page.locator('[data-testid=try-sample]').waitFor({ timeout: 20_000 });
    let o = await overflow();
    check(o.doc <= 0 && o.body <= 0, `the landing page at ${width}×${height} overflows horizontally by ${Math.max(o.doc, o.body)}px`);
    await shot(`landing-${width}`);

    // Lines granularity: the longest names.
    await page.goto(`${base}/?url=samples/heap2.pb.gz#top?g=lines`);
    await waitForRows(page, cliTop(HEAP2, ['--granularity', 'lines']).rows, { what: `heap2 by lines at ${width}px` });
    o = await overflow();
    check(o.doc <= 0 && o.body <= 0, `the page at ${width}×${height} overflows horizontally by ${Math.max(o.doc, o.body)}px`);
    const table = await page.$eval(TABLE, (el) => {
      const r = el.getBoundingClientRect();
      const row = el.querySelector('tbody tr[data-row]')?.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, height: r.height, rowTop: row?.top, rowBottom: row?.bottom };
    });
    check(
      table.left >= 0 && table.right <= width + 0.5,
      `at ${width}×${height} the table spans x=${table.left}..${table.right}, outside the viewport`,
    );
    check(table.top < height && table.height >= 100, `at ${width}×${height} the table is not visible (top ${table.top}, height ${table.height})`);
    check(
      table.rowTop !== undefined && table.rowBottom <= height,
      `at ${width}×${height} the first row is below the fold (y=${table.rowTop})`,
    );
    await shot(`heap2-lines-${width}`);
  }
});


// ---------------------------------------------------------------------------
// The views: Graph, Flame Graph, Peek, Source, and Refine.

const GO_SRC = join(FIXTURES, 'go', 'src', 'gen', 'leak', 'main.go');

/** The label of node `name` in `proflens dot` output: its flat and cum texts. */
function dotNode(file, name, args = []) {
  const dot = cli(['dot', ...args, file]);
  const line = dot.split('\n').find((l) => /^N\d+ \[label=/.test(l) && l.includes(`tooltip="${name} (`));
  if (!line) throw new Error(`proflens dot has no node ${name}`);
  const label = /label="([^"]*)"/.exec(line)[1].split('\\n');
  const flat = label.find((l) => /\(\d/.test(l) && !l.startsWith('of ')) ?? '0';
  const cum = label.find((l) => l.startsWith('of ')) ?? '';
  return { flat: flat.replace(/^.* (?=[-\d.]+\w* \()/, ''), cum };
}

test('graph: the leak chain, with pprof\'s numbers, laid out top-down', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#graph`);
  const node = (name) => page.locator(`[data-testid=graph-view] g.gnode[data-name="${name}"]`);
  await node('context.WithValue').waitFor({ timeout: 30_000 });
  const want = dotNode(HEAP2, 'context.WithValue');
  const text = await node('context.WithValue').textContent();
  check(text.includes(want.flat) && text.includes(want.cum),
    `the WithValue node shows ${JSON.stringify(text)}, proflens dot says ${want.flat} / ${want.cum}`);
  // The chain flushEvent -> ResetLogId -> SetCtxValue -> WithValue: edges and top-down order.
  const chain = ['main.flushEvent', 'main.ResetLogId', 'main.SetCtxValue', 'context.WithValue'];
  const index = await page.$$eval('[data-testid=graph-view] g.gnode', (gs) =>
    Object.fromEntries(gs.map((g) => [g.dataset.name, g.dataset.node])),
  );
  const edges = await page.$$eval('[data-testid=graph-view] g.gedge', (gs) => gs.map((g) => `${g.dataset.src}->${g.dataset.dst}`));
  const ys = {};
  for (const name of chain) {
    check(index[name] !== undefined, `the graph has no node ${name}`);
    ys[name] = await node(name).evaluate((g) => g.getBBox().y);
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    const e = `${index[chain[i]]}->${index[chain[i + 1]]}`;
    check(edges.includes(e), `no edge ${chain[i]} -> ${chain[i + 1]}`);
    check(ys[chain[i]] < ys[chain[i + 1]], `${chain[i]} is not above ${chain[i + 1]}`);
  }
  // Click selects; the selection goes into the URL as an exact regexp.
  await node('main.SetCtxValue').click();
  await waitUntil(page, async () => (await fragment(page)).sel === '^(main\\.SetCtxValue)$' || String(await fragment(page)),
    'clicking a node does not select it');
  await shot('graph');
});

test('flame graph: drawn on a canvas; hovering names frames; clicking flushEvent zooms in', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#flamegraph`);
  const canvas = page.locator('[data-testid=flame-canvas]');
  await canvas.waitFor({ timeout: 30_000 });
  const painted = () =>
    canvas.evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let colored = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] !== 0) colored++;
      return colored;
    });
  await waitUntil(page, async () => (await painted()) > 1000 || 'blank', 'the flame graph canvas stays blank');
  check((await page.$$('[data-testid=flame-view] div.frame, [data-testid=flame-view] rect')).length === 0, 'frames are DOM nodes');
  const box = await canvas.boundingBox();
  // Row 1 (depth 1) holds the roots' children; find main.flushEvent by hovering.
  const rowY = box.y + 18 * 1.5;
  let x = null;
  for (let px = 2; px < box.width; px += 6) {
    await page.mouse.move(box.x + px, rowY);
    const tip = await page.locator('[data-testid=flame-tooltip]').textContent({ timeout: 200 }).catch(() => '');
    if (tip.includes('main.flushEvent')) {
      x = px;
      break;
    }
  }
  check(x !== null, 'no main.flushEvent frame at depth 1');
  const tip = await page.locator('[data-testid=flame-tooltip]').textContent();
  check(/total \S+ \(\S+%\)/.test(tip) && tip.includes('self'), `the tooltip lacks numbers: ${tip}`);
  await shot('flame');
  await page.mouse.click(box.x + x, rowY);
  await page.waitForTimeout(400);
  // Zoomed: flushEvent now spans the width, so its right end shows it too.
  await page.mouse.move(box.x + box.width - 4, rowY);
  const right = await page.locator('[data-testid=flame-tooltip]').textContent({ timeout: 2000 }).catch(() => '');
  check(right.includes('main.flushEvent'), `after clicking, the right end of row 1 shows ${JSON.stringify(right)}, not main.flushEvent`);
  await shot('flame-zoomed');
});

test('peek: main.ResetLogId with its caller and callees', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#peek?sel=%5Emain%5C.ResetLogId%24`);
  const entry = page.locator('[data-testid=peek-view] tbody.peek-entry[data-name="main.ResetLogId"]');
  await entry.waitFor({ timeout: 30_000 });
  const callers = await entry.locator('tr.caller td.name').allTextContents();
  const callees = await entry.locator('tr.callee td.name').allTextContents();
  check(callers.some((c) => c.includes('main.flushEvent')), `callers: ${callers}`);
  for (const callee of ['main.SetCtxValue', 'fmt.Sprintf']) {
    check(callees.some((c) => c.includes(callee)), `callees ${callees} lack ${callee}`);
  }
  // The numbers are proflens peek's.
  const peek = cli(['peek', '^main\\.ResetLogId$', HEAP2]);
  const row = await entry.locator('tr.focus-row').textContent();
  check(peek.includes('85.50MB') && row.includes('85.50MB'), `the ResetLogId row shows ${row}`);
  await shot('peek');
});

test('source: main.go lines with costs, then with the code once the file is given', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#source?sel=%5Emain%5C.ResetLogId%24`);
  const section = page.locator('[data-testid=source-view] section.routine[data-file="gen/leak/main.go"]');
  await section.waitFor({ timeout: 30_000 });
  const list = cli(['list', '^main\\.ResetLogId$', '--source-path', join(FIXTURES, 'go', 'src'), HEAP2]);
  const hot = list.split('\n').filter((l) => /^\s+\S+\s+\S+\s+\d+:/.test(l) && !/^\s+\.\s+\.\s/.test(l));
  check(hot.length > 0, 'proflens list shows no sampled lines');
  for (const l of hot) {
    const [flat, cum, n] = l.trim().split(/\s+/);
    const cells = await section.locator(`tr[data-line="${n.replace(':', '')}"] td`).allTextContents();
    check(cells[0] === flat && cells[1] === cum, `line ${n} shows ${cells.slice(0, 2)}, proflens list ${flat} ${cum}`);
  }
  await shot('source-numbers');
  await page.setInputFiles('[data-testid=source-files]', GO_SRC);
  await waitUntil(page, async () => (await section.textContent()).includes('func ResetLogId') || 'no code',
    'the source text does not show after adding main.go');
  await shot('source-code');
});

test('refine: Focus on flushEvent gives proflens top --focus numbers, and Reset clears it', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top`);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2' });
  await page.fill('[data-testid=search]', 'flushEvent');
  await page.press('[data-testid=search]', 'Enter');
  const focused = cliTop(HEAP2, ['--focus', 'flushEvent']);
  await waitForRows(page, focused.rows, { what: 'heap2 focused on flushEvent' });
  await checkLegend(page, focused);
  await waitForFragment(page, { view: 'top', f: 'flushEvent' });
  await shot('focus');
  await page.click('[data-testid=refine] summary');
  await page.click('[data-refine=Reset]');
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2 after Reset' });
});

// ---------------------------------------------------------------------------
// Comparing profiles: diff views and the Leaks view.

const DIFF = ['--diff-base', HEAP1];

/** Drops both Go heap fixtures at once and waits for the diff Top table. */
async function dropBothHeaps(page) {
  await dropFiles(page, [['heap2.pb.gz', readFileSync(HEAP2)], ['heap1.pb.gz', readFileSync(HEAP1)]]);
  const want = cliTop(HEAP2, DIFF);
  await waitForRows(page, want.rows, { what: 'heap2 with base heap1 (dropped together)' });
  return want;
}

async function diffLegend(page) {
  return (await page.locator('[data-testid=diff-legend]').textContent({ timeout: 5_000 }).catch(() => '')).trim();
}

/** Counts canvas pixels within `tolerance` of the colour [r, g, b]. */
async function pixelsNear(canvas, [r, g, b], tolerance = 12) {
  return canvas.evaluate(
    (c, { r, g, b, tolerance }) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - r) <= tolerance && Math.abs(d[i + 1] - g) <= tolerance && Math.abs(d[i + 2] - b) <= tolerance) n++;
      }
      return n;
    },
    { r, g, b, tolerance },
  );
}

test('compare: heap1 and heap2 dropped together give proflens top --diff-base, coloured by sign', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  const want = await dropBothHeaps(page);
  await checkLegend(page, want);
  const legend = await diffLegend(page);
  check(legend.startsWith('Comparing heap2.pb.gz with base heap1.pb.gz (-diff_base)'), `the diff legend is ${JSON.stringify(legend)}`);
  await waitForFragment(page, { view: 'top', src: 'heap2.pb.gz', base: 'heap1.pb.gz' });
  // pprof sorts a diff by |flat|: a decrease sits among the increases.
  const negative = want.rows.findIndex((r) => r.flat.startsWith('-'));
  check(negative > 0, 'proflens top --diff-base shows no decrease; the fixture changed?');
  const classes = await page.$$eval(`${TABLE} tbody tr[data-row]`, (trs) => trs.map((tr) => [...tr.classList]));
  check(classes[0].includes('grew'), `the first row (${want.rows[0].name}, ${want.rows[0].flat}) is not marked grew: ${classes[0]}`);
  check(classes[negative].includes('shrank'), `row ${negative} (${want.rows[negative].name}, ${want.rows[negative].flat}) is not marked shrank: ${classes[negative]}`);
  const colors = await page.$$eval(`${TABLE} tbody tr[data-row] td.num:first-child`, (tds) => tds.map((td) => getComputedStyle(td).color));
  check(colors[0] !== colors[negative], `increase and decrease are drawn in the same colour ${colors[0]}`);
  const listed = await page.$$eval('[data-testid=profiles] tr[data-profile]', (trs) => trs.map((tr) => tr.dataset.profile));
  check(listed.length === 2 && listed.includes('heap1.pb.gz') && listed.includes('heap2.pb.gz'), `the profiles panel lists ${listed}`);
  await shot('diff-top');
  await page.click(`${TABLE} th[data-sort=cum]`);
  await waitForRows(page, cliTop(HEAP2, [...DIFF, '--cum']).rows, { what: 'the diff sorted by cum' });

  // The panel: no base shows heap2 alone; heap1 as the base again restores the diff.
  await page.check('[data-testid=profiles] tr[data-profile="heap2.pb.gz"] [data-testid=pick-source]');
  await page.check('[data-testid=pick-no-base]');
  await waitForRows(page, cliTop(HEAP2, ['--cum']).rows, { what: 'heap2 alone (no base)' });
  check((await diffLegend(page)) === '', 'the diff legend stays without a base');
  await page.check('[data-testid=profiles] tr[data-profile="heap1.pb.gz"] [data-testid=pick-base]');
  await waitForRows(page, cliTop(HEAP2, [...DIFF, '--cum']).rows, { what: 'the diff again' });
  await page.selectOption('[data-testid=compare-mode]', 'subtract');
  await waitForRows(page, cliTop(HEAP2, ['--base', HEAP1, '--cum']).rows, { what: 'heap2 with -base heap1' });
  await waitForFragment(page, { view: 'top', sort: 'cum', src: 'heap2.pb.gz', base: 'heap1.pb.gz', mode: 'subtract' });
  await shot('base-subtract');

  // Reload: the files are gone, the fragment says what to drop again.
  await page.reload();
  const hint = await page.locator('[data-testid=restore-hint]').textContent({ timeout: 20_000 }).catch(() => '');
  check(hint.includes('heap1.pb.gz') && hint.includes('heap2.pb.gz'), `after a reload the hint is ${JSON.stringify(hint)}`);
  await shot('restore-hint');
  await dropFiles(page, [['heap1.pb.gz', readFileSync(HEAP1)], ['heap2.pb.gz', readFileSync(HEAP2)]]);
  await waitForRows(page, cliTop(HEAP2, ['--base', HEAP1, '--cum']).rows, { what: 'the comparison restored after a reload' });
  await waitForFragment(page, { view: 'top', sort: 'cum', src: 'heap2.pb.gz', base: 'heap1.pb.gz', mode: 'subtract' });
  await shot('restored');
});

test('leaks: context.WithValue is the first suspect; its links open Graph (red), Flame Graph (diff) and Source', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await dropBothHeaps(page);
  await page.click('[data-view=leaks]');
  const first = page.locator('[data-testid=leaks-view] tbody.suspect').first();
  await first.waitFor({ timeout: 20_000 });
  await waitForFragment(page, { view: 'leaks', src: 'heap2.pb.gz', base: 'heap1.pb.gz' });
  check((await first.getAttribute('data-function')) === 'context.WithValue', `the first suspect is ${await first.getAttribute('data-function')}`);
  const chain = (await first.locator('[data-testid=chain]').textContent()).trim();
  check(chain.startsWith('← main.SetCtxValue ← main.ResetLogId ← main.flushEvent'), `the first suspect's chain is ${JSON.stringify(chain)}`);
  // The numbers are `proflens leaks`'.
  const text = cli(['leaks', HEAP1, HEAP2]);
  const growth = /#1 context\.WithValue\n\s+bytes (\S+), (\S+), (\S+) of growth; objects (\S+)/.exec(text);
  check(growth, `proflens leaks does not rank context.WithValue first:\n${text}`);
  const cells = (await first.locator('tr').first().locator('td.num').allTextContents()).map((c) => c.trim());
  check(cells[1] === growth[1] && cells[2] === growth[2] && cells[3] === growth[3] && cells[4] === growth[4],
    `the first suspect shows ${cells.join(' | ')}, proflens leaks ${growth.slice(1).join(' | ')}`);
  const why = (await first.locator('.explanation').textContent()).trim();
  check(why.startsWith('Ranked first') && text.includes(why), `the explanation ${JSON.stringify(why)} is not proflens leaks'`);
  const points = await first.locator('[data-testid=sparkline] polyline').getAttribute('points');
  const ys = points.split(' ').map((p) => Number(p.split(',')[1]));
  check(ys.length === 2 && ys[1] < ys[0], `the sparkline ${points} does not rise`);
  await shot('leaks');

  // Graph: the comparison, focused on the leaf, in pprof's diff colours.
  await first.locator('[data-open=graph]').click();
  const node = page.locator('[data-testid=graph-view] g.gnode[data-name="context.WithValue"]');
  await node.waitFor({ timeout: 30_000 });
  await waitForFragment(page, {
    view: 'graph', si: 'inuse_space', f: '^context\\.WithValue$', src: 'heap2.pb.gz', base: 'heap1.pb.gz',
    sel: '^(context\\.WithValue|main\\.ResetLogId|main\\.SetCtxValue|main\\.flushEvent|main\\.main\\.gowrap3|runtime\\.goexit)$',
  }).catch(async () => {
    // The selection depends on the chain's root frames; check the rest.
    const f = await fragment(page);
    check(f.view === 'graph' && f.f === '^context\\.WithValue$' && f.base === 'heap1.pb.gz' && f.src === 'heap2.pb.gz',
      `after clicking Graph the fragment is ${String(f)}`);
  });
  const dot = cli(['dot', '--diff-base', HEAP1, '--sample-index', 'inuse_space', '--focus', '^context\\.WithValue$', HEAP2]);
  const line = dot.split('\n').find((l) => l.includes('tooltip="context.WithValue ('));
  const [, color, fill] = /color="(#[0-9a-f]+)" fillcolor="(#[0-9a-f]+)"/.exec(line);
  const rect = await node.locator('rect').evaluate((r) => ({ stroke: r.getAttribute('stroke'), fill: r.getAttribute('fill') }));
  check(rect.stroke === color && rect.fill === fill, `the WithValue node is drawn ${JSON.stringify(rect)}, proflens dot says ${color} / ${fill}`);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  check(r > g + 60 && r > b + 60, `the WithValue node's colour ${color} is not red`);
  const label = await node.textContent();
  check(label.includes('17MB'), `the WithValue node shows ${JSON.stringify(label)}, not the 17MB increase`);
  check((await diffLegend(page)).startsWith('Comparing heap2.pb.gz with base heap1.pb.gz'), 'the graph has no diff legend');
  await shot('leak-graph');

  // Flame Graph: pprof's diff rendering, then the colour-blind palette.
  await page.click('[data-view=leaks]');
  await page.locator('[data-testid=leaks-view] tbody.suspect').first().locator('[data-open=flamegraph]').click();
  const canvas = page.locator('[data-testid=flame-canvas]');
  await canvas.waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=flame-diff-key]').waitFor({ timeout: 10_000 });
  await waitUntil(page, async () => (await pixelsNear(canvas, [0xd9, 0x82, 0x6f])) > 500 || 'no red bars',
    'the diff flame graph has no red (grew) bars');
  await shot('leak-flame');
  await page.check('[data-testid=flame-palette]');
  await waitUntil(page, async () => (await pixelsNear(canvas, [0xe6, 0x9f, 0x00])) > 500 || 'no orange bars',
    'the colour-blind palette draws no orange (grew) bars');
  check((await pixelsNear(canvas, [0xd9, 0x82, 0x6f])) === 0, 'red bars remain with the colour-blind palette');
  await waitForFragment(page, { view: 'flamegraph', pal: 'cb', si: 'inuse_space', f: '^context\\.WithValue$', src: 'heap2.pb.gz', base: 'heap1.pb.gz', sel: (await fragment(page)).sel });
  await shot('leak-flame-colorblind');

  // Source: the chain's functions, with the diff's numbers.
  await page.click('[data-view=leaks]');
  await page.locator('[data-testid=leaks-view] tbody.suspect').first().locator('[data-open=source]').click();
  const section = page.locator('[data-testid=source-view] section.routine[data-file="gen/leak/main.go"]').first();
  await section.waitFor({ timeout: 30_000 });
  const list = cli(['list', '^main\\.SetCtxValue$', '--source-path', join(FIXTURES, 'go', 'src'), '--diff-base', HEAP1,
    '--focus', '^context\\.WithValue$', HEAP2]);
  const hot = list.split('\n').filter((l) => /^\s+\S+\s+\S+\s+\d+:/.test(l) && !/^\s+\.\s+\.\s/.test(l));
  check(hot.length > 0, `proflens list shows no sampled line of main.SetCtxValue:\n${list}`);
  const [, cum, n] = hot[0].trim().split(/\s+/);
  const routine = page.locator('[data-testid=source-view] section.routine', { hasText: 'main.SetCtxValue' }).first();
  const cells2 = await routine.locator(`tr[data-line="${n.replace(':', '')}"] td`).allTextContents();
  check(cells2[1] === cum, `SetCtxValue line ${n} shows ${cells2.slice(0, 2)}, proflens list says cum ${cum}`);
  await shot('leak-source');
});

test('compare: a CPU profile as the base of a heap profile is refused, and the diff stays', async ({ page, base, shot, note }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  const want = await dropBothHeaps(page);
  await page.setInputFiles('[data-testid=compare-input]', CPU);
  const message = await waitForBanner(page, 'cpu.pb.gz as a base');
  note(`heap vs cpu: “${message}”`);
  check(/cannot compare heap2\.pb\.gz with base cpu\.pb\.gz/.test(message) && /sample type/.test(message),
    `the refusal does not say why: ${JSON.stringify(message)}`);
  await waitForRows(page, want.rows, { what: 'the diff after the refused base', timeout: 5_000 });
  check((await diffLegend(page)).startsWith('Comparing heap2.pb.gz with base heap1.pb.gz'), 'the diff legend changed');
  await waitForFragment(page, { view: 'top', src: 'heap2.pb.gz', base: 'heap1.pb.gz' });
  const listed = await page.$$eval('[data-testid=profiles] tr[data-profile]', (trs) => trs.map((tr) => tr.dataset.profile));
  check(listed.includes('cpu.pb.gz'), `cpu.pb.gz is not listed: ${listed}`);
  await shot('refused-base');
  // The CPU profile can still be shown on its own.
  await page.check('[data-testid=pick-no-base]');
  await page.check('[data-testid=profiles] tr[data-profile="cpu.pb.gz"] [data-testid=pick-source]');
  await waitForRows(page, cliTop(CPU).rows, { what: 'cpu.pb.gz chosen in the panel' });
  await shot('cpu-alone');
});

// ---------------------------------------------------------------------------
// Offline: the single-file page and `proflens export`, from file://.

test('single file: dist/proflens.html works from file://, worker and sample included', async ({ page, shot }) => {
  const single = join(dist, 'proflens.html');
  check(existsSync(single), `${single} is missing: build it with cargo xtask dist --single-file`);
  await page.goto(pathToFileURL(single).href);
  await page.click('[data-testid=try-sample]', { timeout: 30_000 });
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'the sample in the single-file page' });
  await shot('single-file');
});

test('export: proflens export writes a page that opens its profile from file://', async ({ page, shot }) => {
  const out = join(ARTIFACTS, 'exported-heap2.html');
  cli(['export', HEAP2, '-o', out]);
  await page.goto(pathToFileURL(out).href);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'the exported profile' });
  await checkLegend(page, cliTop(HEAP2));
  await shot('exported');
});

// ---------------------------------------------------------------------------
// Hardening: the Content-Security-Policy, view state across profiles, worker
// crashes, and the caps on what a URL or a link may bring in.

/**
 * Records Content-Security-Policy violations from the start of every
 * document: `securitypolicyviolation` events and the console's CSP errors.
 * Returns a function giving what was seen so far.
 */
async function watchCsp(page) {
  const console = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) console.push(m.text());
  });
  watchCsp.clearConsole = () => (console.length = 0);
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return async () => [...(await page.evaluate(() => window.__csp ?? [])), ...console];
}

/** Checks the page's policy: no eval, WebAssembly allowed, and enforced (an inline script is refused). */
async function checkPolicyEnforced(page, violations) {
  const policy = await page.$eval('meta[http-equiv=Content-Security-Policy]', (m) => m.content);
  check(!policy.includes("'unsafe-eval'") && policy.includes("'wasm-unsafe-eval'"), `the policy is ${policy}`);
  // A positive control: an injected inline script must be refused and reported.
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    await new Promise((ok) => setTimeout(ok, 100));
    const seen = window.__csp.length;
    window.__csp.length = 0;
    return { ran: window.__inlineRan === true, seen };
  });
  check(!ran.ran && ran.seen > 0, `an inline script ${ran.ran ? 'ran' : 'was refused without a report'}: the policy is not enforced`);
  await page.waitForTimeout(200);
  // The control's own report, in the console; anything else is a violation.
  const stray = (await violations()).filter((v) => !/inline script/i.test(v));
  check(stray.length === 0, `violations before the test: ${stray.join('; ')}`);
  await page.evaluate(() => (window.__csp.length = 0));
  watchCsp.clearConsole();
}

/** Fails when the error banner shows, with its text. */
async function checkNoBanner(page, when) {
  const banner = page.locator(BANNER);
  if (await banner.isVisible()) throw new Error(`an error shows ${when}: ${await banner.textContent()}`);
}

/** Visits every view tab the page offers and waits for each to show its data. */
async function visitEveryView(page) {
  for (const [view, ready] of [
    ['graph', '[data-testid=graph-view] g.gnode'],
    ['flamegraph', '[data-testid=flame-canvas]'],
    ['peek', '[data-testid=peek-view]'],
    ['source', '[data-testid=source-view], [data-testid=source-hint]'],
    ['leaks', '[data-testid=leaks-view] tbody.suspect'],
    ['top', '[data-testid=top-table] tbody tr[data-row]'],
  ]) {
    if ((await page.locator(`[data-view=${view}]`).count()) === 0) continue;
    await page.click(`[data-view=${view}]`);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
  }
  // The search box compiles regexps in the page (RegExp, not eval).
  await page.fill('[data-testid=search]', 'main\\.(flush|Reset)');
  await page.waitForTimeout(500);
  await page.click('[data-view=flamegraph]');
  await page.locator('[data-testid=flame-canvas]').waitFor();
  await page.waitForTimeout(300);
}

test('csp: no policy violation while loading profiles and switching every view', async ({ page, base, shot }) => {
  const violations = await watchCsp(page);
  await page.goto(`${base}/`);
  await page.locator('[data-testid=try-sample]').waitFor({ timeout: 20_000 });
  await checkPolicyEnforced(page, violations);
  await dropBothHeaps(page);
  await visitEveryView(page);
  await shot('csp-flame');
  // ?url= fetches, and a link carrying its profile, under the same policy.
  await page.goto(`${base}/?url=samples/heap2.pb.gz#graph`);
  await page.locator('[data-testid=graph-view] g.gnode').first().waitFor({ timeout: 30_000 });
  await page.click('[data-testid=share]');
  const link = await page.locator('[data-testid=share-link]').inputValue();
  await page.goto(link);
  await waitUntil(page, async () => (await page.locator('[data-testid=graph-view] g.gnode').count()) > 0 || 'no graph', 'the shared link shows no graph');
  const seen = await violations();
  check(seen.length === 0, `Content-Security-Policy violations:\n  ${seen.join('\n  ')}`);
});

test('csp: the single file and proflens export run under their policy too', async ({ page, shot }) => {
  const violations = await watchCsp(page);
  const single = join(dist, 'proflens.html');
  check(existsSync(single), `${single} is missing: build it with cargo xtask dist --single-file`);
  await page.goto(pathToFileURL(single).href);
  await page.locator('[data-testid=try-sample]').waitFor({ timeout: 30_000 });
  await checkPolicyEnforced(page, violations);
  await page.click('[data-testid=try-sample]');
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'the sample in the single-file page' });
  await visitEveryView(page);
  const out = join(ARTIFACTS, 'exported-csp.html');
  cli(['export', HEAP2, '-o', out]);
  await page.goto(pathToFileURL(out).href);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'the exported profile' });
  await shot('csp-export');
  const seen = await violations();
  check(seen.length === 0, `Content-Security-Policy violations:\n  ${seen.join('\n  ')}`);
});

test('stale state: a CPU profile opened after a heap profile with si=inuse_space opens on its own type, granularity kept', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top?si=inuse_space&g=lines`);
  await waitForRows(page, cliTop(HEAP2, ['--sample-index', 'inuse_space', '--granularity', 'lines']).rows, { what: 'heap2 inuse_space by lines' });
  await dropFile(page, 'cpu.pb.gz', readFileSync(CPU));
  const cpu = cliTop(CPU, ['--granularity', 'lines']);
  await waitForRows(page, cpu.rows, { what: 'cpu.pb.gz (its default type) by lines after heap2' });
  await checkLegend(page, cpu);
  await waitForFragment(page, { view: 'top', g: 'lines' });
  await checkNoBanner(page, 'after the drop');
  const types = await page.$$eval(`${SAMPLE_MENU} option`, (os) => os.map((o) => o.value));
  check((await selectValue(page, SAMPLE_MENU)) === types.at(-1), `the sample menu shows ${await selectValue(page, SAMPLE_MENU)}`);
  await shot('cpu-after-heap');
  // An edited URL naming a type the profile lacks is corrected, not an error.
  await page.evaluate(() => (location.hash = '#top?si=alloc_space&g=lines'));
  await waitForFragment(page, { view: 'top', g: 'lines' });
  await waitForRows(page, cpu.rows, { what: 'cpu.pb.gz after si=alloc_space in the URL' });
  await checkNoBanner(page, 'after si=alloc_space');
});

test('stale state: the selection and the flame pivot name the old profile; a new profile drops them', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#flamegraph?p=%5Emain%5C.flushEvent%24&sel=%5E(main%5C.flushEvent)%24`);
  const canvas = page.locator('[data-testid=flame-canvas]');
  await canvas.waitFor({ timeout: 30_000 });
  await waitForFragment(page, { view: 'flamegraph', p: '^main\\.flushEvent$', sel: '^(main\\.flushEvent)$' });
  await dropFile(page, 'cpu.pb.gz', readFileSync(CPU));
  await waitForFragment(page, { view: 'flamegraph' });
  await page.locator('[data-testid=legend] .legend-line', { hasText: 'cpu' }).first().waitFor({ timeout: 30_000 });
  const painted = () => canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] !== 0) n++;
    return n;
  });
  await waitUntil(page, async () => (await painted()) > 1000 || 'blank', 'the CPU flame graph stays blank');
  await checkNoBanner(page, 'after the drop');
  await shot('flame-after-drop');
  // Peek with no selection: every function, not nothing.
  await page.click('[data-view=peek]');
  await page.locator('[data-testid=peek-view] tbody.peek-entry').first().waitFor({ timeout: 20_000 });
});

test('stale state: the Leaks view without two heap profiles shows its hint, not an error', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await dropBothHeaps(page);
  await page.click('[data-view=leaks]');
  await page.locator('[data-testid=leaks-view] tbody.suspect').first().waitFor({ timeout: 20_000 });
  await dropFile(page, 'cpu.pb.gz', readFileSync(CPU));
  await page.locator('[data-testid=leaks-hint]').waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  await checkNoBanner(page, 'after the drop');
  await waitForFragment(page, { view: 'leaks' });
  await shot('leaks-hint');
});

test('stale state: a Copy link note goes with the profile it carried', async ({ page, base }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top`);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2' });
  await page.click('[data-testid=share]');
  await page.locator('[data-testid=share-link]').waitFor();
  await dropFile(page, 'cpu.pb.gz', readFileSync(CPU));
  await waitForRows(page, cliTop(CPU).rows, { what: 'cpu.pb.gz after heap2' });
  check((await page.locator('[data-testid=share-note]').count()) === 0, 'the link to heap2 is still offered after cpu.pb.gz loaded');
});

test('worker crash: out of memory is named, what was shown stays, and the next load works', async ({ page, base, shot, note }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top?sort=cum`);
  const rows = cliTop(HEAP2, ['--cum']).rows;
  await waitForRows(page, rows, { what: 'heap2 by cum' });
  const before = String(await fragment(page));
  // What a worker whose wasm memory cannot grow reports (every worker: the session's and the spare).
  for (const worker of page.workers()) {
    await worker.evaluate(() => setTimeout(() => { throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'); }, 0));
  }
  const message = await waitForBanner(page, 'a worker out of memory');
  note(`out of memory: “${message}”`);
  check(/ran out of memory/.test(message) && !/may be too large/.test(message), `the message does not say what happened: ${message}`);
  await waitForRows(page, rows, { what: 'the table after the crash', timeout: 5_000 });
  check(String(await fragment(page)) === before, `the view state changed: ${before} -> ${String(await fragment(page))}`);
  await shot('crashed');
  // Another view cannot be computed any more: it says why instead of waiting forever.
  await page.click('[data-view=graph]');
  const why = await page.locator('[data-testid=view-stopped]').textContent({ timeout: 5_000 });
  check(/ran out of memory/.test(why) && /open the file again/.test(why), `the Graph view says ${why}`);
  await page.click('[data-view=top]');
  // Opening the file again goes on in a fresh worker, with the view state kept.
  await page.setInputFiles('#file-input', HEAP2);
  await waitForRows(page, rows, { what: 'heap2 opened again after the crash' });
  await waitForFragment(page, { view: 'top', sort: 'cum' });
});

test('?url= over the cap: refused from its Content-Length, naming the cap and what to do instead', async ({ page, base, shot, note }) => {
  // A CORS server announcing 2 GB and sending it slowly: the page must not wait for it.
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Length': '2000000000', 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/octet-stream' });
    const timer = setInterval(() => res.write(Buffer.alloc(1024)), 50);
    req.on('close', () => clearInterval(timer));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const url = `http://127.0.0.1:${server.address().port}/huge.pb.gz`;
    await page.goto(`${base}/?url=${encodeURIComponent(url)}`);
    const message = await waitForBanner(page, 'a 2 GB ?url=');
    note(`2 GB body: “${message}”`);
    check(/is 2 GB, over the 1 GB this page reads/.test(message) && /proflens top/.test(message) && /drop/.test(message),
      `the refusal does not name the cap and the way out: ${message}`);
    await shot('url-over-cap');
    await page.click('[data-testid=try-sample]');
    await waitForRows(page, cliTop(HEAP2).rows, { what: 'the sample after the refused URL' });
  } finally {
    server.closeAllConnections?.();
    await new Promise((ok) => server.close(ok));
  }
});

test('share links: a link carrying more than 64 KB, or a profile inflating past 16 MB, is refused with the cap', async ({ page, base, shot, note }) => {
  const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
  // 70 KB of profile: over the link limit before anything is decoded.
  await page.goto(`${base}/#top?name=big.pb.gz&profile=${b64url(randomBytes(70 * 1024))}`);
  let message = await waitForBanner(page, 'a 70 KB link');
  note(`70 KB link: “${message}”`);
  check(/The profile in this link is 70 KB; a link carries at most 64 KB/.test(message), `the refusal says ${message}`);
  await shot('link-too-big');
  // A small gzip that inflates to 20 MB (one huge string in a valid profile.proto).
  const size = 20 << 20;
  const varint = [];
  for (let v = size; ; v = Math.floor(v / 128)) {
    if (v < 128) { varint.push(v); break; }
    varint.push((v % 128) | 128);
  }
  const bomb = gzipSync(Buffer.concat([Buffer.from([0x32, ...varint]), Buffer.alloc(size)]), { level: 9 });
  check(bomb.length < 64 * 1024, `the test's gzip is ${bomb.length} bytes`);
  // (A query, so that the page loads anew rather than only changing its fragment.)
  await page.goto(`${base}/?again#top?name=bomb.pb.gz&profile=${b64url(bomb)}`);
  message = await waitForBanner(page, 'a link inflating to 20 MB');
  note(`20 MB inflated: “${message}”`);
  check(/The profile in this link cannot be opened: bomb\.pb\.gz is larger than 16MB once decompressed/.test(message),
    `the refusal says ${message}`);
  // The page stays usable.
  await page.click('[data-testid=try-sample]');
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'the sample after the refused link' });
});

// ---------------------------------------------------------------------------
// Feel: copy link, configs, dark mode, keyboard.

test('copy link: the link carries the profile, and a fresh browser shows the same view and numbers', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top?si=alloc_space&sort=cum`);
  const want = cliTop(HEAP2, ['--sample-index=alloc_space', '--cum']);
  await waitForRows(page, want.rows, { what: 'heap2 alloc_space by cum' });
  await page.click('[data-testid=share]');
  const link = await page.locator('[data-testid=share-link]').inputValue();
  check(link.includes('#top?') && link.includes('profile=') && !link.includes('url='), `the link is ${link.slice(0, 120)}`);
  check(link.length < 64 * 1024 * 1.4 + 500, `the link is ${link.length} characters`);
  await shot('share');
  // A new browser: no cache, no storage, no server file named in the link.
  const fresh = await launchBrowser();
  try {
    const other = fresh.context.pages()[0] ?? (await fresh.context.newPage());
    await other.goto(link);
    await waitForRows(other, want.rows, { what: 'the shared link in a fresh browser' });
    await checkLegend(other, want);
    const f = await fragment(other);
    check(f.view === 'top' && f.si === 'alloc_space' && f.sort === 'cum', `the shared view is ${String(f)}`);
    // Changing the view keeps the profile in the URL, so a reload still has it.
    await other.click('[data-view=graph]');
    await waitUntil(other, async () => (await fragment(other)).profile !== undefined || 'lost', 'the profile left the URL');
  } finally {
    await fresh.close();
  }
  // Too big to carry: the button says why.
  await page.goto(`${base}/`);
  await page.setInputFiles('[data-testid=file-input]', LARGE);
  await waitForRows(page, cliTop(LARGE).rows, { what: 'large.cpu' });
  await page.click('[data-testid=share]');
  const why = await page.locator('[data-testid=share-refused]').textContent();
  check(/large\.cpu is \d+ KB; a link carries at most 64 KB/.test(why), `the refusal says ${why}`);
});

test('configs: save the view and filters under a name, apply it later, kept across reloads', async ({ page, base }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top?si=alloc_space&f=main`);
  await waitForRows(page, cliTop(HEAP2, ['--sample-index=alloc_space', '--focus=main']).rows, { what: 'focused' });
  await page.click('[data-testid=configs] summary');
  await page.fill('[data-testid=config-name]', 'alloc in main');
  await page.click('[data-testid=config-save]');
  await page.goto(`${base}/?url=samples/heap2.pb.gz#graph`);
  await page.reload();
  await page.locator('[data-testid=graph-view]').waitFor({ timeout: 30_000 });
  await page.click('[data-testid=configs] summary');
  await page.click('[data-config="alloc in main"] button >> nth=0');
  await waitForFragment(page, { view: 'top', si: 'alloc_space', f: 'main' });
  await waitForRows(page, cliTop(HEAP2, ['--sample-index=alloc_space', '--focus=main']).rows, { what: 'the applied config' });
});

/** WCAG contrast ratio of two CSS colours (rgb() strings). */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('dark mode: follows the system, has a toggle, and text keeps its contrast in both themes', async ({ page, base, shot }) => {
  const pairs = async () =>
    page.evaluate(() => {
      const style = (sel) => getComputedStyle(document.querySelector(sel));
      const body = style('body');
      const view = style('[data-view].active');
      return {
        text: [body.color, body.backgroundColor],
        muted: [style('.legend').color, body.backgroundColor],
        accent: [view.color, view.backgroundColor],
        bar: [style('.bar').color, style('.bar').backgroundColor],
      };
    });
  const checkContrast = async (theme) => {
    for (const [what, [fg, bg]] of Object.entries(await pairs())) {
      const ratio = contrast(fg, bg);
      check(ratio >= 4.5, `${theme}: ${what} ${fg} on ${bg} has contrast ${ratio.toFixed(2)} (< 4.5)`);
    }
  };
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top`);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(contrast(bg, 'rgb(0, 0, 0)') < 2, `the system asks for dark, the page is ${bg}`);
  await checkContrast('dark');
  await shot('dark-top');
  await page.click('[data-view=flamegraph]');
  await page.locator('[data-testid=flame-canvas]').waitFor();
  await page.waitForTimeout(500);
  await shot('dark-flame');
  // The toggle: system -> dark -> light; light wins over the system's dark.
  await page.click('[data-testid=theme]');
  await page.click('[data-testid=theme]');
  await waitUntil(page, async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light' || 'not light', 'the toggle does not reach light');
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(contrast(light, 'rgb(255, 255, 255)') < 1.2, `light theme background is ${light}`);
  await page.click('[data-view=top]');
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2, back in Top' });
  await checkContrast('light');
  // Kept across reloads.
  await page.reload();
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2 after reload' });
  check((await page.evaluate(() => document.documentElement.dataset.theme)) === 'light', 'the theme was not kept');
});

test('keyboard: every view, the Top selection, focus, reset and help without a mouse', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top`);
  const rows = cliTop(HEAP2).rows;
  await waitForRows(page, rows, { what: 'heap2' });
  await page.locator('body').focus();
  for (const [key, view, ready] of [
    ['2', 'graph', '[data-testid=graph-view] g.gnode'],
    ['3', 'flamegraph', '[data-testid=flame-canvas]'],
    ['4', 'peek', '[data-testid=peek-view], [data-testid=source-hint]'],
    ['5', 'source', '[data-testid=source-view], [data-testid=source-hint]'],
    ['1', 'top', '[data-testid=top-table] tbody tr[data-row]'],
  ]) {
    await page.keyboard.press(key);
    await waitForFragment(page, { view });
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
  }
  // Arrows move the selection down the table; Enter focuses on it.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const second = rows[1].name;
  await waitUntil(page, async () => {
    const sel = (await fragment(page)).sel ?? '';
    return sel.includes(second.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) || `sel=${sel}`;
  }, `ArrowDown twice does not select ${second}`);
  // The table shows it (the page has taken the new state), then Enter.
  await page.locator('[data-testid=top-table] tr.selected td.name', { hasText: second }).waitFor();
  await page.keyboard.press('Enter');
  await waitUntil(page, async () => ((await fragment(page)).f ?? '') !== '' || 'no focus', 'Enter does not focus');
  await page.keyboard.press('Escape');
  await waitUntil(page, async () => ((await fragment(page)).f ?? '') === '' || 'still focused', 'Escape does not reset');
  // '?' opens the help, Escape closes it; '/' goes to the search box.
  await page.keyboard.press('?');
  await page.locator('[data-testid=shortcuts]').waitFor();
  await shot('shortcuts');
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=shortcuts]').waitFor({ state: 'detached' });
  await page.keyboard.press('/');
  check(await page.evaluate(() => document.activeElement?.dataset.testid === 'search'), '/ does not focus the search box');
});

// ---------------------------------------------------------------------------
// Embedding: examples/portal.html with two <proflens-analyzer> elements, and proflens.mount.

test('portal: two analyzers side by side, each with its own profile, view and events; proflens.mount', async ({ page, shot }) => {
  const profiles = join(ARTIFACTS, 'portal-profiles');
  mkdirSync(profiles, { recursive: true });
  copyFileSync(HEAP2, join(profiles, 'heap.pb.gz'));
  copyFileSync(join(FIXTURES, 'go', 'cpu.pb.gz'), join(profiles, 'cpu.pb.gz'));
  const portal = await startServer(join(ROOT, 'examples'), { '/proflens/': dist, '/profiles/': profiles });
  try {
    await page.goto(`${portal.url}/portal.html`);
    const heapRows = page.locator('#heap [data-testid=top-table] tbody tr[data-row] td.name');
    await heapRows.first().waitFor({ timeout: 30_000 });
    const want = cliTop(HEAP2).rows.slice(0, 5).map((r) => r.name);
    const got = (await heapRows.allTextContents()).slice(0, 5).map((t) => t.trim());
    check(JSON.stringify(got) === JSON.stringify(want), `the heap analyzer shows ${got}, proflens top ${want}`);
    await page.locator('#cpu [data-testid=flame-canvas]').waitFor({ timeout: 30_000 });
    const log = page.locator('#log');
    await waitUntil(page, async () => {
      const text = await log.textContent();
      return (text.includes('heap: proflens-load') && text.includes('cpu: proflens-load')) || text;
    }, 'both analyzers report proflens-load');
    // The portal's own styles stay its own, and the analyzers' stay inside.
    const fonts = await page.evaluate(() => [
      getComputedStyle(document.body).fontFamily,
      getComputedStyle(document.querySelector('#heap').shadowRoot.querySelector('.app')).fontFamily,
    ]);
    check(fonts[0].includes('Georgia') && !fonts[1].includes('Georgia'), `fonts: page ${fonts[0]}, analyzer ${fonts[1]}`);
    await shot('portal');
    // proflens-select: a click in the heap table.
    await heapRows.first().click();
    await waitUntil(page, async () => (await log.textContent()).includes('heap: proflens-select {"names":["context.WithValue"]}') || 'no event', 'no proflens-select');
    // Changing one analyzer's view attribute leaves the other alone.
    await page.evaluate(() => document.querySelector('#heap').setAttribute('view', 'graph'));
    await page.locator('#heap [data-testid=graph-view] g.gnode').first().waitFor({ timeout: 15_000 });
    check(await page.locator('#cpu [data-testid=flame-canvas]').isVisible(), 'the CPU analyzer left its flame graph');
    check((await page.locator('#cpu [data-testid=graph-view]').count()) === 0, 'the CPU analyzer switched too');
    check(new URL(page.url()).hash === '', `an embedded analyzer changed the portal's URL: ${page.url()}`);
    await shot('portal-heap-graph');
    // The JS API: bytes the host holds, then setView and destroy.
    await page.evaluate(async () => {
      const div = document.createElement('div');
      div.id = 'mounted';
      div.style.height = '400px';
      document.body.append(div);
      const bytes = new Uint8Array(await (await fetch('/profiles/heap.pb.gz')).arrayBuffer());
      window.__handle = window.proflens.mount(div, { bytes, name: 'held.pb.gz', view: 'top', sampleIndex: 'alloc_space' });
    });
    const mountedRows = page.locator('#mounted [data-testid=top-table] tbody tr[data-row] td.name');
    await mountedRows.first().waitFor({ timeout: 30_000 });
    const alloc = cliTop(HEAP2, ['--sample-index=alloc_space']).rows[0].name;
    check((await mountedRows.first().textContent()).trim() === alloc, `proflens.mount with sampleIndex shows ${await mountedRows.first().textContent()}`);
    await page.evaluate(() => window.__handle.setView('flamegraph'));
    await page.locator('#mounted [data-testid=flame-canvas]').waitFor({ timeout: 15_000 });
    await page.evaluate(() => window.__handle.destroy());
    await waitUntil(page, async () => (await page.locator('#mounted [data-testid=flame-canvas]').count()) === 0 || 'still there', 'destroy leaves the analyzer');
  } finally {
    await portal.close();
  }
});

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// The npm package (issue 18): `cargo xtask package` / `cargo xtask test`
// write target/npm/proflens-VERSION.tgz. A scratch front-end (plain ES
// modules and an import map, no bundler) installs it and uses both forms.

/** The tarball: $PROFLENS_NPM, else the one in target/npm. */
function npmTarball() {
  if (process.env.PROFLENS_NPM) return process.env.PROFLENS_NPM;
  const dir = join(ROOT, 'target', 'npm');
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^proflens-.*\.tgz$/.test(f)) : [];
  if (!found.length) throw new Error(`no npm tarball in ${dir}: run cargo xtask package --no-crates`);
  return join(dir, found.sort().at(-1));
}

test('npm package: installed from its tarball into a scratch front-end; the element, mount() and its types work', async ({ page, shot }) => {
  const app = join(ARTIFACTS, 'npm-app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'profiles'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-portal', private: true, type: 'module' }));
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', npmTarball()], { cwd: app, encoding: 'utf8' });
  check(install.status === 0, `npm install of the tarball failed: ${install.stderr}`);
  // The declarations type-check a host's use of the API and of the element.
  writeFileSync(
    join(app, 'host.ts'),
    `import proflens, { mount, type ProflensHandle, type ProflensLoadDetail } from 'proflens';
const el: HTMLElement = document.createElement('proflens-analyzer');
el.addEventListener('proflens-load', (e) => { const d: ProflensLoadDetail = e.detail; console.log(d.file, d.sampleTypes.length); });
const h: ProflensHandle = mount(el, { url: 'heap.pb.gz', view: 'flamegraph', sampleIndex: 1, filters: { focus: 'main' } });
h.setView('graph'); h.load(new Uint8Array(0), 'x.pb.gz'); h.destroy();
proflens.mount(el, {});
`,
  );
  const typeCheck = (file) =>
    spawnSync(
      join(ROOT, 'tests', 'e2e', 'node_modules', '.bin', 'tsc'),
      ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', file],
      { cwd: app, encoding: 'utf8' },
    );
  const tsc = typeCheck('host.ts');
  check(tsc.status === 0, `the package's types do not check a host's code:\n${tsc.stdout}${tsc.stderr}`);
  // And they catch a host's mistake: a view that does not exist.
  writeFileSync(join(app, 'wrong.ts'), `import { mount } from 'proflens';\nmount(document.body, { view: 'flames' });\n`);
  const wrong = typeCheck('wrong.ts');
  check(wrong.status !== 0 && /flames/.test(wrong.stdout), `tsc accepts view 'flames':\n${wrong.stdout}`);
  copyFileSync(HEAP2, join(app, 'profiles', 'heap.pb.gz'));
  writeFileSync(
    join(app, 'index.html'),
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>scratch portal</title>
<script type="importmap">{ "imports": { "proflens": "./node_modules/proflens/index.js" } }</script>
</head><body>
<proflens-analyzer id="element" src="profiles/heap.pb.gz" view="top" style="display:block;height:360px"></proflens-analyzer>
<div id="mounted" style="height:360px"></div>
<script type="module">
  import { mount } from 'proflens';
  const bytes = new Uint8Array(await (await fetch('profiles/heap.pb.gz')).arrayBuffer());
  mount(document.getElementById('mounted'), { bytes, name: 'held.pb.gz', view: 'top', sampleIndex: 'alloc_space' });
</script>
</body></html>`,
  );
  const server = await startServer(app);
  try {
    await page.goto(`${server.url}/index.html`);
    const names = (id) => page.locator(`#${id} [data-testid=top-table] tbody tr[data-row] td.name`);
    await names('element').first().waitFor({ timeout: 30_000 });
    const want = cliTop(HEAP2).rows.slice(0, 5).map((r) => r.name);
    const got = (await names('element').allTextContents()).slice(0, 5).map((t) => t.trim());
    check(JSON.stringify(got) === JSON.stringify(want), `the element shows ${got}, proflens top ${want}`);
    await names('mounted').first().waitFor({ timeout: 30_000 });
    const alloc = cliTop(HEAP2, ['--sample-index=alloc_space']).rows[0].name;
    check((await names('mounted').first().textContent()).trim() === alloc, `mount() with sampleIndex shows ${await names('mounted').first().textContent()}, not ${alloc}`);
    await shot('npm-package');
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------------------
// Hostile files (issue 11): every crafted input of proflens_tests::crafted,
// dropped on the page. Each ends in the report `proflens top` prints or in a
// clear error, and the page stays usable.

/** Writes the crafted files (once) and lists them with what they attack. */
function craftedFiles() {
  const dir = join(ARTIFACTS, 'crafted');
  if (!existsSync(join(dir, 'index.tsv'))) {
    const out = spawnSync('cargo', ['run', '-q', '-p', 'proflens-tests', '--example', 'write_crafted', '--', dir], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`writing the crafted files failed: ${out.stderr}`);
  }
  return readFileSync(join(dir, 'index.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => {
      const [name, about] = l.split('\t');
      return { name, about, path: join(dir, name) };
    });
}

/** What `proflens top` makes of a file: its rows, or null when it refuses it. */
function cliOutcome(path) {
  const out = spawnSync(cliPath(), ['top', path], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 30 });
  return out.status === 0 ? cliTop(path) : null;
}

// The floods of class 4 decode tens of megabytes each: they are spread over
// several tests so that each stays within its timeout.
const FLOOD_PARTS = 4;
const isFlood = (f) => f.about.startsWith('class 4');
for (const [part, pick] of [
  ['every class', (f) => !isFlood(f)],
  ...Array.from({ length: FLOOD_PARTS }, (_, k) => [
    `floods of repeated fields (class 4), part ${k + 1} of ${FLOOD_PARTS}`,
    (f, i) => isFlood(f) && i % FLOOD_PARTS === k,
  ]),
]) {
  test(`hostile files: ${part}, dropped on the page, end in proflens top's report or a clear error`, async ({ page, base, note }) => {
    await page.goto(`${base}/`);
    const heap2 = cliTop(HEAP2);
    let showing = null;
    const files = craftedFiles();
    const floods = files.filter(isFlood);
    for (const f of files.filter((f) => pick(f, floods.indexOf(f)))) {
      if (showing !== 'heap2') {
        await page.setInputFiles('#file-input', HEAP2);
        await waitForRows(page, heap2.rows, { what: `heap2 before ${f.name}` });
        showing = 'heap2';
      }
      const started = Date.now();
      await page.setInputFiles('#file-input', { name: f.name, mimeType: 'application/octet-stream', buffer: readFileSync(f.path) });
      // The page refuses profiles declaring thousands of sample types (its
      // Sample menu lists them all); the CLI reads them.
      const want = f.name === 'sample-types' ? null : cliOutcome(f.path);
      if (want) {
        if (want.rows.length) {
          await waitForRows(page, want.rows, { what: `${f.name} (${f.about})`, timeout: 60_000 });
        } else {
          // A report without rows: the legend is proflens' header (whose
          // empty lines cliTop drops), but for the page's cap on comments.
          const header = want.header.map((l) => l.trim()).join('\n');
          const shown = async () => (await legendLines(page)).filter((l) => l && !/^\(\d+ more comments not shown\)$/.test(l)).join('\n');
          await waitUntil(page, async () => (await shown()) === header || (await shown()), `no legend like proflens' for ${f.name}`, 60_000);
        }
        if (f.name.startsWith('comments')) {
          const lines = await legendLines(page);
          check(lines.length < 100 && lines.some((l) => /^\(\d+ more comments not shown\)$/.test(l)), `the legend of ${f.name} has ${lines.length} lines and no count of the comments left out`);
        } else {
          await checkLegend(page, want);
        }
        showing = f.name;
        note(`${f.name}: the report, in ${Date.now() - started} ms`);
      } else {
        const message = await waitForBanner(page, `${f.name} (${f.about})`);
        if (f.name === 'sample-types') {
          check(/declares \d+ sample types; the page shows profiles with at most 1024/.test(message), `${f.name}: ${message}`);
        }
        note(`${f.name}: “${message.slice(0, 100)}” in ${Date.now() - started} ms`);
        await waitForRows(page, heap2.rows, { what: `heap2, still shown after ${f.name}`, timeout: 5_000 });
        await page.click(`${BANNER} button`);
      }
    }
    // Still usable: another sample type of the profile shown.
    await page.setInputFiles('#file-input', HEAP2);
    await waitForRows(page, heap2.rows, { what: 'heap2 after every hostile file' });
    await page.selectOption(SAMPLE_MENU, 'alloc_space');
    await waitForRows(page, cliTop(HEAP2, ['--sample-index', 'alloc_space']).rows, { what: 'alloc_space after the hostile files' });
  }, { timeout: 300_000 });
}

// ---------------------------------------------------------------------------
// Text formats (issue 17): goroutine dumps, ?debug=1 text, perf script and
// collapsed stacks, recognised by content when dropped.

const CAPTURE = join(FIXTURES, 'go', 'capture');
const TEXT_FORMATS = [
  ['goroutine.debug2.txt', join(CAPTURE, 'goroutine.debug2.txt')],
  ['panic.txt', join(CAPTURE, 'panic.txt')],
  ['goroutine.debug1.txt', join(CAPTURE, 'goroutine.debug1.txt')],
  // (perf-cycles.perf has a frame named " ", which a table cell cannot
  // show apart from "": its numbers are checked by the CLI tests.)
  ['perf-cpu-clock.perf', join(FIXTURES, 'text', 'perf-cpu-clock.perf')],
  ['stacks.folded', join(ROOT, 'tests', 'golden', 'formats', 'perf-cycles.instructions.folded')],
];

test('text formats: a dropped goroutine dump shows proflens top, with its legend', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  const dump = TEXT_FORMATS[0][1];
  await dropFile(page, 'goroutine.debug2.txt', readFileSync(dump));
  const want = cliTop(dump);
  await waitForRows(page, want.rows, { what: 'the goroutine dump after a drop' });
  await checkLegend(page, want);
  check(
    (await selectValue(page, SAMPLE_MENU)) === 'goroutine',
    `the sample menu shows ${await selectValue(page, SAMPLE_MENU)}, expected goroutine`,
  );
  await shot('goroutine-dump');
});

test('text formats: panic, ?debug=1, perf script and collapsed stacks, each dropped, show proflens top', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  for (const [name, path] of TEXT_FORMATS.slice(1)) {
    await dropFile(page, name, readFileSync(path));
    const want = cliTop(path);
    await waitForRows(page, want.rows, { what: `${name} after a drop` });
    await checkLegend(page, want);
    await shot(`text-${name}`);
  }
  // Text in none of the formats: the banner says which were tried.
  await dropFile(page, 'notes.txt', Buffer.from('Dear diary,\ntoday the service was slow again.\n'));
  const text = await waitForBanner(page, 'a text file in no format');
  check(text.includes('perf script') && text.includes('collapsed stacks'), `the banner does not name the formats tried: ${text}`);
  await shot('text-unknown');
});

test('text formats: two goroutine dumps dropped together compare: the stack that gained goroutines', async ({ page, base, shot }) => {
  // A later dump: the captured one plus five more idle workers.
  const before = TEXT_FORMATS[0][1];
  const text = readFileSync(before, 'utf8');
  const idle = text.split('\n\n').find((b) => b.includes('main.idleWorker'));
  const body = idle.slice(idle.indexOf(' ['));
  let later = text;
  for (let i = 0; i < 5; i++) later += `\ngoroutine ${9000 + i}${body}\n`;
  // (Imported here to keep this block's changes to itself.)
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'proflens-dumps-'));
  const after = join(dir, 'later.txt');
  writeFileSync(after, later);
  try {
    await page.goto(`${base}/`);
    await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
    // Dumps carry no time: the first dropped is the base.
    await dropFiles(page, [['earlier.txt', Buffer.from(text)], ['later.txt', Buffer.from(later)]]);
    const want = cliTop(after, ['--diff-base', before]);
    check(want.rows[0].name === 'main.idleWorker' && want.rows[0].flat === '5', `proflens: ${JSON.stringify(want.rows[0])}`);
    await waitForRows(page, want.rows, { what: 'later.txt with base earlier.txt' });
    await shot('goroutine-diff');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('text formats: the Labels panel of a goroutine dump counts goroutines per state; a state focuses Top', async ({ page, base, shot }) => {
  await page.goto(`${base}/`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  const dump = TEXT_FORMATS[0][1];
  await dropFile(page, 'goroutine.debug2.txt', readFileSync(dump));
  await waitForRows(page, cliTop(dump).rows, { what: 'the goroutine dump' });
  await page.click('[data-testid=labels-toggle]');
  const value = (key, text) => page.locator(`[data-testid=label-value][data-key="${key}"][data-value="${text}"]`);
  const chan = value('state', 'chan receive');
  await chan.waitFor({ timeout: 20_000 });
  // From the dump's headers: 40 goroutines in chan receive, 2 in sync.Mutex.Lock.
  for (const [key, text, count] of [['state', 'chan receive', '40'], ['state', 'sync.Mutex.Lock', '2'], ['locked', 'true', '1']]) {
    const shown = (await value(key, text).locator('.num').first().textContent()).trim();
    check(shown === count, `the Labels panel shows ${shown} goroutines for ${key}=${text}, expected ${count}`);
  }
  await shot('goroutine-labels');
  const filter = await chan.getAttribute('data-filter');
  await chan.click();
  await waitForRows(page, cliTop(dump, ['--tagfocus', filter]).rows, { what: `Top with --tagfocus ${filter}` });
  await shot('goroutine-labels-focus');
});

async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
}

// ---------------------------------------------------------------------------
// Labels (issue 15): the Labels panel and pprof's tag options. The Go CPU
// fixture carries pprof.Do labels (worker, id); it is served under
// /fixtures/ so that a reload can fetch it again.

const CPU_URL = '/fixtures/go/cpu.pb.gz';

/** Opens the Labels panel and waits for the key's values. */
async function openLabels(page, key) {
  await page.click('[data-testid=labels-toggle]');
  await page.locator(`[data-testid=label-key][data-key="${key}"] [data-testid=label-value]`).first().waitFor({ timeout: 30_000 });
}

/** The panel's values of a key: [{ text, percent, filter }]. */
async function labelValues(page, key) {
  return page.$$eval(`[data-testid=label-key][data-key="${key}"] [data-testid=label-value]`, (bs) =>
    bs.map((b) => ({ text: b.dataset.value, percent: b.querySelector('.pct').textContent.trim(), filter: b.dataset.filter })),
  );
}

test('labels: clicking worker=sort gives proflens top --tagfocus numbers, alt-click ignores, chips remove', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=${CPU_URL}#top`);
  await waitForRows(page, cliTop(CPU).rows, { what: 'cpu' });
  await openLabels(page, 'worker');
  const values = await labelValues(page, 'worker');
  check(values.map((v) => v.text).join(',') === 'sort,hash,contender', `worker values, heaviest first: ${JSON.stringify(values)}`);
  check(values[0].percent === '44.33%', `worker=sort's share of the CPU total: ${values[0].percent}`);
  await shot('panel');

  await page.click('[data-testid=label-value][data-key=worker][data-value=sort]');
  const focused = cliTop(CPU, ['--tagfocus=worker=^sort$']);
  await waitForRows(page, focused.rows, { what: 'cpu focused on worker=sort' });
  await checkLegend(page, focused);
  await waitForFragment(page, { view: 'top', tf: 'worker=^sort$' });
  check((await page.locator('[data-testid=tag-chip][data-option=tagfocus]').count()) === 1, 'no tagfocus chip');
  await shot('focused');

  await page.click('[data-testid=label-value][data-key=worker][data-value=hash]', { modifiers: ['Alt'] });
  const ignored = cliTop(CPU, ['--tagfocus=worker=^sort$', '--tagignore=worker=^hash$']);
  await waitForRows(page, ignored.rows, { what: 'cpu ignoring worker=hash' });
  await waitForFragment(page, { view: 'top', tf: 'worker=^sort$', ti: 'worker=^hash$' });

  await page.click('[data-testid=tag-chip][data-option=tagfocus] [data-testid=chip-remove]');
  await page.click('[data-testid=tag-chip][data-option=tagignore] [data-testid=chip-remove]');
  await waitForRows(page, cliTop(CPU).rows, { what: 'cpu after removing the chips' });
  await waitForFragment(page, { view: 'top' });

  // Search within values, and a numeric key: heap2's bytes as a histogram.
  await page.fill('[data-testid=labels-search]', 'con');
  await waitUntil(page, async () => (await labelValues(page, 'worker')).length === 1 || 'search does not narrow', 'search within values');

  // A narrow window: the panel wraps, nothing overflows sideways.
  await page.setViewportSize({ width: 420, height: 800 });
  await page.fill('[data-testid=labels-search]', '');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `the page overflows by ${overflow}px at 420px wide with the Labels panel open`);
  await shot('narrow');
});

test('labels: group by worker shows the label frames in Top, Graph and Flame Graph', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=${CPU_URL}#top?sort=cum`);
  await waitForRows(page, cliTop(CPU, ['--cum']).rows, { what: 'cpu by cum' });
  await openLabels(page, 'worker');
  await page.click('[data-testid=label-key][data-key=worker] [data-testid=group-by]');
  const grouped = cliTop(CPU, ['--cum', '--tagroot=worker']);
  // The rows down to the hash frame (the table renders what fits on screen).
  const rows = await waitForRows(page, grouped.rows, { count: 30, what: 'cpu grouped by worker' });
  for (const worker of ['sort', 'hash']) {
    check(rows.some((r) => r.name === worker), `no ${worker} label frame in Top`);
  }
  await waitForFragment(page, { view: 'top', sort: 'cum', tagroot: 'worker' });
  await shot('top');
  await page.click('[data-view=graph]');
  const gnode = (name) => page.locator(`[data-testid=graph-view] g.gnode[data-name="${name}"]`);
  await gnode('sort').waitFor({ timeout: 30_000 });
  check((await gnode('hash').count()) === 1, 'the graph has no hash label frame');
  await shot('graph');
  await page.click('[data-view=flamegraph]');
  await page.locator('main canvas').first().waitFor({ timeout: 30_000 });
  await waitForFragment(page, { view: 'flamegraph', sort: 'cum', tagroot: 'worker' });
  await shot('flame');
});

test('labels: tag options survive a reload from the link, numeric ranges included', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top?tf=bytes%3D1kb:&th=bytes`);
  const want = cliTop(HEAP2, ['--tagfocus=bytes=1kb:', '--taghide=bytes']);
  await waitForRows(page, want.rows, { what: 'heap2 with tagfocus=bytes=1kb:' });
  await checkLegend(page, want);
  await openLabels(page, 'bytes');
  const sizes = await labelValues(page, 'bytes');
  check(sizes[0].text === '16B' && sizes.every((v) => v.filter.startsWith('bytes=')), `bytes histogram: ${JSON.stringify(sizes.slice(0, 3))}`);
  check(await page.locator('[data-testid=label-key][data-key=bytes].hidden').count() === 1, 'bytes is not marked hidden');
  await shot('before-reload');
  await page.reload();
  await waitForRows(page, want.rows, { what: 'heap2 after reload' });
  await waitForFragment(page, { view: 'top', tf: 'bytes=1kb:', th: 'bytes' });
  // A value clicked in the histogram selects exactly its samples.
  await openLabels(page, 'bytes');
  await page.click('[data-testid=label-value][data-key=bytes][data-value="48B"]');
  const b48 = cliTop(HEAP2, ['--tagfocus=bytes=48bytes', '--taghide=bytes']);
  await waitForRows(page, b48.rows, { what: 'heap2 focused on 48-byte objects' });
  await shot('48B');
});

test('labels: worker=sort against worker=hash through the diff view', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=${CPU_URL}#top`);
  await waitForRows(page, cliTop(CPU).rows, { what: 'cpu' });
  await openLabels(page, 'worker');
  await page.click('[data-testid=label-value][data-key=worker][data-value=sort]');
  await waitForRows(page, cliTop(CPU, ['--tagfocus=worker=^sort$']).rows, { what: 'cpu focused on worker=sort' });
  await page.click('[data-testid=label-compare][data-value=hash]');
  await waitForFragment(page, { view: 'top', tf: 'worker=^sort$', tagbase: 'worker=^hash$' });
  // The diff's flat values are sort's minus hash's: hash's hashing frame goes negative by what proflens
  // top --tagfocus=worker=^hash$ gives it, sort's sorting frames stay positive.
  const hash = cliTop(CPU, ['--tagfocus=worker=^hash$']).rows.find((r) => r.name === 'crypto/sha256.block');
  await waitUntil(page, async () => {
    const rows = await pageRows(page);
    const block = rows.find((r) => r.name === 'crypto/sha256.block');
    return (block && block.flat === `-${hash.flat}`) || `sha256.block shows ${JSON.stringify(block)}`;
  }, 'the diff view does not subtract worker=hash');
  const legend = (await page.locator('[data-testid=diff-legend]').textContent()).trim();
  check(legend.includes('worker=^sort$') && legend.includes('worker=^hash$'), `diff legend: ${legend}`);
  check((await page.locator('[data-testid=tag-chip][data-option=tagbase]').count()) === 1, 'no tagbase chip');
  await shot('diff');
  await page.click('[data-testid=tag-chip][data-option=tagbase] [data-testid=chip-remove]');
  await waitForRows(page, cliTop(CPU, ['--tagfocus=worker=^sort$']).rows, { what: 'cpu back on worker=sort' });
});

// ---- Issue 14: big profiles (scale branch) ----------------------------------

/** A generated CPU profile of a few MB (the shape of the 100 MB one), made
 *  once with core's synth example and kept in target/e2e-big. The debug
 *  build (`cargo test` already built it) writes the same file in seconds. */
function bigProfile() {
  const dir = join(ROOT, 'target', 'e2e-big');
  const name = 'synthetic-5MB.pb';
  const file = join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const made = spawnSync(
      'cargo',
      ['run', '-q', '-p', 'proflens-core', '--example', 'synth', '--', file, '40000', '8000', '40000'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`the synth example failed: ${made.stderr}`);
  }
  return { dir, name, file };
}

/** The report total of `file` in nanoseconds, from proflens top's header. */
function cliTotalNs(file) {
  const header = cliTop(file, ['--unit', 'ns', '--nodecount', '1']).header.join('\n');
  const m = /of (\d+)ns total/.exec(header);
  if (!m) throw new Error(`no total in proflens top's header:\n${header}`);
  return Number(m[1]);
}

test('big profile: a generated profile opened directly in #flamegraph draws its frames, built per zoom, with proflens\' total', async ({ page, base, shot, note }) => {
  const big = bigProfile();
  const server = await startServer(dist, { '/big/': big.dir });
  try {
    const started = Date.now();
    await page.goto(`${server.url}/?url=big/${big.name}#flamegraph`);
    const view = page.locator('[data-testid=flame-view]');
    const canvas = page.locator('[data-testid=flame-canvas]');
    await canvas.waitFor({ timeout: 60_000 });
    await waitUntil(page, async () => Number(await canvas.getAttribute('data-drawn')) > 50 || 'few frames drawn', 'the flame graph draws no frames', 60_000);
    note(`first paint ${Date.now() - started} ms after navigation; ${await canvas.getAttribute('data-drawn')} frames drawn of ${await view.getAttribute('data-frames')} built`);
    const total = cliTotalNs(big.file);
    check(Number(await view.getAttribute('data-root-total')) === total, `the root is ${await view.getAttribute('data-root-total')}, proflens top's total ${total}`);
    // Frames narrower than a pixel are merged, not built: far fewer than the profile's paths.
    check(Number(await view.getAttribute('data-frames')) < 100_000, `${await view.getAttribute('data-frames')} frames built`);
    check(await page.locator('[data-testid=flame-narrow]').isVisible(), 'no note on the merged narrow frames');
    await shot('big-flame');
    // Zoom into the first frame below the root: the worker builds that range.
    const box = await canvas.boundingBox();
    const before = Number(await view.getAttribute('data-frames'));
    await canvas.click({ position: { x: 4, y: 18 * 1 + 9 } });
    await waitUntil(page, async () => (await view.getAttribute('data-zoom')) !== null || 'not refined', 'zooming asks for no frames', 30_000);
    check(Number(await view.getAttribute('data-root-total')) === total, 'the zoomed graph has another root total');
    await waitUntil(page, async () => Number(await canvas.getAttribute('data-drawn')) > 10 || 'blank', 'the zoomed flame graph draws nothing', 30_000);
    note(`zoomed: ${await view.getAttribute('data-frames')} frames built (was ${before}), canvas ${Math.round(box.width)} px`);
    await shot('big-flame-zoomed');
  } finally {
    await server.close();
  }
});

test('big profile: a generated profile opened directly in #graph?nf=0 draws proflens dot\'s nodes with their values', async ({ page, shot, note }) => {
  const big = bigProfile();
  const server = await startServer(dist, { '/big/': big.dir });
  try {
    const started = Date.now();
    await page.goto(`${server.url}/?url=big/${big.name}#graph?nf=0`);
    const nodes = page.locator('[data-testid=graph-view] g.gnode:not(.nodelet)');
    await nodes.first().waitFor({ timeout: 60_000 });
    note(`graph drawn ${Date.now() - started} ms after navigation`);
    const dot = cli(['dot', '--nodefraction', '0', big.file]);
    // pprof's node tooltip: "NAME (CUM)".
    const want = [...dot.matchAll(/^N\d+ \[label="[^]*?tooltip="(.*) \(([^()]*)\)"/gm)].map((m) => ({ name: m[1].replace(/\\"/g, '"'), cum: m[2] }));
    check(want.length >= 10, `proflens dot --nodefraction 0 has ${want.length} nodes`);
    const got = await nodes.evaluateAll((gs) => gs.map((g) => ({ name: g.dataset.name, title: g.querySelector('title').textContent })));
    check(got.length === want.length, `the page draws ${got.length} nodes, proflens dot ${want.length}`);
    for (const w of want) {
      const g = got.find((n) => n.name === w.name);
      check(g, `${w.name} is not drawn`);
      check(g.title.includes(w.cum), `${w.name}: the page says "${g.title}", proflens dot's cum is ${w.cum}`);
    }
    await shot('big-graph-nf0');
  } finally {
    await server.close();
  }
});

// ---- Symbolization (issue 16): binaries with a profile, in the symbolizer worker ----

const RUST_CAPTURE = join(FIXTURES, 'rust', 'capture');
const SYMBOLIZE_SCRATCH = join(ROOT, 'target', 'e2e-symbolize');

/** `bytes`, gunzipped when gzip-compressed. */
function maybeGunzip(bytes) {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

function isElf(bytes) {
  return bytes.length > 4 && bytes[0] === 0x7f && bytes.toString('latin1', 1, 4) === 'ELF';
}

/**
 * The Rust capture: the address-only heap profile and its binary (written out
 * gunzipped under target/ when committed gzipped), and the CLI's
 * symbolization of them.
 */
function rustCapture() {
  check(existsSync(RUST_CAPTURE), `${RUST_CAPTURE} is missing (the address-only Rust profile and its binary)`);
  mkdirSync(SYMBOLIZE_SCRATCH, { recursive: true });
  let binary = null;
  let binaryFixture = null;
  let profile = null;
  for (const name of readdirSync(RUST_CAPTURE).sort()) {
    const path = join(RUST_CAPTURE, name);
    if (/\.(md|txt|golden)$/.test(name) || name.includes('symbolized')) continue;
    const bytes = readFileSync(path);
    const plain = maybeGunzip(bytes);
    if (isElf(plain)) {
      binary = join(SYMBOLIZE_SCRATCH, name.replace(/\.gz$/, ''));
      binaryFixture = [`rust/capture/${name}`, plain !== bytes];
      writeFileSync(binary, plain);
    } else if (name === 'heap.pb.gz') {
      profile = path;
    }
  }
  check(binary && profile, `${RUST_CAPTURE} has no ELF binary and address-only profile`);
  const symbolized = join(SYMBOLIZE_SCRATCH, 'cli.symbolized.pb.gz');
  cli(['symbolize', binary, profile, '-o', symbolized]);
  return { binary, binaryFixture, profile, symbolized, profileName: profile.split('/').pop(), binaryName: binary.split('/').pop() };
}

/** Names the flame graph shows in the column at the canvas's middle, root first. */
async function flameColumn(page) {
  const canvas = page.locator('[data-testid=flame-canvas]');
  await canvas.waitFor({ timeout: 30_000 });
  const box = await canvas.boundingBox();
  const names = [];
  for (let depth = 0; depth < 60 && 18 * (depth + 0.5) < box.height; depth++) {
    await page.mouse.move(box.x + box.width / 2, box.y + 18 * (depth + 0.5));
    const tip = await page.locator('[data-testid=flame-tooltip]').textContent({ timeout: 300 }).catch(() => null);
    if (tip === null) break;
    names.push(tip);
  }
  return names;
}

/**
 * Drops files the page fetches from the test server (`files`: [name, path
 * under /fixtures/, gunzip?]), as one drop: big binaries need no trip
 * through the test's own memory.
 */
async function dropFetched(page, files) {
  await page.evaluate(async (files) => {
    const transfer = new DataTransfer();
    for (const [name, path, gunzip] of files) {
      const response = await fetch(`/fixtures/${path}`);
      if (!response.ok) throw new Error(`/fixtures/${path}: ${response.status}`);
      const body = gunzip ? response.body.pipeThrough(new DecompressionStream('gzip')) : response.body;
      transfer.items.add(new File([await new Response(body).blob()], name));
    }
    const zone = document.querySelector('[data-testid=dropzone]');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }
  }, files);
}

async function bannerText(page) {
  await page.locator(BANNER).waitFor({ timeout: 60_000 });
  return (await page.locator(BANNER).textContent()).trim();
}

test('symbolize: the first load fetches no symbolizer; “Add binaries…” is offered once a profile shows', async ({ page, base, shot }) => {
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top`);
  await waitForRows(page, cliTop(HEAP2).rows, { what: 'heap2' });
  await page.locator('[data-testid=add-binaries]').waitFor();
  check((await page.locator('[data-testid=download-symbolized]').count()) === 0, 'a download is offered before symbolizing');
  const symbolizer = fetched.filter((u) => u.includes('symbolizer'));
  check(symbolizer.length === 0, `the first load fetched the symbolizer: ${symbolizer.join(', ')}`);
  await shot('add-binaries-button');
  // The Source view offers it too, next to the source files.
  await page.click('[data-view=source]');
  await page.locator('[data-testid=source-binaries]').waitFor({ state: 'attached' });
  await shot('source-add-binaries');
});

test('symbolize: “Add binaries…” refuses a file that is not an object file, and what is shown stays', async ({ page, base, shot }) => {
  await page.goto(`${base}/?url=samples/heap2.pb.gz#top`);
  const want = cliTop(HEAP2).rows;
  await waitForRows(page, want, { what: 'heap2' });
  await page.setInputFiles('[data-testid=binaries-input]', CPU);
  const text = await bannerText(page);
  check(text.includes('cpu.pb.gz: not an object file'), `the banner says ${JSON.stringify(text)}`);
  await waitForRows(page, want, { what: 'heap2 after the refused binary' });
  await shot('not-a-binary');
});

test('symbolize: an address-only Rust profile dropped with its binary shows named frames in Top and Flame Graph; the download is what proflens symbolize writes', async ({ page, base, shot }) => {
  const rust = rustCapture();
  const want = cliTop(rust.symbolized);
  check(want.rows.some((r) => r.name.includes('with_value')), `proflens symbolize names no with_value frame: ${want.rows.map((r) => r.name).join(', ')}`);
  const fetched = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto(`${base}/#top`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await dropFetched(page, [[rust.profileName, 'rust/capture/heap.pb.gz', false], [rust.binaryName, ...rust.binaryFixture]]);
  await waitForRows(page, want.rows, { what: 'the symbolized profile', timeout: 90_000 });
  check(fetched.some((u) => u.includes('proflens-symbolizer')), 'the symbolizer was not fetched');
  await checkLegend(page, want);
  check((await page.locator('header .file').textContent()).trim() === rust.profileName, 'the file name is not kept');
  const note = (await page.locator('[data-testid=symbolized-note] summary').textContent()).trim();
  check(new RegExp(`^Symbolized with ${rust.binaryName}: [1-9]\\d* locations named\\.$`).test(note), `the note says ${JSON.stringify(note)}`);
  check((await page.locator('[data-testid=symbolized-note] li').count()) >= 1, 'the note has no report lines');
  await shot('symbolized-top');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=download-symbolized]'),
  ]);
  const wantName = rust.profileName.replace(/\.pb\.gz$/, '') + '.symbolized.pb.gz';
  check(download.suggestedFilename() === wantName, `the download is named ${download.suggestedFilename()}, not ${wantName}`);
  const saved = join(SYMBOLIZE_SCRATCH, 'page.symbolized.pb.gz');
  await download.saveAs(saved);
  check(Buffer.compare(readFileSync(saved), readFileSync(rust.symbolized)) === 0,
    'the downloaded profile differs from what proflens symbolize writes for the same files');
  // go tool pprof reads it: its -top of the CLI's symbolization (tests/golden/symbolize) is what
  // proflens top says of the download.
  const golden = readFileSync(join(ROOT, 'tests', 'golden', 'symbolize', 'rust_heap_top.txt'), 'utf8');
  const ours = cli(['top', saved]);
  check(ours.trimEnd() === golden.trimEnd(), `proflens top of the download differs from go tool pprof -top (tests/golden/symbolize/rust_heap_top.txt):\n${ours}`);

  await page.click('[data-view=flamegraph]');
  await page.evaluate(() => { location.hash = '#flamegraph?f=with_value'; });
  let column = [];
  await waitUntil(page, async () => {
    column = await flameColumn(page);
    return column.some((t) => t.includes('with_value')) || `the column shows ${column.join(' / ')}`;
  }, 'the flame graph names no with_value frame');
  await shot('symbolized-flame');
});

test('symbolize: binaries added after the profile re-symbolize it', async ({ page, base, shot }) => {
  const rust = rustCapture();
  const want = cliTop(rust.symbolized);
  await page.goto(`${base}/#top`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await page.setInputFiles('#file-input', rust.profile);
  await waitForRows(page, cliTop(rust.profile).rows, { what: 'the address-only profile' });
  check(!(await pageRows(page)).some((r) => r.name.includes('with_value')), 'named before any binary');
  await shot('addresses');
  const headerHeight = () => page.locator('header.bar').evaluate((h) => h.getBoundingClientRect().height);
  const before = await headerHeight();
  await page.setInputFiles('[data-testid=binaries-input]', rust.binary);
  await waitForRows(page, want.rows, { what: 'the profile after Add binaries…', timeout: 90_000 });
  await page.locator('[data-testid=symbolized-note]').waitFor();
  const after = await headerHeight();
  check(after === before, `the header grew from ${before} to ${after} px when the profile was symbolized`);
  await shot('after-add-binaries');
});

test('symbolize: a binary that matches no mapping says so, naming both build IDs, and what is shown stays', async ({ page, base, shot }) => {
  const rust = rustCapture();
  // Another Rust binary: its GNU build ID is not the profile's.
  const other = join(SYMBOLIZE_SCRATCH, 'proflens');
  copyFileSync(cliPath(), other);
  const buildId = /^Build ID: ([0-9a-f]+)$/m.exec(cli(['top', rust.profile]))?.[1];
  check(buildId, 'the Rust profile names no build ID');
  await page.goto(`${base}/#top`);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await page.setInputFiles('#file-input', rust.profile);
  const want = cliTop(rust.profile).rows;
  await waitForRows(page, want, { what: 'the address-only profile' });
  await page.setInputFiles('[data-testid=binaries-input]', other);
  const text = await bannerText(page);
  check(text.startsWith(`Cannot symbolize ${rust.profileName} with proflens: nothing was symbolized: `), `the banner says ${JSON.stringify(text)}`);
  check(text.includes(`build ID mismatch: the profile's mapping has build ID ${buildId}, proflens has build ID `),
    `the banner does not name both build IDs: ${JSON.stringify(text)}`);
  await waitForRows(page, want, { what: 'the profile after the unmatched binary' });
  check((await page.locator('[data-testid=symbolized-note]').count()) === 0, 'the page says symbolized');
  check((await page.locator('[data-testid=download-symbolized]').count()) === 0, 'a download of a symbolized profile is offered');
  await shot('no-match');
});

test('symbolize: the single file symbolizes from file:// (the symbolizer is inline)', async ({ page, shot }) => {
  const rust = rustCapture();
  await page.goto(pathToFileURL(join(dist, 'proflens.html')).href);
  await page.locator('[data-testid=dropzone]').waitFor({ timeout: 20_000 });
  await page.setInputFiles('#file-input', [rust.profile, rust.binary]);
  await waitForRows(page, cliTop(rust.symbolized).rows, { what: 'the symbolized profile (single file)', timeout: 90_000 });
  await shot('single-file-symbolized');
});

async function main() {
  const selected = tests.filter((t) => !filters.length || filters.some((f) => t.name.includes(f)));
  if (!selected.length) {
    console.error(`no test matches ${filters.join(' ')}`);
    process.exit(2);
  }
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  // /fixtures/ serves the test profiles for ?url= (the Labels tests reload from it).
  const server = await startServer(dist, { '/fixtures/': FIXTURES });
  console.log(`serving ${dist} on ${server.url}; ${selected.length} browser tests`);
  const failed = [];
  for (const [n, t] of selected.entries()) {
    const started = Date.now();
    const { context, close } = await launchBrowser();
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    const problems = [];
    const notes = [];
    page.on('pageerror', (e) => problems.push(`uncaught exception in the page: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /panicked|RuntimeError|unreachable/.test(m.text())) {
        problems.push(`console error: ${m.text()}`);
      }
    });
    page.on('crash', () => problems.push('the page crashed'));
    let shots = 0;
    const prefix = `${String(n + 1).padStart(2, '0')}-${slug(t.name.split(':')[0])}`;
    const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${prefix}-${String(++shots).padStart(2, '0')}-${name}.png`) });
    let error = null;
    try {
      await withTimeout(t.fn({ page, base: server.url, shot, note: (s) => notes.push(s) }), t.timeout, t.name);
      if (problems.length) throw new Error(problems.join('\n'));
    } catch (e) {
      error = e;
      await page.screenshot({ path: join(ARTIFACTS, `${prefix}-FAILED.png`) }).catch(() => {});
    }
    await close();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (error) {
      failed.push(t.name);
      console.log(`FAIL  ${t.name} (${seconds}s)\n      ${String(error.message).replace(/\n/g, '\n      ')}`);
    } else {
      console.log(`ok    ${t.name} (${seconds}s)`);
    }
    for (const s of notes) console.log(`      ${s}`);
  }
  await server.close();
  console.log(`\n${selected.length - failed.length} passed, ${failed.length} failed; screenshots in ${ARTIFACTS}`);
  if (failed.length) {
    console.log(`failed:\n  ${failed.join('\n  ')}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
