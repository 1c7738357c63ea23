/**
 * The built ESM package in a real browser: Debian's headless Chromium (driven by playwright-core) loads
 * dist/ from a loopback HTTP server started here, computes a fixed batch on the js backend and on the
 * wasm backend (`await loadWasmBackend()`), and must give the same numbers as Node.
 *
 * No Chromium: skipped with a loud message locally, a failure when `CI` is set (.ci/run installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dist, ensureBuilt, root } from '../build/dist.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
/** The wasm backend is part of the package once its sources exist; from then on it must load. */

if (!haveChromium && !inCI) {
  console.warn(
    `\n${'!'.repeat(78)}\n!! test/browser: ${CHROMIUM} not found, SKIPPING the real-browser test.\n` +
      `!! Install it with: apt-get install -y chromium   (CI installs it and fails without it)\n${'!'.repeat(78)}\n`,
  );
}

/** A fixed batch: 32 groups of 12, binary rewards for pass@k and continuous ones for max@k / GRPO. */
function fixedBatch(): { binary: number[]; continuous: number[]; groupSize: number; k: number } {
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const n = 32 * 12;
  const continuous = Array.from({ length: n }, () => Math.round(next() * 1000) / 1000);
  const binary = continuous.map((x) => (x < 0.3 ? 1 : 0));
  return { binary, continuous, groupSize: 12, k: 4 };
}
type Batch = ReturnType<typeof fixedBatch>;
type Results = Record<string, number[]>;

/** Runs in Node and, serialised by playwright, in the page: the same code on both sides. */
function compute(m: Record<string, (...a: unknown[]) => unknown>, b: Batch, backend: string): Results {
  const arr = (x: unknown) => Array.from(x as ArrayLike<number>);
  const opts = { groupSize: b.groupSize, backend };
  return {
    passAtKAdvantage: arr(m.passAtKAdvantage!(b.binary, b.k, opts)),
    passAtKAdvantageLoo: arr(m.passAtKAdvantage!(b.binary, b.k, { ...opts, baseline: 'loo' })),
    maxAtKAdvantage: arr(m.maxAtKAdvantage!(b.continuous, b.k, opts)),
    maxAtK: arr(m.maxAtK!(b.continuous, b.k, opts)),
    grpoAdvantage: arr(m.grpoAdvantage!(b.continuous, opts)),
  };
}

/** Entries of `actual` that differ from `expected` by more than 1e-12 relative (1e-12 absolute near 0). */
function mismatches(actual: Results, expected: Results): string[] {
  const out: string[] = [];
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected)) {
    const got = actual[name]!;
    if (got.length !== values.length) out.push(`${name}: length ${got.length} ≠ ${values.length}`);
    values.forEach((e, i) => {
      const g = got[i]!;
      if (!(Math.abs(g - e) <= 1e-12 * Math.max(1, Math.abs(e)))) out.push(`${name}[${i}]: ${g} ≠ ${e}`);
    });
  }
  return out;
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>inference-aware-rl browser test</title>
<script type="importmap">{ "imports": { "inference-aware-rl": "/dist/index.js" } }</script>
<script type="module">
  import * as iarl from 'inference-aware-rl';
  window.iarl = iarl;
  window.ready = true;
</script>`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
};

let server: Server | undefined;
let origin: string;
const requested: string[] = [];
let userDataDir: string | undefined;
let context: BrowserContext | undefined;
let page: Page;
const pageErrors: string[] = [];
const batch = fixedBatch();

async function startServer(): Promise<void> {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requested.push(path);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html']! }).end(PAGE);
      return;
    }
    const file = normalize(join(dist, decodeURIComponent(path.replace(/^\/dist\//, ''))));
    if (!path.startsWith('/dist/') || !file.startsWith(dist + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.skipIf(!haveChromium && !inCI)('the built package in headless Chromium', () => {
  let node: { js: Results; wasm: Results | null };
  let browser: { js: Results; wasm: Results | null; backends: string[]; defaultAfterSet: string } | undefined;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run must install chromium`);
    await ensureBuilt();

    // Node: the same built file the page loads.
    const m = (await import(pathToFileURL(join(dist, 'index.js')).href)) as Record<string, (...a: unknown[]) => unknown>;
    expect(typeof m.loadWasmBackend, 'loadWasmBackend must be exported by the built package').toBe('function');
    await m.loadWasmBackend!();
    node = { js: compute(m, batch, 'js'), wasm: compute(m, batch, 'wasm') };

    await startServer();
    userDataDir = mkdtempSync(join(tmpdir(), 'iarl-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 60_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 30_000 });

    browser = await page.evaluate(
      async ({ src, b, wasm }) => {
        const iarl = (window as unknown as { iarl: Record<string, (...a: unknown[]) => unknown> }).iarl;
        // eslint-disable-next-line no-new-func -- the shared compute() travels as source text
        const run = new Function(`return (${src})`)() as typeof compute;
        const js = run(iarl, b, 'js');
        let wasmResults = null;
        let defaultAfterSet = '';
        if (wasm) {
          // Rejects (and so fails the test) when the wasm backend cannot load in the page.
          await (iarl.loadWasmBackend as () => Promise<unknown>)();
          wasmResults = run(iarl, b, 'wasm');
          (iarl.setBackend as (n: string) => void)('wasm');
          defaultAfterSet = (iarl.getBackend as () => { name: string })().name;
          (iarl.setBackend as (n: string) => void)('js');
        }
        return { js, wasm: wasmResults, backends: (iarl.listBackends as () => string[])(), defaultAfterSet };
      },
      { src: compute.toString(), b: batch, wasm: true },
    );
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('loads dist/index.js over HTTP without page errors', () => {
    expect(requested).toContain('/dist/index.js');
    expect(pageErrors).toEqual([]);
  });

  it('computes the fixed batch on the js backend as Node does (to 1e-12)', () => {
    expect(browser!.js.passAtKAdvantage).toHaveLength(batch.binary.length);
    expect(browser!.js.maxAtK).toHaveLength(batch.binary.length / batch.groupSize);
    // Not bit-exact: Chromium's V8 and Node's may round Math.log1p / Math.exp differently in the last bit.
    expect(mismatches(browser!.js, node.js)).toEqual([]);
  });

  it('loads the wasm backend in the page (await loadWasmBackend())', () => {
    expect(browser!.backends).toContain('wasm');
    expect(browser!.defaultAfterSet).toBe('wasm');
    // The payload lives in a lazily imported chunk: loading the backend must have fetched more than the entry.
    expect(requested.filter((p) => p.startsWith('/dist/') && p.endsWith('.js') && p !== '/dist/index.js').length).toBeGreaterThan(0);
  });

  it('computes the fixed batch on the wasm backend as Node does (and as the js backend, to 1e-12)', () => {
    expect(browser!.wasm).not.toBeNull();
    expect(mismatches(browser!.wasm!, node.wasm!)).toEqual([]);
    expect(mismatches(browser!.wasm!, node.js)).toEqual([]);
  });
});
