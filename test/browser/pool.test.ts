/**
 * The built worker pool (dist/pool.js) in headless Chromium: Web Workers started from
 * `new URL('./pool-worker.js', import.meta.url)`, on a cross-origin-isolated page (SharedArrayBuffer)
 * and on an ordinary one (transferred copies). Each must return the direct call's bits and reject a bad
 * argument with the library's typed error.
 *
 * No Chromium: skipped with a loud message locally, a failure when `CI` is set (as test/browser/browser.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dist, ensureBuilt } from '../build/dist.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

if (!haveChromium && !inCI) console.warn(`\n!! test/browser/pool: ${CHROMIUM} not found, SKIPPING the real-browser pool test.\n`);

/** The page under `prefix` ('' or '/iso'): runs a pool of 2 workers and reports. */
const page = (prefix: string): string => `<!doctype html>
<meta charset="utf-8">
<title>inference-aware-rl pool browser test</title>
<script type="importmap">{ "imports": { "inference-aware-rl": "${prefix}/dist/index.js", "inference-aware-rl/pool": "${prefix}/dist/pool.js" } }</script>
<script type="module">
  import * as iarl from 'inference-aware-rl';
  import { createWorkerPool } from 'inference-aware-rl/pool';
  window.run = async () => {
    const g = Float64Array.from({ length: 64 * 300 }, (_, i) => Math.sin(i * 1.7) * 3);
    const pool = createWorkerPool({ workers: 2, inlineBelow: 0 });
    const w = await pool.maxAtKWeights(g, 8, { groupSize: 64 });
    const d = iarl.maxAtKWeights(g, 8, { groupSize: 64 });
    const m = await pool.maxAtK(g, 8, { groupSize: 64 });
    const dm = iarl.maxAtK(g, 8, { groupSize: 64 });
    let error = null;
    try { await pool.maxAtKWeights(g, 65, { groupSize: 64 }); } catch (e) {
      error = { name: e.name, typed: e instanceof iarl.InferenceAwareRLError, message: e.message };
    }
    const report = {
      isolated: globalThis.crossOriginIsolated === true,
      sameBits: w.length === d.length && w.every((x, i) => Object.is(x, d[i])) && m.every((x, i) => Object.is(x, dm[i])),
      stats: { ...pool.stats },
      error,
    };
    await pool.close();
    return report;
  };
  window.ready = true;
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json', '.html': 'text/html' };

let server: Server | undefined;
let origin: string;
const requested: string[] = [];
let userDataDir: string | undefined;
let context: BrowserContext | undefined;
const pageErrors: string[] = [];

async function startServer(): Promise<void> {
  server = createServer((req, res) => {
    let path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requested.push(path);
    // Everything under /iso/ is served cross-origin isolated (COOP + COEP), so SharedArrayBuffer exists.
    const iso = path.startsWith('/iso/');
    const headers: Record<string, string> = iso
      ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
      : {};
    if (iso) path = path.slice('/iso'.length);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.html']! }).end(page(iso ? '/iso' : ''));
      return;
    }
    const file = normalize(join(dist, decodeURIComponent(path.replace(/^\/dist\//, ''))));
    if (!path.startsWith('/dist/') || !file.startsWith(dist + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Report {
  isolated: boolean;
  sameBits: boolean;
  stats: { workers: number; inline: number; redone: number };
  error: { name: string; typed: boolean; message: string } | null;
}

async function runOn(p: Page, url: string): Promise<Report> {
  await p.goto(url);
  await p.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 30_000 });
  return p.evaluate(() => (window as unknown as { run: () => Promise<Report> }).run());
}

describe.skipIf(!haveChromium && !inCI)('the built worker pool in headless Chromium', () => {
  const reports: Record<string, Report> = {};

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI is set but ${CHROMIUM} is missing`);
    await ensureBuilt();
    await startServer();
    userDataDir = mkdtempSync(join(tmpdir(), 'iarl-chromium-pool-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
    const p = context.pages()[0] ?? (await context.newPage());
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    p.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    reports.isolated = await runOn(p, `${origin}/iso/`);
    reports.plain = await runOn(p, `${origin}/`);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('starts dist/pool-worker.js as a module Web Worker, without page errors', () => {
    expect(requested).toContain('/dist/pool-worker.js');
    expect(requested).toContain('/iso/dist/pool-worker.js');
    expect(pageErrors).toEqual([]);
  });

  it.each([
    ['isolated', true],
    ['plain', false],
  ] as const)('on the %s page, computes on the workers with the direct call’s bits', (which, isolated) => {
    const r = reports[which]!;
    expect(r.isolated).toBe(isolated);
    expect(r.sameBits).toBe(true);
    expect(r.stats).toEqual({ workers: 2, inline: 0, redone: 0 });
  });

  it.each(['isolated', 'plain'])('on the %s page, rejects k > n with the typed error before posting work', (which) => {
    expect(reports[which]!.error).toEqual({ name: 'DomainError', typed: true, message: 'k must be ≤ n (got k=65, n=64 in group 0)' });
  });
});
