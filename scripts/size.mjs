#!/usr/bin/env node
// Bundle-size check against the BUILT package (run `npm run build` first): for each entry of
// package.json "sizeLimit", bundle `import { <name> } from 'inference-aware-rl'` the way an app bundler
// would (esbuild: bundle, minify, esm, platform neutral, tree-shaking with "sideEffects": false), then
// check the minified and gzipped sizes against the budget, and that neither tfjs nor the wasm payload
// came along. Exit 1 on any violation. `--json` prints the measurements as JSON (used by the test).
import { build } from 'esbuild';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** "6 KB" → 6144 bytes (KB = 1024 bytes, as size-limit and bundlers report). */
function parseSize(text) {
  const m = /^\s*([\d.]+)\s*(B|KB|MB)\s*$/i.exec(text);
  if (!m) throw new Error(`sizeLimit: cannot parse size ${JSON.stringify(text)} (use e.g. "6 KB")`);
  return Math.round(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2].toLowerCase()]);
}

/** The ESM file the exports map gives for a subpath ('.', './tfjs'), as a bundler would pick it. */
function exportTarget(subpath) {
  let target = pkg.exports?.[subpath];
  while (target && typeof target === 'object') target = target.import ?? target.module ?? target.default;
  if (typeof target !== 'string') throw new Error(`package.json exports has no ESM target for ${subpath}`);
  return join(root, target);
}

/** Resolve the package's own name to dist/ through its exports map (esbuild would not self-reference). */
const selfPlugin = {
  name: 'self',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${pkg.name}(/.*)?$`) }, (args) => ({
      path: exportTarget(args.path === pkg.name ? '.' : `.${args.path.slice(pkg.name.length)}`),
    }));
  },
};

// "\0asm" (the wasm magic number) in base64, and any long base64 run: either means a wasm payload.
const WASM_MAGIC_BASE64 = 'AGFzbQ';
const LONG_BASE64 = /[A-Za-z0-9+/]{512,}={0,2}/;

// Strings only the worker pool (the /pool subpath and its worker script) contains.
const POOL_MARKERS = ['pool-worker', 'worker_threads', 'pool-check', 'createWorkerPool'];

/** Bundles `import { name } from 'inference-aware-rl' + subpath` (subpath '' for the root entry). */
export async function measure(name, subpath = '') {
  const entry = exportTarget('.');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const result = await build({
    stdin: { contents: `export { ${name} } from '${pkg.name}${subpath}';`, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [selfPlugin],
    // Marked external so a stray tfjs import shows up in the metafile instead of failing to resolve
    // (and node:worker_threads, which only the /pool subpath imports, so that it can be detected).
    external: ['@tensorflow/*', 'node:*'],
  });
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs).map((p) => p.replace(/\\/g, '/'));
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  return {
    name,
    minified: Buffer.byteLength(code),
    gzip: gzipSync(code, { level: 9 }).length,
    inputs,
    tfjs: imports.some((p) => p.startsWith('@tensorflow/')) || code.includes('@tensorflow/'),
    wasmPayload: code.includes(WASM_MAGIC_BASE64) || LONG_BASE64.test(code),
    pool: POOL_MARKERS.some((m) => code.includes(m)) || inputs.some((p) => p.startsWith('dist/pool')),
  };
}

export async function check() {
  const limits = pkg.sizeLimit ?? {};
  if (Object.keys(limits).length === 0) throw new Error('package.json has no "sizeLimit" entries');
  const rows = [];
  for (const [name, budget] of Object.entries(limits)) {
    const m = await measure(name);
    const minLimit = parseSize(budget.minified);
    const gzipLimit = parseSize(budget.gzip);
    const problems = [];
    if (m.minified > minLimit) problems.push(`minified ${m.minified} B > budget ${budget.minified}`);
    if (m.gzip > gzipLimit) problems.push(`gzip ${m.gzip} B > budget ${budget.gzip}`);
    if (m.tfjs) problems.push('pulls in @tensorflow/*');
    if (m.wasmPayload) problems.push('contains the wasm payload (base64)');
    if (m.pool) problems.push('contains the worker pool (inference-aware-rl/pool)');
    rows.push({ ...m, minLimit, gzipLimit, problems });
  }
  return rows;
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await check();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(rows));
  } else {
    console.log('| import | minified | budget | gzip | budget | status |');
    console.log('|---|---:|---:|---:|---:|---|');
    for (const r of rows) {
      const status = r.problems.length ? `FAIL: ${r.problems.join('; ')}` : 'ok';
      console.log(`| { ${r.name} } | ${kb(r.minified)} | ${kb(r.minLimit)} | ${kb(r.gzip)} | ${kb(r.gzipLimit)} | ${status} |`);
    }
  }
  if (rows.some((r) => r.problems.length)) process.exitCode = 1;
}
