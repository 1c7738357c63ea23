// The fused binary kernel (count and write in one pass per group) against the two-kernel path it replaced
// (binaryCounts, per-group weights, binaryScatter), kept here as the reference: the same bits on random
// layouts, every baseline and scale, both backends, every input type, float64 and float32 outputs.
import { beforeAll, describe, expect, it } from 'vitest';
import { bonRlBinaryAdvantage, chenPassAtKAdvantage, passAtKAdvantage, passHatKAdvantage, registerBackend } from '../../src/index.js';
import { binaryPassWeights, countCorrect, scatterByCounts } from '../../src/estimators/pass-at-k.js';
import { resolveLayout } from '../../src/groups.js';
import type { Baseline } from '../../src/estimators/weights.js';
import { binaryPassHatWeights } from '../../src/estimators/pass-hat-k.js';
import { failAtKUnchecked } from '../../src/combinatorics.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { jsBackend } from '../../src/backends/js/index.js';
import type { Backend } from '../../src/backends/types.js';
import { BASELINES } from '../../src/estimators/weights.js';
import { mulberry32 } from '../support/prng.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});
const backendOf = (name: 'js' | 'wasm'): Backend => (name === 'wasm' ? wasm : jsBackend);

/** The pre-fusion estimator: counts kernel, per-(n, c) weights, scatter kernel. */
function twoPass(rewards: ArrayLike<number>, offsets: number[], backend: Backend, weightsOf: (n: number, c: number) => [number, number]): Float64Array {
  const layout = resolveLayout(rewards.length, { groupOffsets: offsets });
  const out = new Float64Array(rewards.length);
  const counts = countCorrect(rewards, layout, backend, 'reference');
  scatterByCounts(rewards, layout, counts, backend, out, weightsOf);
  return out;
}

/** The weights of pass@k as the estimator composes them (scale 'mean' multiplies by n). */
const passWeights = (k: number, baseline: Baseline, mean: boolean) => (n: number, c: number): [number, number] => {
  const w = binaryPassWeights(n, c, k, baseline);
  return mean ? [w[0] * n, w[1] * n] : w;
};
const hatWeights = (k: number, baseline: Baseline, mean: boolean) => (n: number, c: number): [number, number] => {
  const w = binaryPassHatWeights(n, c, k, baseline);
  return mean ? [w[0] * n, w[1] * n] : w;
};
/** Chen et al.'s advantage, as computed before the fused kernel. */
const chenWeights = (k: number) => (n: number, c: number): [number, number] => {
  if (c === 0 || n - c < k) return [0, 0];
  const fail = failAtKUnchecked(n, c, k);
  const sigma = Math.sqrt((1 - fail) * fail);
  return [fail / sigma, (-(c / n) * failAtKUnchecked(n - 1, c, k - 1)) / sigma];
};
/** BoN-RL binary weights per group, as computed before the fused kernel (unbiased coefficient). */
const bonWeights = (N: number, baseline: 'none' | 'loo') => (n: number, c: number): [number, number] => {
  const r = N / n;
  const coef = (others: number): number => failAtKUnchecked(n - 1, others, N - 1);
  if (baseline === 'none') return [c > 0 ? r * coef(c - 1) : 0, 0];
  return [c > 0 ? (r * coef(c - 1) * (n - c)) / (n - 1) : 0, c > 0 && c < n ? (-r * coef(c) * c) / (n - 1) : 0];
};

/** A random batch: ragged or uniform groups of 2..maxN samples with a per-group success rate. */
function randomBatch(seed: number, maxN: number, uniform: boolean): { rewards: number[]; offsets: number[]; minN: number } {
  const rand = mulberry32(seed);
  const groups = 1 + Math.floor(rand() * 40);
  const size = 2 + Math.floor(rand() * (maxN - 1));
  const offsets = [0];
  const rewards: number[] = [];
  let minN = Infinity;
  for (let b = 0; b < groups; b++) {
    const n = uniform ? size : 2 + Math.floor(rand() * (maxN - 1));
    minN = Math.min(minN, n);
    const p = [0, 1, rand()][Math.floor(rand() * 3)] as number; // all-wrong, all-right and mixed groups
    for (let i = 0; i < n; i++) rewards.push(rand() < p ? 1 : 0);
    offsets.push(rewards.length);
  }
  return { rewards, offsets, minN };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  // Number of indices whose bits differ (Object.is tells −0 from 0).
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) bad++;
  return bad + Math.abs(a.length - b.length);
};

