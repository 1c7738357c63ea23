/**
 * The one-pass loo-1 form of best-of-N weights for groups without ties in score (js and wasm kernels):
 * bit for bit what the tie-block path gives on the same groups, on continuous scores (where no group
 * ties), rewards with −0 and +0, tiny and subnormal values, magnitudes at and above the rescale
 * threshold 2^990, ragged layouts, odd group counts and every k; mixed batches where some groups tie
 * and take the block path; and the kernels' own check of the rewards (non-finite, or a range whose
 * product with n overflows) gives the estimator's errors and its overflow rescue unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NonFiniteError, bestOfNAdvantage } from '../../src/index.js';
import { loadWasmBackend } from '../../src/backends/wasm/index.js';
import { bestOfNKernels, bestOfNWeightsViaBlocks } from '../../src/backends/js/best-of-n.js';
import { BaselineCode, type Backend } from '../../src/backends/types.js';
import { mulberry32 } from '../support/prng.js';

let wasm: Backend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

const LOO_1 = BaselineCode['loo-1'];

/** Counts the elements of a and b that differ as Object.is sees them (−0 ≠ +0, NaN = NaN). */
function bitDiffs(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

type Draw = (random: () => number) => number;
const REWARDS: [string, Draw][] = [
  ['uniform', (r) => r()],
  ['signed zeros and ones', (r) => [0, -0, 1, -1][Math.floor(r() * 4)] as number],
  ['tiny and subnormal', (r) => (r() - 0.5) * [1e-300, 5e-324, 1e-310, 1][Math.floor(r() * 4)]!],
  ['wide magnitudes', (r) => (r() - 0.5) * 10 ** (Math.floor(r() * 600) - 300)],
  ['at the rescale threshold', (r) => (r() < 0.5 ? -1 : 1) * 2 ** 990 * (1 + r())],
  ['above the threshold with tiny values', (r) => (r() < 0.2 ? 2 ** 991 : (r() - 0.5) * 1e-300)],
  ['one huge outlier', (r) => (r() < 0.05 ? 1e305 : r())],
  ['binary', (r) => (r() < 0.3 ? 1 : 0)],
];

function layout(random: () => number, n0: number, groups: number, ragged: boolean): Int32Array {
  const offsets = new Int32Array(groups + 1);
  for (let g = 0; g < groups; g++) offsets[g + 1] = (offsets[g] as number) + (ragged ? n0 + Math.floor(random() * 5) : n0);
  return offsets;
}

describe('best-of-N loo-1 weights of groups without ties', () => {
  it('the one-pass form gives the tie-block path’s bits on js and wasm (every k, both scales, ragged, odd counts)', () => {
    const random = mulberry32(181);
    let compared = 0;
    let untiedGroups = 0;
    for (const n0 of [2, 3, 8, 63, 64, 65, 1024]) {
      for (const [label, draw] of REWARDS) {
        for (const ragged of [false, true]) {
          const groups = n0 >= 1024 ? 3 : 7;
          const offsets = layout(random, n0, groups, ragged);
          const total = offsets[groups] as number;
          const scores = Float64Array.from({ length: total }, () => random() * 2 - 1);
          const rewards = Float64Array.from({ length: total }, () => draw(random));
          untiedGroups += groups;
          for (const k of new Set([2, 3, Math.min(8, n0), n0 - 1, n0].filter((x) => x >= 2))) {
            for (const scaleByN of [false, true]) {
              const viaBlocks = new Float64Array(total);
              const js = new Float64Array(total);
              const wa = new Float64Array(total);
              expect(bestOfNWeightsViaBlocks(scores, rewards, offsets, k, LOO_1, scaleByN, viaBlocks)).toBe(-1);
              expect(bestOfNKernels.bestOfNWeights(scores, rewards, offsets, k, LOO_1, scaleByN, js)).toBe(-1);
              expect(wasm.kernels.bestOfNWeights!(scores, rewards, offsets, k, LOO_1, scaleByN, wa)).toBe(-1);
              const where = `${label}, n = ${n0}${ragged ? ' ragged' : ''}, k = ${k}, scaleByN ${scaleByN}`;
              expect(bitDiffs(js, viaBlocks), where).toBe(0);
              expect(bitDiffs(wa, viaBlocks), where).toBe(0);
              compared += total;
            }
          }
        }
      }
    }
    expect(untiedGroups).toBeGreaterThan(300);
    expect(compared).toBeGreaterThan(100_000);
  });

  it('batches mixing tied and untied groups give the tie-block path’s bits', () => {
    const random = mulberry32(182);
    for (const [n0, ragged] of [[8, true], [64, true], [65, true], [8, false], [64, false], [65, false]] as const) {
      const groups = 9;
      const offsets = layout(random, n0, groups, ragged);
      const total = offsets[groups] as number;
      // Every third group has integer scores (ties), the others continuous ones: equal-size neighbours
      // pair up in the wasm kernel's two lanes, or one of them takes the block path.
      const scores = new Float64Array(total);
      for (let g = 0; g < groups; g++) {
        for (let i = offsets[g] as number; i < (offsets[g + 1] as number); i++) scores[i] = g % 3 === 0 ? Math.floor(random() * 4) : random();
      }
      const rewards = Float64Array.from({ length: total }, () => random() - 0.5);
      for (const k of [2, 5, 8]) {
        const viaBlocks = new Float64Array(total);
        const js = new Float64Array(total);
        const wa = new Float64Array(total);
        bestOfNWeightsViaBlocks(scores, rewards, offsets, k, LOO_1, false, viaBlocks);
        bestOfNKernels.bestOfNWeights(scores, rewards, offsets, k, LOO_1, false, js);
        wasm.kernels.bestOfNWeights!(scores, rewards, offsets, k, LOO_1, false, wa);
        expect(bitDiffs(js, viaBlocks), `n = ${n0}${ragged ? ' ragged' : ''}, k = ${k}`).toBe(0);
        expect(bitDiffs(wa, viaBlocks), `n = ${n0}${ragged ? ' ragged' : ''}, k = ${k}`).toBe(0);
      }
    }
  });

  it('equal-size neighbours in the two lanes: every pattern of tied, colliding and clean groups, and errors at any group', () => {
    // The wasm kernel runs two equal-size groups through one pass and redoes a group whose check fails
    // (tied scores, or distinct scores that share a quantised key in the wrong order) by the general
    // path, either lane, either both. Each group here draws one of those kinds at random.
    const random = mulberry32(183);
    const kinds = [
      (): number => random(),
      (): number => Math.floor(random() * 3),
      // Distinct scores a few ulps apart around 0.5, plus one far value that makes the range wide:
      // many share a key, in index order rather than value order.
      (): number => (random() < 0.05 ? 1e6 : 0.5 + Math.floor(random() * 64) * 2 ** -52),
    ];
    let redone = 0;
    for (const n0 of [8, 64, 65, 300]) {
      for (let trial = 0; trial < 12; trial++) {
        const groups = 2 + Math.floor(random() * 9);
        const offsets = layout(random, n0, groups, trial % 4 === 3);
        const total = offsets[groups] as number;
        const scores = new Float64Array(total);
        for (let g = 0; g < groups; g++) {
          const draw = kinds[Math.floor(random() * kinds.length)]!;
          if (draw !== kinds[0]) redone++;
          for (let i = offsets[g] as number; i < (offsets[g + 1] as number); i++) scores[i] = draw();
        }
        const rewards = Float64Array.from({ length: total }, () => random() - 0.5);
        for (const k of [2, 7]) {
          for (const scaleByN of [false, true]) {
            const viaBlocks = new Float64Array(total);
            const js = new Float64Array(total);
            const wa = new Float64Array(total);
            bestOfNWeightsViaBlocks(scores, rewards, offsets, k, LOO_1, scaleByN, viaBlocks);
            expect(bestOfNKernels.bestOfNWeights(scores, rewards, offsets, k, LOO_1, scaleByN, js)).toBe(-1);
            expect(wasm.kernels.bestOfNWeights!(scores, rewards, offsets, k, LOO_1, scaleByN, wa)).toBe(-1);
            const where = `n = ${n0}, trial ${trial}, k = ${k}, scaleByN ${scaleByN}`;
            expect(bitDiffs(js, viaBlocks), where).toBe(0);
            expect(bitDiffs(wa, viaBlocks), where).toBe(0);
          }
        }
        // A non-finite score, or rewards whose range overflows, in any one group: both kernels stop with
        // the same status at the same group (the second lane's group included).
        for (let bad = 0; bad < groups; bad++) {
          for (const fault of ['score', 'reward'] as const) {
            const s = Float64Array.from(scores);
            const r = Float64Array.from(rewards);
            const at = (offsets[bad] as number) + 1;
            if (fault === 'score') s[at] = NaN;
            else {
              r[at - 1] = -1e308;
              r[at] = 1e308;
            }
            const js = bestOfNKernels.bestOfNWeights(s, r, offsets, 2, LOO_1, false, new Float64Array(total));
            const wa = wasm.kernels.bestOfNWeights!(s, r, offsets, 2, LOO_1, false, new Float64Array(total));
            expect(wa, `n = ${n0}, trial ${trial}, bad ${fault} in group ${bad}`).toBe(js);
            expect(js).toBe(fault === 'score' ? at : -2);
          }
        }
      }
    }
    expect(redone).toBeGreaterThan(50);
  });

  it('the kernels report rewards out of range (−2) and the estimator keeps its errors and its rescue', () => {
    const scores = [0.1, 0.5, 0.3, 0.9, 0.2, 0.7];
    const offsets = Int32Array.of(0, 3, 6);
    const out = new Float64Array(6);
    const backends = [bestOfNKernels.bestOfNWeights, wasm.kernels.bestOfNWeights!];
    for (const run of backends) {
      expect(run(scores, [0, 1, 2, NaN, 4, 5], offsets, 2, LOO_1, false, out)).toBe(-2);
      expect(run(scores, [-1e308, 1e308, 0, 1, 2, 3], offsets, 2, LOO_1, false, out)).toBe(-2);
      expect(run(scores, [-1e308, 1e308, 0, 1, 2, 3], offsets, 2, BaselineCode.none, false, out)).toBe(-2);
      expect(run(scores, [1e300, 2e300, 0, 1, 2, 3], offsets, 2, LOO_1, false, out)).toBe(-1);
      expect(run([0.1, NaN, 0.3, 0.9, 0.2, 0.7], [0, 1, 2, 3, 4, NaN], offsets, 2, LOO_1, false, out)).toBe(1);
    }
    for (const backend of ['js', 'wasm']) {
      const s = Float64Array.from(scores);
      // A non-finite reward is refused with the array check's error, before a non-finite score.
      const bad = Float64Array.of(0, 1, 2, 3, 4, NaN);
      const call = (): unknown => bestOfNAdvantage(Float64Array.of(0.1, NaN, 0.3, 0.9, 0.2, 0.7), bad, 2, { groupSize: 3, backend });
      expect(call).toThrow(NonFiniteError);
      expect(call).toThrow(/^rewards must be finite \(got NaN at index 5\)/);
      // A range that overflows: the rescued weights, finite and the same on both backends.
      const huge = Float64Array.of(-1e308, 1e308, 0, 1, 2, 3);
      const w = bestOfNAdvantage(s, huge, 2, { groupSize: 3, backend });
      expect(Array.from(w).every(Number.isFinite)).toBe(true);
      expect(bitDiffs(w, bestOfNAdvantage(s, huge, 2, { groupSize: 3, backend: 'js' }))).toBe(0);
    }
  });
});
