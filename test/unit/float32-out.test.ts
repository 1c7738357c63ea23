// Float32Array outputs: every per-sample weight estimator accepts one, writes exactly Math.fround of its
// Float64Array result (js and wasm), returns it, and refuses a weight that would overflow float32.
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  bestOfNAdvantage,
  bestOfNSftWeights,
  DomainError,
  grpoAdvantage,
  kSampleAdvantage,
  maxAtKAdvantage,
  mixAdvantages,
  passAtKAdvantage,
  rlooAdvantage,
  orderStatisticAdvantage,
} from '../../src/index.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { FUNCTIONS } from '../support/hostile.js';
import { binaryAdvantage } from '../../src/estimators/pass-at-k.js';
import { resolveLayout } from '../../src/groups.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { mulberry32 } from '../support/prng.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

const WEIGHT_ESTIMATORS = FUNCTIONS.filter((f) => f.float32Out === true);

/** Indices where `f32` is not bit-for-bit Math.fround(f64). */
function mismatches(f64: ArrayLike<number>, f32: ArrayLike<number>): number[] {
  const bad: number[] = [];
  for (let i = 0; i < Math.max(f64.length, f32.length); i++) if (!Object.is(Math.fround(f64[i] as number), f32[i])) bad.push(i);
  return bad;
}

/** The per-sample weights of a result (kSampleAdvantage and bestOfNSftWeights return objects). */
function weightsOf(result: unknown): ArrayLike<number> {
  if (ArrayBuffer.isView(result)) return result as unknown as ArrayLike<number>;
  const r = result as { weights?: ArrayLike<number>; samples?: ArrayLike<number> };
  return (r.weights ?? r.samples) as ArrayLike<number>;
}

describe('Float32Array out: Math.fround of the Float64Array result, bit for bit', () => {
  it('the table of weight estimators lists every one that takes a per-sample out (16)', () => {
    expect(WEIGHT_ESTIMATORS.map((f) => f.name).sort()).toEqual(
      [
        'bestOfNWeights',
        'bestOfNDistillationWeights',
        'bestOfNDistribution',
        'bestOfNSftWeights',
        'bonRlBinaryWeights',
        'bonRlSelectedWeights',
        'chenPassAtKWeights',
        'grpoWeights',
        'kSampleWeights',
        'majorityVoteWeights',
        'maxAtKWeights',
        'mixAdvantages',
        'orderStatisticWeights',
        'passAtKWeights',
        'passHatKWeights',
        'rlooWeights',
      ].sort(),
    );
  });

  for (const f of WEIGHT_ESTIMATORS) {
    for (const backend of ['js', 'wasm'] as const) {
      it(`${f.name} (${backend}): valid call with a Float32Array out returns that array, = fround(Float64)`, () => {
        const args = f.args.map((a) => a.valid);
        const base = { ...(f.baseOpts?.(args) ?? {}), ...(f.opts === 'batched' ? { groupSize: 3 } : {}), ...(f.backend ? { backend } : {}) };
        const f64 = weightsOf(f.call(args, base));
        const out = new Float32Array(f.outLength);
        const result = f.call(args, { ...base, out });
        expect(weightsOf(result)).toBe(out);
        expect(f64.length).toBe(f.outLength);
        expect(mismatches(f64, out)).toEqual([]);
        // Not all zeros: the comparison means something.
        expect(Array.from(out).some((x) => x !== 0)).toBe(true);
      });
    }
  }

  it('large random batches (js and wasm, with and without wasm views): every weight equals fround', () => {
    const rand = mulberry32(18);
    const n = 64;
    const groups = 50;
    const binary = Float64Array.from({ length: n * groups }, () => (rand() < 0.4 ? 1 : 0));
    const real = Float64Array.from({ length: n * groups }, () => rand() * 10 - 5);
    let checked = 0;
    for (const backend of ['js', 'wasm'] as const) {
      const o = { groupSize: n, backend };
      const cases: [string, (out?: Float32Array) => ArrayLike<number>][] = [
        ['passAtKAdvantage', (out) => passAtKAdvantage(binary, 8, { ...o, baseline: 'loo', ...(out ? { out } : {}) })],
        ['maxAtKAdvantage', (out) => maxAtKAdvantage(real, 8, { ...o, ...(out ? { out } : {}) })],
        ['grpoAdvantage', (out) => grpoAdvantage(real, { ...o, ...(out ? { out } : {}) })],
        ['rlooAdvantage', (out) => rlooAdvantage(real, { ...o, ...(out ? { out } : {}) })],
        ['bestOfNAdvantage', (out) => bestOfNAdvantage(real, binary, 4, { ...o, ...(out ? { out } : {}) })],
        ['orderStatisticAdvantage', (out) => orderStatisticAdvantage(real, 8, 'median', { ...o, ...(out ? { out } : {}) })],
      ];
      for (const [name, run] of cases) {
        const f64 = run();
        const out = new Float32Array(n * groups);
        run(out);
        expect(mismatches(f64, out), name).toEqual([]);
        checked += out.length;
      }
    }
    // Float32 views in wasm memory (written in place by the fused binary kernel; through a temporary otherwise).
    const arena = wasm.createArena();
    wasm.reserve(4 * 1024 * 1024);
    try {
      const r = arena.alloc(binary.length);
      r.set(binary);
      const g = arena.alloc(real.length);
      g.set(real);
      const out = arena.allocFloat32(binary.length);
      passAtKAdvantage(r, 8, { groupSize: n, backend: 'wasm', out });
      expect(mismatches(passAtKAdvantage(binary, 8, { groupSize: n }), out)).toEqual([]);
      grpoAdvantage(g, { groupSize: n, backend: 'wasm', out });
      expect(mismatches(grpoAdvantage(real, { groupSize: n, backend: 'wasm' }), out)).toEqual([]);
      maxAtKAdvantage(g, 8, { groupSize: n, backend: 'wasm', out });
      expect(mismatches(maxAtKAdvantage(real, 8, { groupSize: n, backend: 'wasm' }), out)).toEqual([]);
      checked += 3 * out.length;
    } finally {
      arena.reset();
    }
    expect(checked).toBe(2 * 6 * n * groups + 3 * n * groups);
  });

  it('the return type is the array passed in', () => {
    expectTypeOf(passAtKAdvantage([1, 0], 1, { out: new Float32Array(2) })).toEqualTypeOf<Float32Array<ArrayBuffer>>();
    expectTypeOf(passAtKAdvantage([1, 0], 1)).toEqualTypeOf<Float64Array>();
    expectTypeOf(grpoAdvantage([1, 0], { out: new Float32Array(2) })).toEqualTypeOf<Float32Array<ArrayBuffer>>();
    expectTypeOf(kSampleAdvantage(2, 1, () => 1, { out: new Float32Array(2) }).weights).toEqualTypeOf<Float32Array<ArrayBuffer>>();
    expectTypeOf(bestOfNSftWeights([1, 2], [1], 2, { out: new Float32Array(2) }).samples).toEqualTypeOf<Float32Array<ArrayBuffer>>();
  });

  it('subnormal and zero float32 values are written as such (not an error)', () => {
    const out = new Float32Array(2);
    const f64 = rlooAdvantage([1e-44, 0]); // ±1e-44: a float32 subnormal
    rlooAdvantage([1e-44, 0], { out });
    expect(Array.from(out)).toEqual([Math.fround(f64[0]!), Math.fround(f64[1]!)]);
    expect(out[0]! > 0 && out[0]! < 2 ** -126).toBe(true);
    rlooAdvantage([1e-300, 0], { out });
    expect(Object.is(out[0], 0) && Object.is(out[1], -0)).toBe(true);
  });
});

