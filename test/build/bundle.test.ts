/**
 * What `import { passAtKAdvantage } from 'inference-aware-rl'` pulls into an app bundle: bundled from the
 * built dist/ the way scripts/size.mjs does (esbuild, esm, tree-shaking with "sideEffects": false), but
 * unminified so function names survive, it must define no function of another family: no kernel other
 * than pass@k's own (the kernel names of src/backends/types.ts minus the pass@k js table), and no
 * function exported by another family's estimator or js kernel file or by the shared sort kernels
 * (the files of CONTRIBUTING.md's family table). The lists are derived, so a new kernel or estimator is
 * covered without editing this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_NAMES } from '../../src/backends/types.js';
import { binaryWeightKernels, passAtKKernels } from '../../src/backends/js/pass-at-k.js';
import { readLayout } from '../support/contributing.js';
import { ensureBuilt, root } from './dist.js';

/** The family whose bundle is checked, and the shared files it may use (everything else is foreign). */
const FAMILY = 'pass-at-k';
const SORT_KERNELS = 'src/backends/js/sort.ts';

/** Bundles `code` (ESM importing from dist/) unminified, as an app bundler would. */
async function bundle(code: string): Promise<string> {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: ['@tensorflow/*'],
  });
  return result.outputFiles[0]!.text;
}

/** The ESM file package.json "exports" gives for the root entry. */
function rootEntry(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: { '.': { import: { default: string } } } };
  return `./${pkg.exports['.'].import.default.replace(/^\.\//, '')}`;
}

/** Names of the functions a module defines for others: function exports, and the functions of exported tables. */
async function functionNames(file: string): Promise<string[]> {
  const m = (await import(pathToFileURL(join(root, file)).href)) as Record<string, unknown>;
  const names = new Set<string>();
  for (const [key, value] of Object.entries(m)) {
    if (typeof value === 'function') names.add(key);
    else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Array.isArray(value)) {
      const fns = Object.values(value).filter((v): v is (...a: unknown[]) => unknown => typeof v === 'function');
      if (fns.length > 0) {
        names.add(key); // e.g. bestOfNKernels
        for (const fn of fns) if (fn.name !== '') names.add(fn.name);
      }
    }
  }
  return [...names];
}

/** The foreign names defined in `code` (a function, class or variable declaration; esbuild may suffix a digit). */
function definitions(code: string, names: Iterable<string>): string[] {
  const found: string[] = [];
  for (const name of names) {
    const re = new RegExp(`(?:\\bfunction\\s+|\\bclass\\s+|\\b(?:var|let|const)\\s+)${name}\\d*\\s*[=({]`);
    if (re.test(code)) found.push(name);
  }
  return found.sort();
}

let foreign: Map<string, string>;
let ownEstimator: string[];
let code: string;

beforeAll(async () => {
  await ensureBuilt();
  const { families } = readLayout();
  const own = families.find((f) => f.name === FAMILY);
  if (own === undefined) throw new Error(`CONTRIBUTING.md has no ${FAMILY} row`);
  const ownFiles = new Set([...own.files.estimator, ...own.files.js]);
  ownEstimator = (await Promise.all(own.files.estimator.map(functionNames))).flat();
  foreign = new Map<string, string>();
  const ownKernels = new Set([...Object.keys(passAtKKernels), ...Object.keys(binaryWeightKernels)]);
  for (const k of KERNEL_NAMES) if (!ownKernels.has(k)) foreign.set(k, 'kernel name');
  const files = new Set<string>([SORT_KERNELS]);
  for (const f of families) {
    if (f.name === FAMILY) continue;
    // The tfjs adapters are a separate entry point (and import tfjs): not reachable from the root.
    for (const p of [...f.files.estimator, ...f.files.js]) if (p.startsWith('src/') && !p.startsWith('src/tfjs/') && !ownFiles.has(p)) files.add(p);
  }
  for (const file of files) for (const name of await functionNames(file)) if (!foreign.has(name)) foreign.set(name, file);
  code = await bundle(`export { passAtKAdvantage } from '${rootEntry()}';`);
}, 300_000);

describe("bundle of `import { passAtKAdvantage } from 'inference-aware-rl'`", () => {
  it('derives a real list of foreign kernels and estimators, and finds pass@k itself in the bundle', () => {
    const names = [...foreign.keys()];
    for (const n of ['bestOfNWeights', 'bestOfNMetric', 'segmentedArgsort', 'sortedMaxMetric', 'orderStatisticWeights', 'majorityAtK', 'maxAtKWeights']) {
      expect(names, n).toContain(n);
    }
    expect(names.length).toBeGreaterThan(40);
    // The bundle holds pass@k's own kernels and estimator (so the pattern does match definitions).
    expect(definitions(code, ['binaryWeights'])).toEqual(['binaryWeights']);
    expect(definitions(code, ownEstimator).length).toBeGreaterThan(0);
  });

  it('defines no kernel, estimator or sort function of another family', () => {
    const found = definitions(code, foreign.keys()).map((n) => `${n} (${foreign.get(n)})`);
    expect(found).toEqual([]);
  });

  it('would catch one: bundling bestOfNAdvantage alongside finds the best-of-N and sort kernels', async () => {
    const both = await bundle(`export { passAtKAdvantage, bestOfNAdvantage } from '${rootEntry()}';`);
    const found = definitions(both, foreign.keys());
    expect(found).toContain('bestOfNWeights');
    expect(found).toContain('bestOfNMetric');
    expect(found).toContain('segmentedArgsort');
  });
});
