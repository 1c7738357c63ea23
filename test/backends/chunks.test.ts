/**
 * The wasm backend runs its per-group kernels over chunks of whole groups when an operand must be
 * copied (an ordinary array in, or out): each chunk is staged in wasm memory, run and copied out while
 * it is in cache. Chunking must be invisible: on batches far larger than a chunk, with ragged sizes,
 * groups of 3 and groups larger than a chunk, the copied path gives the bits of the zero-copy path
 * (one kernel call over the whole batch), for float64 and float32 outputs, plain arrays and mixed
 * residency; and an error or an overflow rescue triggered in any chunk gives what the direct js call
 * gives (the same error, the same index, the same rescaled bits).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bestOfNWeights, maxAtKWeights, orderStatisticWeights, passAtKWeights, BASELINES } from '../../src/index.js';
import { loadWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { mulberry32 } from '../support/prng.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

/** Group sizes summing to well over several chunks (8,192 samples), with groups of 3 and groups larger than a chunk. */
function raggedSizes(seed: number): number[] {
  const rng = mulberry32(seed);
  const sizes: number[] = [];
  let total = 0;
  while (total < 40_000) {
    const u = rng();
    const size = u < 0.1 ? 3 : u < 0.12 ? 9_000 + Math.floor(rng() * 3_000) : 3 + Math.floor(rng() * 120);
    sizes.push(size);
    total += size;
  }
  return sizes;
}

function offsetsOf(sizes: readonly number[]): number[] {
  const o = [0];
  for (const s of sizes) o.push(o[o.length - 1]! + s);
  return o;
}

/** Continuous values with ties (a tenth of the groups on 4 levels). */
function valuesFor(offsets: readonly number[], seed: number): Float64Array {
  const rng = mulberry32(seed);
  const v = new Float64Array(offsets[offsets.length - 1]!);
  for (let b = 0; b + 1 < offsets.length; b++) {
    const tied = rng() < 0.1;
    for (let i = offsets[b]!; i < offsets[b + 1]!; i++) v[i] = tied ? Math.floor(rng() * 4) : rng() * 2 - 1;
  }
  return v;
}