describe('Float32Array out: a weight beyond float32 range is a typed error naming the group and sample', () => {
  const cases: [string, (b: 'js' | 'wasm') => unknown, RegExp][] = [
    ['rlooAdvantage', (backend) => rlooAdvantage([0, 0, 1, 4e38], { groupSize: 2, backend, out: new Float32Array(4) }), /sample 2 of group 1 overflows float32 \(got -Infinity after rounding/],
    ['grpoAdvantage (normalize none)', (backend) => grpoAdvantage([8e38, 0], { normalize: 'none', backend, out: new Float32Array(2) }), /sample 0 overflows/],
    ['maxAtKAdvantage', (backend) => maxAtKAdvantage([0, 1e39, 0, 1], 1, { groupSize: 2, baseline: 'none', backend, out: new Float32Array(4) }), /sample 1 of group 0/],
    ['mixAdvantages', () => mixAdvantages([{ weight: 1e30, advantages: [1, 1e10], scale: 'sum' }], { out: new Float32Array(2) }), /sample 1 overflows/],
    ['bestOfNAdvantage', (backend) => bestOfNAdvantage([1, 2], [0, 1e39], 1, { baseline: 'none', backend, out: new Float32Array(2) }), /sample 1 overflows/],
  ];
  for (const [name, run, where] of cases) {
    for (const backend of ['js', 'wasm'] as const) {
      it(`${name} (${backend})`, () => {
        let caught: unknown;
        try {
          run(backend);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(DomainError);
        expect((caught as DomainError).argument).toBe('opts.out');
        expect((caught as Error).message).toMatch(where);
        expect((caught as Error).message).toMatch(/pass a Float64Array/);
      });
    }
  }

  it('the binary family checks each (n, c) weight it uses: the group and its first sample of that class are named', () => {
    // The binary estimators' weights are bounded (|w| ≤ N or k, times n for scale 'mean'); the shared
    // path is exercised with a weight function that overflows.
    const layout = resolveLayout(6, { groupSize: 3 });
    for (const backend of [jsBackend, wasm]) {
      const run = (w: [number, number]) => () =>
        binaryAdvantage([1, 0, 0, 0, 0, 1], layout, backend, new Float32Array(6), 'test', () => w);
      expect(run([1e39, 0])).toThrow(/sample 0 of group 0 overflows float32 \(got 1e\+39/);
      expect(run([0, -1e39])).toThrow(/sample 1 of group 0 overflows/);
      // Just below the rounding threshold 2^128 − 2^103 the float32 is FLOAT32_MAX: accepted.
      expect(run([3.4028235e38, 0])).not.toThrow();
      const out64 = new Float64Array(6);
      binaryAdvantage([1, 0, 0, 0, 0, 1], layout, backend, out64, 'test', () => [1e39, 0]); // Float64: fine
      expect(out64[0]).toBe(1e39);
      // A shared (kept) weights function: an overflowing entry is never kept, so every call checks it.
      const keyed = (w: [number, number]) => () =>
        binaryAdvantage([1, 0, 0, 0, 0, 1], layout, backend, new Float32Array(6), 'test', () => w, `float32 test;${backend.name}`);
      for (let rep = 0; rep < 2; rep++) expect(keyed([0, -1e39])).toThrow(/sample 1 of group 0 overflows/);
    }
  });
});