describe('fused binary kernel: bit-identical to the two-kernel path', () => {
  for (const name of ['js', 'wasm'] as const) {
    it(`passAtKAdvantage / passHatKAdvantage, every baseline and scale, 120 random layouts (${name})`, () => {
      let compared = 0;
      for (let seed = 1; seed <= 120; seed++) {
        const { rewards, offsets, minN } = randomBatch(seed, seed % 3 === 0 ? 300 : 70, seed % 2 === 0);
        const backend = backendOf(name);
        const inputs: ArrayLike<number>[] = [rewards, Float64Array.from(rewards), Float32Array.from(rewards)];
        for (const baseline of BASELINES) {
          const k = 1 + (seed % Math.max(1, baseline === 'loo' || baseline === 'loo-pkpo' ? minN - 1 : minN));
          for (const mean of [false, true]) {
            const opts = { groupOffsets: offsets, baseline, scale: mean ? ('mean' as const) : ('sum' as const), backend: name };
            const refPass = twoPass(rewards, offsets, backend, passWeights(k, baseline === 'loo-1' && k === 1 ? 'loo' : baseline, mean));
            const refHat = twoPass(rewards, offsets, backend, hatWeights(k, baseline === 'loo-1' && k === 1 ? 'loo' : baseline, mean));
            for (const input of inputs) {
              expect(same(passAtKAdvantage(input, k, opts), refPass)).toBe(0);
              expect(same(passHatKAdvantage(input, k, opts), refHat)).toBe(0);
              const f32 = passAtKAdvantage(input, k, { ...opts, out: new Float32Array(rewards.length) });
              expect(same(f32, Float32Array.from(refPass))).toBe(0);
              compared += 3;
            }
          }
        }
      }
      expect(compared).toBe(120 * 4 * 2 * 3 * 3);
    });

    it(`chenPassAtKAdvantage and bonRlBinaryAdvantage, 60 random layouts (${name})`, () => {
      for (let seed = 1000; seed < 1060; seed++) {
        const { rewards, offsets, minN } = randomBatch(seed, 90, seed % 2 === 0);
        const backend = backendOf(name);
        const k = 1 + (seed % minN);
        const opts = { groupOffsets: offsets, backend: name };
        expect(same(chenPassAtKAdvantage(rewards, k, opts), twoPass(rewards, offsets, backend, chenWeights(k)))).toBe(0);
        for (const baseline of ['none', 'loo'] as const) {
          const ref = twoPass(rewards, offsets, backend, bonWeights(k, baseline));
          expect(same(bonRlBinaryAdvantage(rewards, k, { ...opts, baseline }), ref)).toBe(0);
          const f32 = bonRlBinaryAdvantage(rewards, k, { ...opts, baseline, out: new Float32Array(rewards.length) });
          expect(same(f32, Float32Array.from(ref))).toBe(0);
        }
      }
    });
  }

  it('wasm views (Float64 and Float32 outputs in wasm memory) give the bits of copied inputs', () => {
    const arena = wasm.createArena();
    wasm.reserve(16 * 1024 * 1024); // room for the views and the copied calls' temporaries, without growing
    try {
      for (let seed = 2000; seed < 2020; seed++) {
        const { rewards, offsets } = randomBatch(seed, 130, seed % 2 === 0);
        const r = arena.alloc(rewards.length);
        r.set(rewards);
        const o64 = arena.alloc(rewards.length);
        const o32 = arena.allocFloat32(rewards.length);
        const offs = arena.allocInt32(offsets.length);
        offs.set(offsets);
        const ref = passAtKAdvantage(rewards, 2, { groupOffsets: offsets, backend: 'wasm' });
        expect(passAtKAdvantage(r, 2, { groupOffsets: offs, backend: 'wasm', out: o64 })).toBe(o64);
        expect(same(o64, ref)).toBe(0);
        expect(passAtKAdvantage(r, 2, { groupOffsets: offs, backend: 'wasm', out: o32 })).toBe(o32);
        expect(same(o32, Float32Array.from(ref))).toBe(0);
      }
    } finally {
      arena.reset();
    }
  });

  it('wasm with copies: groups larger than a chunk, chunk boundaries, a bad value in a later chunk, plain arrays', () => {
    const rand = mulberry32(99);
    const sizes = [10_000, 1, 8191, 8193, 2, 3, 16_384, 5, 9000];
    const offsets = [0];
    const rewards: number[] = [];
    for (const n of sizes) {
      for (let i = 0; i < n; i++) rewards.push(rand() < 0.5 ? 1 : 0);
      offsets.push(rewards.length);
    }
    const opts = { groupOffsets: offsets, baseline: 'none' as const };
    const ref = twoPass(rewards, offsets, wasm, passWeights(1, 'none', false));
    for (const input of [rewards, Float64Array.from(rewards), Float32Array.from(rewards)]) {
      expect(same(passAtKAdvantage(input, 1, { ...opts, backend: 'wasm' }), ref)).toBe(0);
      expect(same(passAtKAdvantage(input, 1, { ...opts, backend: 'wasm', out: new Float32Array(rewards.length) }), Float32Array.from(ref))).toBe(0);
    }
    const bad = rewards.slice();
    bad[40_000] = 0.5;
    expect(() => passAtKAdvantage(bad, 1, { ...opts, backend: 'wasm' })).toThrow(/got 0\.5 at index 40000/);
    expect(() => passAtKAdvantage(Float64Array.from(bad), 1, { ...opts, backend: 'wasm' })).toThrow(/got 0\.5 at index 40000/);
  });

  it('the kernel writes v·wc + (1 − v)·wi bit for bit whatever the (finite) weights: signed zeros, negatives, tiny and huge (js and wasm)', () => {
    // wi = +0 (every loo-1 group) takes a shorter select on js; wi = −0 and the other pairs take the full
    // one. (Every binary estimator's weights are finite.)
    const pairs: [number, number][] = [
      [-0, 0], [-1.5, 0], [0, 0], [2.5, 0], [5e-324, 0], [-1.7976931348623157e308, 0],
      [-0, -0], [3, -0], [-2, -0], [1, 0.25], [-0, -7], [1e308, -1e-300],
    ];
    const show = (x: number | undefined): string => (Object.is(x, -0) ? '-0' : String(x));
    const rand = mulberry32(31);
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 64, 67];
    const offsets = [0];
    for (const n of sizes) offsets.push((offsets.at(-1) as number) + n);
    const N = offsets.at(-1) as number;
    const rewards = Float64Array.from({ length: N }, () => (rand() < 0.5 ? 1 : 0));
    let checked = 0;
    for (const [wc, wi] of pairs) {
      const expected = Float64Array.from(rewards, (v) => v * wc + (1 - v) * wi);
      for (const backend of [jsBackend, wasm]) {
        const out = new Float64Array(N).fill(NaN);
        const bad = backend.kernels.binaryWeights!(rewards, Int32Array.from(offsets), () => [wc, wi], out);
        expect(bad).toBe(-1);
        for (let i = 0; i < N; i++) {
          // js: bit for bit; wasm may write +0 for a −0 (e.g. wc = wi = −0, which no estimator produces).
          const ok = backend === jsBackend ? Object.is(out[i], expected[i]) : out[i] === expected[i];
          if (!ok) throw new Error(`${backend.name}, (wc, wi) = (${show(wc)}, ${show(wi)}): out[${i}] = ${show(out[i])}, expected ${show(expected[i])}`);
          checked++;
        }
      }
    }
    expect(checked).toBe(pairs.length * 2 * N);
  });

  it('a backend without the fused kernel fails naming it (the two-kernel path is not a silent fallback)', () => {
    const { binaryWeights: _fused, ...rest } = jsBackend.kernels;
    registerBackend({ name: 'js-two-pass', kernels: rest });
    expect(() => passAtKAdvantage([1, 0], 1, { backend: 'js-two-pass' })).toThrow(/backend 'js-two-pass' has no kernel 'binaryWeights'/);
  });

  it('wasm keeps a weights function\'s table across calls: no call after the first computes an entry again, same bits', () => {
    const calls: string[] = [];
    const weights = (n: number, c: number): [number, number] => (calls.push(`${n},${c}`), [c / n, -c]);
    const offsets = Int32Array.of(0, 4, 8, 13);
    const first = Float64Array.of(1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1);
    const out = new Float64Array(13);
    expect(wasm.kernels.binaryWeights!(first, offsets, weights, out)).toBe(-1);
    expect(calls).toEqual(['4,2', '4,3', '5,3']);
    const ref = (r: Float64Array): number[] => Array.from(r, (v, i) => {
      const b = i < 4 ? 0 : i < 8 ? 1 : 2;
      const n = (offsets[b + 1] as number) - (offsets[b] as number);
      let c = 0;
      for (let j = offsets[b] as number; j < (offsets[b + 1] as number); j++) c += r[j] as number;
      return v === 1 ? c / n : -c;
    });
    expect(Array.from(out)).toEqual(ref(first));
    // (4, 2), (4, 3) and (5, 3) are kept; only (4, 1) and (5, 5) are new.
    const second = Float64Array.of(0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1);
    expect(wasm.kernels.binaryWeights!(second, offsets, weights, out)).toBe(-1);
    expect(calls).toEqual(['4,2', '4,3', '5,3', '4,1', '5,5']);
    expect(Array.from(out)).toEqual(ref(second));
    // A bad value still stops the call, kept table or not.
    expect(wasm.kernels.binaryWeights!(Float64Array.of(1, 0, 1, 0, 0.5, 1, 1, 0, 0, 0, 1, 1, 1), offsets, weights, out)).toBe(4);
  });

  it('repeated estimator calls (kept tables) give the bits of a fresh computation, every baseline, float64 and float32', () => {
    for (let seed = 3000; seed < 3040; seed++) {
      const { rewards, offsets, minN } = randomBatch(seed, 200, seed % 2 === 0);
      for (const baseline of BASELINES) {
        const k = 1 + (seed % Math.max(1, baseline === 'loo' || baseline === 'loo-pkpo' ? minN - 1 : minN));
        const opts = { groupOffsets: offsets, baseline, backend: 'wasm' };
        const ref = twoPass(rewards, offsets, wasm, passWeights(k, baseline === 'loo-1' && k === 1 ? 'loo' : baseline, false));
        for (let rep = 0; rep < 2; rep++) {
          expect(same(passAtKAdvantage(rewards, k, opts), ref)).toBe(0);
          expect(same(passAtKAdvantage(rewards, k, { ...opts, out: new Float32Array(rewards.length) }), Float32Array.from(ref))).toBe(0);
        }
        const ch = twoPass(rewards, offsets, wasm, chenWeights(k));
        expect(same(chenPassAtKAdvantage(rewards, k, { groupOffsets: offsets, backend: 'wasm' }), ch)).toBe(0);
        expect(same(chenPassAtKAdvantage(rewards, k, { groupOffsets: offsets, backend: 'wasm' }), ch)).toBe(0);
      }
    }
  });

  it('a group whose values are not all 0 or 1 is refused at its first bad value, and no weight is computed for it (js and wasm)', () => {
    const groups: [number[], number][] = [
      [[0.5, 0.5, 1, 0], 0], // sums to 2, a count that has an entry: found while writing
      [[-1, 2, 0, 0], 0], // sums to 1
      [[0, 0.5, 0.5, 1, 1, 0, 0, 0], 1], // sums to 3 (no entry yet)
      [[1, 0, NaN, 0], 2],
      [[Infinity, 0, 0, 0], 0],
      [[0, 1, 1, 1e-300], 3], // sums to 2 (1e-300 is absorbed)
      [[0, 0, 0, 3], 3], // sums to 3, an entry not computed yet
      [[3, 3, 0, 0], 0], // sums to 6 > n: past the table
    ];
    for (const backend of [jsBackend, wasm]) {
      for (const [bad, at] of groups) {
        for (const input of [(a: number[]) => a, (a: number[]) => Float64Array.from(a)]) {
          const calls: string[] = [];
          const rewards = input([1, 0, 1, 0, 1, 1, 0, 0, ...bad]);
          const offsets = bad.length === 4 ? Int32Array.of(0, 4, 8, 12) : Int32Array.of(0, 4, 8, 16);
          const out = new Float64Array(rewards.length);
          const r = backend.kernels.binaryWeights!(rewards, offsets, (n, c, b) => (calls.push(`${n},${c},${b}`), [c, -n]), out);
          expect(r).toBe(8 + at);
          expect(calls).toEqual(['4,2,0']);
        }
      }
    }
  });

  it('any value that is not 0 or 1, anywhere in any group, is found at its index: the first bad value of the batch (js and wasm)', () => {
    // The hostile values a branch-free check could let through: fractions whose squares round near
    // themselves, values next to 0 and 1, subnormals, huge values, infinities, NaN, and pairs that sum
    // to a valid count (2 + −1, 0.5 + 0.5).
    const hostile = [
      0.5, -1, 2, 3, 1 + 2 ** -52, 1 - 2 ** -53, 2 ** -1074, -(2 ** -1074), 1e-300, 1e300, -1e300, Number.MAX_VALUE,
      Infinity, -Infinity, NaN, 0.9999999, 1.0000001, 255, -0.5,
    ];
    const rng = mulberry32(20_261_202);
    for (let trial = 0; trial < 300; trial++) {
      const sizes = Array.from({ length: 1 + Math.floor(rng() * 6) }, () => Math.floor(rng() * 11));
      const offsets = [0];
      for (const size of sizes) offsets.push(offsets[offsets.length - 1]! + size);
      const total = offsets[offsets.length - 1]!;
      const values: number[] = Array.from({ length: total }, () => (rng() < 0.1 ? -0 : rng() < 0.4 ? 1 : 0));
      const bad = Math.floor(rng() * 3);
      for (let j = 0; j < bad && total > 0; j++) values[Math.floor(rng() * total)] = hostile[Math.floor(rng() * hostile.length)]!;
      const first = values.findIndex((v) => v !== 0 && v !== 1);
      for (const backend of [jsBackend, wasm]) {
        for (const input of [values, Float64Array.from(values)]) {
          const out = new Float64Array(total);
          const r = backend.kernels.binaryWeights!(input, Int32Array.from(offsets), (n, c) => [c / Math.max(n, 1), -c], out);
          expect(r, `${backend.name} ${JSON.stringify(values.map(String))} ${offsets}`).toBe(first);
        }
      }
    }
  });

  it('long groups (the wasm kernel writes one while counting the next): same bits as the rule, the first bad value found, views and copies, float64 and float32', () => {
    // Sizes around where the joined loop starts (256), not multiples of its step (8), followed by
    // shorter, longer, empty and tiny groups, so both loops' remainders are exercised.
    const sizes = [256, 255, 257, 263, 300, 8, 511, 512, 0, 1031, 1024, 1, 700, 256, 264, 2, 1029];
    const hostile = [0.5, -1, 2, 1 + 2 ** -52, 1 - 2 ** -53, 2 ** -1074, 1e300, Infinity, -Infinity, NaN, 255];
    const rng = mulberry32(20_261_203);
    // Never ±0 (signed zeros have their own test above), so the expected bits are a plain select.
    const weightsOf = (n: number, c: number): [number, number] => [c / (n + 1) + 0.25, -(c + 1) / (n + 3)];
    const arena = wasm.createArena();
    wasm.reserve(4 * 1024 * 1024);
    try {
      for (let trial = 0; trial < 60; trial++) {
        const order = sizes.slice().sort(() => rng() - 0.5).slice(0, 3 + Math.floor(rng() * 8));
        const offsets = [0];
        for (const size of order) offsets.push(offsets[offsets.length - 1]! + size);
        const total = offsets[offsets.length - 1]!;
        const p = rng();
        const values: number[] = Array.from({ length: total }, () => (rng() < 0.05 ? -0 : rng() < p ? 1 : 0));
        // Half the trials put one or two bad values anywhere: in a group's first or last values, in the part
        // counted alongside the previous group or in the rest.
        if (trial % 2 === 1 && total > 0) {
          for (let j = 0; j < 1 + (trial % 4 === 1 ? 1 : 0); j++) {
            const at = rng() < 0.3 ? offsets[1 + Math.floor(rng() * (offsets.length - 2))]! - (rng() < 0.5 ? 1 : 0) : Math.floor(rng() * total);
            if (at >= 0 && at < total) values[at] = hostile[Math.floor(rng() * hostile.length)]!;
          }
        }
        const first = values.findIndex((v) => v !== 0 && v !== 1);
        const expected = new Float64Array(total);
        for (let b = 0; b + 1 < offsets.length; b++) {
          let c = 0;
          for (let i = offsets[b]!; i < offsets[b + 1]!; i++) c += values[i] === 1 ? 1 : 0;
          const [wc, wi] = weightsOf(offsets[b + 1]! - offsets[b]!, c);
          for (let i = offsets[b]!; i < offsets[b + 1]!; i++) expected[i] = values[i] === 1 ? wc : wi;
        }
        const view = arena.alloc(total);
        view.set(values);
        const outs = [() => new Float64Array(total), () => new Float32Array(total), () => arena.alloc(total), () => arena.allocFloat32(total)];
        for (const backend of [jsBackend, wasm]) {
          for (const input of backend === wasm ? [values, Float64Array.from(values), view] : [values, Float64Array.from(values)]) {
            for (const makeOut of backend === wasm ? outs : outs.slice(0, 2)) {
              const out = makeOut();
              // A fresh weights function: the kernel stops at every count it has not seen and resumes.
              const r = backend.kernels.binaryWeights!(input, Int32Array.from(offsets), weightsOf, out);
              const what = `${backend.name} trial ${trial} sizes ${order} input ${input.constructor.name} out ${out.constructor.name}`;
              expect(r, what).toBe(first);
              if (first === -1) expect(same(out, out instanceof Float32Array ? Float32Array.from(expected) : expected), what).toBe(0);
            }
          }
        }
      }
    } finally {
      arena.reset();
    }
  });

  it('long groups: one bad value at every index of every group is the index returned (js, wasm copies and views)', () => {
    // Every position class of the joined loop: this group's part written alongside the next group's
    // count, the last values of either group after it, and groups longer or shorter than their neighbour.
    const layouts = [[256, 256, 300], [300, 264, 257], [264, 300, 8], [1031, 257, 1029], [257, 1031, 0, 256]];
    const hostile = [0.5, NaN, Infinity, -1, 2, 1 + 2 ** -52, 2 ** -1074];
    const rng = mulberry32(20_261_204);
    const arena = wasm.createArena();
    wasm.reserve(1024 * 1024);
    try {
      for (const [l, sizes] of layouts.entries()) {
        const offsets = [0];
        for (const size of sizes) offsets.push(offsets[offsets.length - 1]! + size);
        const total = offsets[offsets.length - 1]!;
        // In two layouts the first group is all ones, so the top entry of its size's table is filled:
        // a kernel that passed a bad group on as count −1 would read that entry instead of stopping.
        const clean = Array.from({ length: total }, (_, i) => ((l % 2 === 1 && i < sizes[0]!) || rng() < 0.4 ? 1 : 0));
        const offs = Int32Array.from(offsets);
        const view = arena.alloc(total);
        const out = arena.alloc(total);
        const out32 = new Float32Array(total);
        const weightsOf = (n: number, c: number): [number, number] => [c / (n + 1) + 0.25, -(c + 1) / (n + 3)];
        for (let at = 0; at < total; at++) {
          const values = Float64Array.from(clean);
          values[at] = hostile[at % hostile.length]!;
          view.set(values);
          expect(jsBackend.kernels.binaryWeights!(values, offs, weightsOf, new Float64Array(total)), `js ${sizes} at ${at}`).toBe(at);
          expect(wasm.kernels.binaryWeights!(values, offs, weightsOf, new Float64Array(total)), `wasm ${sizes} at ${at}`).toBe(at);
          expect(wasm.kernels.binaryWeights!(view, offs, weightsOf, out), `wasm views ${sizes} at ${at}`).toBe(at);
          expect(wasm.kernels.binaryWeights!(view, offs, weightsOf, out32), `wasm views, f32 out ${sizes} at ${at}`).toBe(at);
          // The two-kernel path's counting kernel shares the wasm counting loop.
          for (const backend of [jsBackend, wasm]) {
            expect(backend.kernels.binaryCounts!(values, offs, new Int32Array(sizes.length)), `${backend.name} binaryCounts ${sizes} at ${at}`).toBe(at);
          }
        }
        // And on the clean batch, its counts and the scatter kernel agree with the fused kernel bit for bit.
        for (const backend of [jsBackend, wasm]) {
          const counts = new Int32Array(sizes.length);
          expect(backend.kernels.binaryCounts!(clean, offs, counts)).toBe(-1);
          const wc = new Float64Array(sizes.length);
          const wi = new Float64Array(sizes.length);
          counts.forEach((c, b) => ([wc[b], wi[b]] = weightsOf(sizes[b]!, c)));
          const scattered = new Float64Array(total);
          backend.kernels.binaryScatter!(Float64Array.from(clean), offs, wc, wi, scattered);
          const fused = new Float64Array(total);
          expect(backend.kernels.binaryWeights!(Float64Array.from(clean), offs, weightsOf, fused)).toBe(-1);
          expect(same(scattered, fused), `${backend.name} ${sizes}`).toBe(0);
        }
      }
    } finally {
      arena.reset();
    }
  });

  it('the weights are computed once per distinct (n, c), not once per group (js and wasm)', () => {
    for (const backend of [jsBackend, wasm]) {
      const calls: string[] = [];
      const rewards = [1, 0, 1, 0, /* */ 0, 1, 1, 0, /* */ 1, 1, 1, 0, /* */ 0, 0, 1, 1, 1];
      const offsets = Int32Array.of(0, 4, 8, 12, 17);
      const out = new Float64Array(rewards.length);
      const bad = backend.kernels.binaryWeights!(rewards, offsets, (n, c, b) => (calls.push(`${n},${c},${b}`), [c, -n]), out);
      expect(bad).toBe(-1);
      // Groups 0 and 1 share (4, 2); group 2 is (4, 3); group 3 is (5, 3).
      expect(calls).toEqual(['4,2,0', '4,3,2', '5,3,3']);
      expect(Array.from(out)).toEqual([2, -4, 2, -4, -4, 2, 2, -4, 3, 3, 3, -4, -5, -5, 3, 3, 3]);
      expect(backend.kernels.binaryWeights!(Float64Array.of(1, 0, 0.5, 1), Int32Array.of(0, 2, 4), () => [1, 1], out)).toBe(2);
    }
  });
});