function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${label}: element ${i} is ${got[i]}, the one-call path gives ${want[i]}`);
  }
}

/** The three chunked estimators, as (inputs, options) → weights, at k = 2 (the fused 'loo-1' passes need k ≥ 2). */
type Run = (inputs: readonly ArrayLike<number>[], opts: Record<string, unknown>) => Float64Array | Float32Array;
const estimators: [string, number, Run][] = [
  ['maxAtKWeights', 1, ([g], opts) => maxAtKWeights(g!, 2, opts)],
  ['bestOfNWeights', 2, ([s, r], opts) => bestOfNWeights(s!, r!, 2, opts)],
  ['orderStatisticWeights', 1, ([g], opts) => orderStatisticWeights(g!, 2, 'median', opts)],
];

describe('wasm chunked kernels', () => {
  it('give the zero-copy bits on ragged batches of many chunks (every baseline and scale, f64 and f32 out, plain arrays)', () => {
    const sizes = raggedSizes(1);
    const offsets = offsetsOf(sizes);
    const N = offsets[offsets.length - 1]!;
    const g = valuesFor(offsets, 2);
    const r = valuesFor(offsets, 3);
    const arena = wasm.createArena();
    wasm.reserve(64 * N + (1 << 24));
    try {
      const gView = arena.alloc(N);
      gView.set(g);
      const rView = arena.alloc(N);
      rView.set(r);
      const outView = arena.alloc(N);
      const outView32 = arena.allocFloat32(N);
      for (const [name, inputs, run] of estimators) {
        const host = inputs === 1 ? [g] : [g, r];
        const views = inputs === 1 ? [gView] : [gView, rView];
        const baselines = name === 'orderStatisticWeights' ? ['none'] : BASELINES;
        for (const baseline of baselines) {
          for (const scale of ['sum', 'mean'] as const) {
            const base = { groupOffsets: offsets, backend: 'wasm', ...(name === 'orderStatisticWeights' ? {} : { baseline }), scale };
            const whole = run(views, { ...base, out: outView }).slice();
            const label = `${name} ${baseline} ${scale}`;
            expectSameBits(run(host, base), whole, `${label} copies`);
            expectSameBits(run(host.map((a) => Array.from(a)), base), whole, `${label} plain arrays`);
            // One operand resident, the other copied; the output copied out or written in place.
            expectSameBits(run(views, base), whole, `${label} views in, copied out`);
            expectSameBits(run(host, { ...base, out: outView }), whole, `${label} copied in, view out`);
            if (inputs === 2) expectSameBits(run([gView, r], base), whole, `${label} mixed residency`);
            const f32 = run(host, { ...base, out: new Float32Array(N) });
            const f32View = run(views, { ...base, out: outView32 });
            expectSameBits(f32, Float32Array.from(whole), `${label} float32 out`);
            expectSameBits(f32View, Float32Array.from(whole), `${label} float32 view out`);
          }
        }
      }
    } finally {
      arena.reset();
    }
  });

  it('binary weights: the zero-copy bits on ragged batches of many chunks (f64 and f32 out, kept tables), and a bad reward in a late chunk at its index', () => {
    const offsets = offsetsOf(raggedSizes(6));
    const N = offsets[offsets.length - 1]!;
    const rng = mulberry32(7);
    const b = Float64Array.from({ length: N }, () => (rng() < 0.3 ? 1 : 0));
    const arena = wasm.createArena();
    wasm.reserve(32 * N + (1 << 24));
    try {
      const view = arena.alloc(N);
      view.set(b);
      const outView = arena.alloc(N);
      const outView32 = arena.allocFloat32(N);
      for (const baseline of BASELINES) {
        const base = { groupOffsets: offsets, backend: 'wasm', baseline };
        const whole = passAtKWeights(view, 2, { ...base, out: outView }).slice();
        expectSameBits(passAtKWeights(b, 2, base), whole, `${baseline} copies`);
        expectSameBits(passAtKWeights(Array.from(b), 2, base), whole, `${baseline} plain array`);
        expectSameBits(passAtKWeights(view, 2, base), whole, `${baseline} view in, copied out`);
        expectSameBits(passAtKWeights(b, 2, { ...base, out: outView }), whole, `${baseline} copied in, view out`);
        expectSameBits(passAtKWeights(b, 2, { ...base, out: new Float32Array(N) }), Float32Array.from(whole), `${baseline} float32 out`);
        expectSameBits(passAtKWeights(view, 2, { ...base, out: outView32 }), Float32Array.from(whole), `${baseline} float32 view out`);
      }
    } finally {
      arena.reset();
    }
    for (const at of [N - 1, N - 9_000, 20_000]) {
      const bad = b.slice();
      bad[at] = 0.5;
      expect(() => passAtKWeights(bad, 2, { groupOffsets: offsets, backend: 'wasm' })).toThrow(`(got 0.5 at index ${at})`);
    }
  });

  it('report a bad value in any chunk as the js backend does, and rescue an overflowing group in any chunk to the same bits', () => {
    const sizes = raggedSizes(4);
    const offsets = offsetsOf(sizes);
    const N = offsets[offsets.length - 1]!;
    const rng = mulberry32(5);
    for (let trial = 0; trial < 12; trial++) {
      const g = valuesFor(offsets, 10 + trial);
      const r = valuesFor(offsets, 30 + trial);
      const at = Math.floor(rng() * N);
      const kind = trial % 4;
      // 0: a NaN; 1: an Infinity (in the rewards of best-of-N on half the trials); 2: a group spanning
      // ±1e308 (the rescue); 3: the rescue early and a NaN later.
      if (kind === 0) g[at] = NaN;
      if (kind === 1) (trial < 6 ? g : r)[at] = -Infinity;
      if (kind >= 2) {
        const b = offsets.findIndex((o, i) => i + 1 < offsets.length && offsets[i + 1]! - o >= 2 && o >= (kind === 3 ? 0 : at));
        if (b >= 0) {
          g[offsets[b]!] = -1e308;
          g[offsets[b]! + 1] = 1e308;
          r[offsets[b]!] = 1e308;
          r[offsets[b]! + 1] = -1e308;
        }
        if (kind === 3) g[N - 1] = NaN;
      }
      for (const [name, inputs, run] of estimators) {
        const host = inputs === 1 ? [g] : [g, r];
        const opts = { groupOffsets: offsets };
        let want: Float64Array | Float32Array | Error;
        try {
          want = run(host, { ...opts, backend: 'js' });
        } catch (e) {
          want = e as Error;
        }
        let got: Float64Array | Float32Array | Error;
        try {
          got = run(host, { ...opts, backend: 'wasm' });
        } catch (e) {
          got = e as Error;
        }
        const label = `${name} trial ${trial} (kind ${kind}, at ${at})`;
        // What each kind must give: an error naming the bad value, or weights.
        if (kind === 2 || (kind === 1 && trial >= 6 && inputs === 1)) expect(want, label).not.toBeInstanceOf(Error);
        else expect((want as Error).message, label).toMatch(/finite/);
        if (want instanceof Error) {
          expect(got, label).toBeInstanceOf(Error);
          expect((got as Error).message, label).toBe(want.message);
          expect((got as Error).constructor, label).toBe(want.constructor);
        } else {
          expect(got, label).not.toBeInstanceOf(Error);
          // The backends agree to 1e-12 (bit for bit for max@k); the chunked path must not move that.
          const w = want;
          const o = got as Float64Array;
          for (let i = 0; i < w.length; i++) {
            const scale = Math.max(1, Math.abs(w[i]!));
            if (!(Math.abs(o[i]! - w[i]!) <= 1e-12 * scale || Object.is(o[i], w[i]))) {
              throw new Error(`${label}: element ${i} is ${o[i]}, js gives ${w[i]}`);
            }
          }
        }
      }
    }
  });
});
