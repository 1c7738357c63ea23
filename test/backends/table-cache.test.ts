/**
 * The wasm weight kernels keep the μ(n, k) tables (and best-of-N's ν and μ(n − 1, ·)) of a call's group
 * sizes in a direct-mapped cache (slot n mod 16, or mod 2 for groups over 4096), so that batches of
 * mixed sizes do not recompute them at every change of size. Whatever the order of the sizes — sizes
 * that share a slot, n next to n − 1 (whose μ is another size's μ(n − 1, ·)), many sizes, groups over
 * 4096 — the weights are the js kernels' bits, for every baseline and both scales; so are the metric
 * kernels' values (max@k, best-of-N) and best-of-N's selection probabilities, which use the same cache.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWasmBackend } from '../../src/backends/wasm/index.js';
import { maxAtKKernels } from '../../src/backends/js/max-at-k.js';
import { bestOfNKernels } from '../../src/backends/js/best-of-n.js';
import { BaselineCode, type Backend } from '../../src/backends/types.js';
import { mulberry32 } from '../support/prng.js';

let wasm: Backend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

function bitDiffs(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

function offsetsOf(sizes: number[]): Int32Array {
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((n, g) => (offsets[g + 1] = (offsets[g] as number) + n));
  return offsets;
}

const random = mulberry32(191);
const LAYOUTS: [string, number[]][] = [
  ['sizes sharing a slot, alternating', [8, 24, 8, 24, 40, 8, 24, 40, 40, 8]],
  ['n next to n − 1', [17, 16, 17, 16, 16, 15, 17, 15, 16, 17]],
  ['many sizes at random', Array.from({ length: 40 }, () => 4 + Math.floor(random() * 60))],
  ['groups over 4096 among small ones', [5000, 9, 4999, 5001, 10, 4999, 5000, 8]],
];
const BASELINES = Object.entries(BaselineCode) as [string, BaselineCode][];

describe('the wasm kernels’ table cache', () => {
  it('max@k weights: the js kernel’s bits on batches of mixed sizes', () => {
    for (const [label, sizes] of LAYOUTS) {
      const offsets = offsetsOf(sizes);
      const total = offsets[sizes.length] as number;
      // Continuous values, with a few groups of ties (which take the general path).
      const values = Float64Array.from({ length: total }, (_, i) => (i % 7 === 0 ? Math.floor(random() * 3) : random()));
      for (const k of [2, 4]) {
        for (const [name, baseline] of BASELINES) {
          for (const scaleByN of [false, true]) {
            const js = new Float64Array(total);
            const wa = new Float64Array(total);
            expect(maxAtKKernels.maxAtKWeights(values, offsets, k, baseline, scaleByN, js)).toBe(-1);
            expect(wasm.kernels.maxAtKWeights!(values, offsets, k, baseline, scaleByN, wa)).toBe(-1);
            expect(bitDiffs(wa, js), `${label}, k = ${k}, ${name}, scaleByN ${scaleByN}`).toBe(0);
          }
        }
      }
    }
  });

  it('best-of-N weights: the js kernel’s bits on batches of mixed sizes, tied scores included', () => {
    for (const [label, sizes] of LAYOUTS) {
      const offsets = offsetsOf(sizes);
      const total = offsets[sizes.length] as number;
      // Every third group's scores on 3 levels (ties: the block path, which also reads μ(n − 1, ·)).
      const scores = new Float64Array(total);
      sizes.forEach((_, g) => {
        for (let i = offsets[g] as number; i < (offsets[g + 1] as number); i++) scores[i] = g % 3 === 1 ? Math.floor(random() * 3) : random();
      });
      const rewards = Float64Array.from({ length: total }, () => random() - 0.5);
      for (const k of [2, 4]) {
        for (const [name, baseline] of BASELINES) {
          for (const scaleByN of [false, true]) {
            const js = new Float64Array(total);
            const wa = new Float64Array(total);
            expect(bestOfNKernels.bestOfNWeights!(scores, rewards, offsets, k, baseline, scaleByN, js)).toBe(-1);
            expect(wasm.kernels.bestOfNWeights!(scores, rewards, offsets, k, baseline, scaleByN, wa)).toBe(-1);
            expect(bitDiffs(wa, js), `${label}, k = ${k}, ${name}, scaleByN ${scaleByN}`).toBe(0);
          }
        }
      }
    }
  });

  it('the max@k and best-of-N metrics and best-of-N selection: the js kernels’ values on batches of mixed sizes', () => {
    for (const [label, sizes] of LAYOUTS) {
      const offsets = offsetsOf(sizes);
      const groups = sizes.length;
      const total = offsets[groups] as number;
      const values = Float64Array.from({ length: total }, (_, i) => (i % 5 === 0 ? Math.floor(random() * 3) : random()));
      const sorted = new Float64Array(total);
      for (let g = 0; g < groups; g++) sorted.set(values.slice(offsets[g], offsets[g + 1]).sort(), offsets[g] as number);
      const rewards = Float64Array.from({ length: total }, () => random() - 0.5);
      for (const k of [1, 3]) {
        const js = new Float64Array(groups);
        const wa = new Float64Array(groups);
        maxAtKKernels.sortedMaxMetric(sorted, offsets, k, js);
        wasm.kernels.sortedMaxMetric!(sorted, offsets, k, wa);
        expect(bitDiffs(wa, js), `max@k metric, ${label}, k = ${k}`).toBe(0);
        bestOfNKernels.bestOfNMetric(values, rewards, offsets, k, js);
        wasm.kernels.bestOfNMetric!(values, rewards, offsets, k, wa);
        expect(bitDiffs(wa, js), `best-of-N metric, ${label}, k = ${k}`).toBe(0);
        for (const withReplacement of [false, true]) {
          const pj = new Float64Array(total);
          const pw = new Float64Array(total);
          bestOfNKernels.bestOfNSelection(values, offsets, k, withReplacement, pj);
          wasm.kernels.bestOfNSelection!(values, offsets, k, withReplacement, pw);
          const where = `best-of-N selection, ${label}, N = ${k}, with replacement ${withReplacement}`;
          // With replacement the probabilities go through pow, expm1 and log1p, whose last bits differ
          // between V8's and the wasm module's implementations; without, they are μ tables: same bits.
          if (withReplacement) pw.forEach((x, i) => expect(Math.abs(x - (pj[i] as number)), where).toBeLessThanOrEqual(1e-12 * Math.abs(pj[i] as number)));
          else expect(bitDiffs(pw, pj), where).toBe(0);
        }
      }
    }
  });
});
