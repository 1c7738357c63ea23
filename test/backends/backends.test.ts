/**
 * One suite, run against every backend: each estimator that runs kernels, on random batches with ties,
 * ragged groups and n up to 10^4. Every backend must (a) satisfy identities that hold whatever the
 * backend (binary max@k = pass@k, loo weights sum to 0, ties share a weight, GRPO is standardised) and
 * (b) agree with the reference `js` backend to 1e-12 relative. Then the errors of backend selection
 * and of the wasm loader.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BASELINES,
  InvalidArgumentError,
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistillationWeights,
  bonRlBinaryAdvantage,
  chenPassAtKAdvantage,
  getBackend,
  grpoAdvantage,
  maxAtK,
  maxAtKAdvantage,
  passAtK,
  passAtKAdvantage,
  registerBackend,
  rlooAdvantage,
  setBackend,
} from '../../src/index.js';
import { loadWasmBackend, loadWasmBackendWith, WasmUnavailableError, type WasmBackend } from '../../src/backends/wasm/index.js';
import type { Backend, KernelTable } from '../../src/backends/types.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { mulberry32 as rng } from '../support/prng.js';

const BACKENDS = ['js', 'wasm'] as const;

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});
afterEach(() => setBackend('js'));

function getBackendByName(name: string): Backend {
  return name === 'wasm' ? wasm : jsBackend;
}


interface Case {
  readonly label: string;
  readonly g: Float64Array;
  readonly offsets: number[];
  readonly k: number;
}

function offsetsOf(sizes: readonly number[]): number[] {
  const o = [0];
  for (const s of sizes) o.push((o[o.length - 1] as number) + s);
  return o;
}

/** Random batches: continuous, tied (few distinct values), ragged, large-magnitude, and n up to 10^4. */
function cases(binary: boolean): Case[] {
  const r = rng(binary ? 7 : 11);
  const draw = (kind: 'cont' | 'ties' | 'wide'): number => {
    if (binary) return r() < 0.35 ? 1 : 0;
    if (kind === 'ties') return [0, 0.25, 0.5, 1][Math.floor(r() * 4)] as number;
    if (kind === 'wide') return (r() - 0.3) * 1e6;
    return r();
  };
  const make = (label: string, sizes: number[], k: number, kind: 'cont' | 'ties' | 'wide'): Case => {
    const offsets = offsetsOf(sizes);
    const g = new Float64Array(offsets[offsets.length - 1] as number);
    for (let i = 0; i < g.length; i++) g[i] = draw(kind);
    return { label, g, offsets, k };
  };
  const ragged = Array.from({ length: 60 }, () => 3 + Math.floor(r() * 40));
  return [
    make('uniform 40 × 16, k = 4', Array(40).fill(16) as number[], 4, 'cont'),
    make('ties 30 × 12, k = 3', Array(30).fill(12) as number[], 3, 'ties'),
    make('ragged 60 groups of 3..42, k = 2', ragged, 2, 'ties'),
    make('ragged 60 groups, continuous, k = 1', ragged, 1, 'cont'),
    make('large magnitude 20 × 33, k = 5', Array(20).fill(33) as number[], 5, 'wide'),
    make('k = n − 1, 10 × 9', Array(10).fill(9) as number[], 8, 'cont'),
    make('n = 10^4, k = 100', [10_000], 100, 'cont'),
    make('ragged n up to 10^4 with ties, k = 64', [10_000, 5_003, 2_048, 65], 64, 'ties'),
  ];
}

/** |a − e| ≤ 1e-12·|e| + 1e-14·max|e| for every element (the floor covers exact zeros). */
function expectAgree(actual: Float64Array | number, expected: Float64Array | number, label: string): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length, label).toBe(e.length);
  const floor = 1e-14 * e.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs((a[i] as number) - (e[i] as number));
    if (!(err <= 1e-12 * Math.abs(e[i] as number) + floor)) {
      expect.fail(`${label}: index ${i}: got ${a[i]}, js gives ${e[i]} (error ${err})`);
    }
  }
}

/** Per group: |Σ w| / Σ |w| (0 for an all-zero group), which is ~1e-16·n when Σ w = 0 in exact arithmetic. */
function relativeGroupSums(w: Float64Array, offsets: readonly number[]): number[] {
  const sums: number[] = [];
  for (let b = 0; b + 1 < offsets.length; b++) {
    let s = 0;
    let abs = 0;
    for (let i = offsets[b] as number; i < (offsets[b + 1] as number); i++) {
      s += w[i] as number;
      abs += Math.abs(w[i] as number);
    }
    sums.push(abs === 0 ? 0 : Math.abs(s) / abs);
  }
  return sums;
}

describe.each(BACKENDS)('backend %s', (backend) => {
  /** Agreement with js is asserted for every other backend; identities hold for all, js included. */
  const agreesWithJs = backend !== 'js';
  /** A comparison with js: defined for the other backends only (on js it would compare js with itself). */
  const itAgreesWithJs = (name: string, fn: () => void): void => {
    if (agreesWithJs) it(name, fn);
  };

  it('maxAtKAdvantage(g, k, { baseline, scale, groupOffsets, backend }) agrees with js, sums to 0 under loo and ties share a weight', () => {
    for (const c of cases(false)) {
      for (const baseline of BASELINES) {
        const minN = Math.min(...c.offsets.slice(1).map((o, b) => o - (c.offsets[b] as number)));
        const effective = baseline === 'loo-1' && c.k === 1 ? 'loo' : baseline;
        if ((effective === 'loo' || effective === 'loo-pkpo') && c.k > minN - 1) continue;
        for (const scale of ['sum', 'mean'] as const) {
          const label = `${c.label}, ${baseline}, ${scale}`;
          const opts = { groupOffsets: c.offsets, baseline, scale };
          const w = maxAtKAdvantage(c.g, c.k, { ...opts, backend });
          if (agreesWithJs) expectAgree(w, maxAtKAdvantage(c.g, c.k, { ...opts, backend: 'js' }), label);
          if (effective === 'loo') {
            // Each weight carries an absolute rounding error of ~eps·(k/n)·range (a difference of two
            // terms of that size), so the group sum is 0 to ~eps·k·range, not relative to Σ|w|.
            for (let b = 0; b + 1 < c.offsets.length; b++) {
              const group = c.g.subarray(c.offsets[b], c.offsets[b + 1]);
              const range = Math.max(...group) - Math.min(...group);
              const sum = w.subarray(c.offsets[b], c.offsets[b + 1]).reduce((t, x) => t + x, 0);
              const n = scale === 'mean' ? group.length : 1;
              expect(Math.abs(sum), `${label}, group ${b}`).toBeLessThanOrEqual(1e-12 * c.k * range * n);
            }
          }
          for (let b = 0; b + 1 < c.offsets.length; b++) {
            const byValue = new Map<number, number>();
            for (let i = c.offsets[b] as number; i < (c.offsets[b + 1] as number); i++) {
              const seen = byValue.get(c.g[i] as number);
              if (seen === undefined) byValue.set(c.g[i] as number, w[i] as number);
              else if (seen !== w[i]) expect.fail(`${label}: tied index ${i} has weight ${w[i]}, an earlier tie ${seen}`);
            }
          }
        }
      }
    }
  });

  it('kernels.segmentedSort(values, offsets, sorted) sorts every group like Float64Array.prototype.sort', () => {
    const r = rng(3);
    const sizes = [...Array.from({ length: 70 }, (_, i) => i + 1), 127, 128, 129, 1000, 1024, 4099];
    const offsets = Int32Array.from(offsetsOf(sizes));
    const values = new Float64Array(offsets[offsets.length - 1] as number);
    for (let i = 0; i < values.length; i++) values[i] = i % 3 === 0 ? Math.floor(r() * 5) : r() * 2 - 1;
    const sorted = new Float64Array(values.length);
    const sort = getBackendByName(backend).kernels.segmentedSort;
    if (sort === undefined) throw new Error('no segmentedSort');
    sort(values, offsets, sorted);
    for (let b = 0; b < sizes.length; b++) {
      const expected = values.slice(offsets[b], offsets[b + 1]).sort();
      expect(Array.from(sorted.subarray(offsets[b], offsets[b + 1])), `group ${b} of size ${sizes[b]}`).toEqual(Array.from(expected));
    }
  });

  itAgreesWithJs('maxAtKAdvantage and maxAtK give the same bits as js (same operations, same order)', () => {
    for (const c of cases(false)) {
      const minN = Math.min(...c.offsets.slice(1).map((o, b) => o - (c.offsets[b] as number)));
      for (const baseline of BASELINES) {
        if (baseline !== 'none' && c.k > minN - 1) continue;
        for (const scale of ['sum', 'mean'] as const) {
          const opts = { groupOffsets: c.offsets, baseline, scale };
          const w = maxAtKAdvantage(c.g, c.k, { ...opts, backend });
          const ref = maxAtKAdvantage(c.g, c.k, { ...opts, backend: 'js' });
          const at = w.findIndex((x, i) => !Object.is(x, ref[i]));
          if (at >= 0) expect.fail(`${c.label}, ${baseline}, ${scale}: index ${at}: ${w[at]} vs js ${ref[at]}`);
        }
      }
      const m = maxAtK(c.g, c.k, { groupOffsets: c.offsets, backend });
      expect(Array.from(m), c.label).toEqual(Array.from(maxAtK(c.g, c.k, { groupOffsets: c.offsets, backend: 'js' })));
    }
  });

  itAgreesWithJs('maxAtK(g, k, { groupOffsets, backend }) agrees with js', () => {
    for (const c of cases(false)) {
      const m = maxAtK(c.g, c.k, { groupOffsets: c.offsets, backend });
      expect(m.length).toBe(c.offsets.length - 1);
      if (agreesWithJs) expectAgree(m, maxAtK(c.g, c.k, { groupOffsets: c.offsets, backend: 'js' }), c.label);
    }
  });

  it('maxAtK and maxAtKAdvantage on 0/1 rewards equal passAtK and passAtKAdvantage', () => {
    for (const c of cases(true)) {
      const metric = maxAtK(c.g, c.k, { groupOffsets: c.offsets, backend });
      for (let b = 0; b + 1 < c.offsets.length; b++) {
        let correct = 0;
        for (let i = c.offsets[b] as number; i < (c.offsets[b + 1] as number); i++) correct += c.g[i] as number;
        const n = (c.offsets[b + 1] as number) - (c.offsets[b] as number);
        expect(Math.abs((metric[b] as number) - passAtK(n, correct, c.k)), c.label).toBeLessThanOrEqual(1e-12);
      }
      for (const baseline of ['none', 'loo-1'] as const) {
        const opts = { groupOffsets: c.offsets, baseline, backend };
        const viaMax = maxAtKAdvantage(c.g, c.k, opts);
        const viaPass = passAtKAdvantage(c.g, c.k, opts);
        const scaleOf = viaPass.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        for (let i = 0; i < viaPass.length; i++) {
          const err = Math.abs((viaMax[i] as number) - (viaPass[i] as number));
          if (!(err <= 1e-10 * scaleOf + 1e-15)) {
            expect.fail(`${c.label}, ${baseline}, index ${i}: max@k weight ${viaMax[i]}, pass@k weight ${viaPass[i]}`);
          }
        }
      }
    }
  });

  itAgreesWithJs('passAtKAdvantage(rewards, k, { baseline, scale, groupOffsets, backend }) agrees with js', () => {
    for (const c of cases(true)) {
      const minN = Math.min(...c.offsets.slice(1).map((o, b) => o - (c.offsets[b] as number)));
      for (const baseline of BASELINES) {
        const effective = baseline === 'loo-1' && c.k === 1 ? 'loo' : baseline;
        if ((effective === 'loo' || effective === 'loo-pkpo') && c.k > minN - 1) continue;
        for (const scale of ['sum', 'mean'] as const) {
          const opts = { groupOffsets: c.offsets, baseline, scale };
          const w = passAtKAdvantage(c.g, c.k, { ...opts, backend });
          if (agreesWithJs) expectAgree(w, passAtKAdvantage(c.g, c.k, { ...opts, backend: 'js' }), `${c.label}, ${baseline}, ${scale}`);
        }
      }
    }
  });

  it('passAtKAdvantage reads plain arrays and integer typed arrays, and refuses non-numbers', () => {
    const rewards = [1, 0, 0, 1, 1, 0, 0, 0];
    const expected = passAtKAdvantage(Float64Array.from(rewards), 2, { groupSize: 4, backend });
    expect(passAtKAdvantage(rewards, 2, { groupSize: 4, backend })).toEqual(expected);
    expect(passAtKAdvantage(Uint8Array.from(rewards), 2, { groupSize: 4, backend })).toEqual(expected);
    expect(() => passAtKAdvantage([1, 0, true, 0] as unknown as number[], 2, { backend })).toThrow(
      /rewards must contain numbers \(got boolean at index 2\)/,
    );
    expect(() => passAtKAdvantage([1, 0, 0.5, 0], 2, { backend })).toThrow(/must be 0 or 1 .* \(got 0\.5 at index 2\)/);
  });

  itAgreesWithJs('binary pass@k and Chen weights give the same bits as js, signed zeros included (all-0 and all-1 groups)', () => {
    const random = rng(77);
    for (const n of [2, 3, 8, 64]) {
      // Every count from 0 to n in one batch, so each baseline meets its zero weights (e.g. 'loo' at c = 0).
      const rewards: number[] = [];
      for (let c = 0; c <= n; c++) {
        const g: number[] = Array.from({ length: n }, (_, i) => (i < c ? 1 : 0));
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [g[i], g[j]] = [g[j] as number, g[i] as number];
        }
        rewards.push(...g);
      }
      const r = Float64Array.from(rewards);
      for (const k of [1, 2, n - 1].filter((x, i, a) => x >= 1 && x < n && a.indexOf(x) === i)) {
        for (const baseline of BASELINES) {
          for (const scale of ['sum', 'mean'] as const) {
            const opts = { groupSize: n, baseline, scale };
            const w = passAtKAdvantage(r, k, { ...opts, backend });
            const ref = passAtKAdvantage(r, k, { ...opts, backend: 'js' });
            const at = w.findIndex((x, i) => !Object.is(x, ref[i]));
            if (at >= 0) expect.fail(`n=${n} k=${k} ${baseline} ${scale}: index ${at}: ${w[at]} vs js ${ref[at]}`);
          }
        }
        const w = chenPassAtKAdvantage(r, k, { groupSize: n, backend });
        const ref = chenPassAtKAdvantage(r, k, { groupSize: n, backend: 'js' });
        const at = w.findIndex((x, i) => !Object.is(x, ref[i]));
        if (at >= 0) expect.fail(`chen n=${n} k=${k}: index ${at}: ${w[at]} vs js ${ref[at]}`);
      }
    }
  });

  itAgreesWithJs('chenPassAtKAdvantage(rewards, k, { groupOffsets, backend }) agrees with js', () => {
    for (const c of cases(true)) {
      const w = chenPassAtKAdvantage(c.g, c.k, { groupOffsets: c.offsets, backend });
      if (agreesWithJs) expectAgree(w, chenPassAtKAdvantage(c.g, c.k, { groupOffsets: c.offsets, backend: 'js' }), c.label);
    }
  });

  itAgreesWithJs('bonRlBinaryAdvantage(rewards, N, { groupOffsets, backend }) agrees with js', () => {
    for (const c of cases(true)) {
      const w = bonRlBinaryAdvantage(c.g, c.k, { groupOffsets: c.offsets, backend });
      expect(w.length).toBe(c.g.length);
      if (agreesWithJs) expectAgree(w, bonRlBinaryAdvantage(c.g, c.k, { groupOffsets: c.offsets, backend: 'js' }), c.label);
    }
  });

  itAgreesWithJs('bestOfNAdvantage, bestOfNAtK and bestOfNDistillationWeights agree with js', () => {
    for (const c of cases(false)) {
      // A noisy verifier with ties: scores on a grid, so equal scores occur within groups.
      const scores = c.g.map((x, i) => Math.round((x * 7 + (i % 5)) * 4) / 4);
      const opts = { groupOffsets: c.offsets };
      const minN = Math.min(...c.offsets.slice(1).map((o, b) => o - (c.offsets[b] as number)));
      for (const baseline of BASELINES) {
        const effective = baseline === 'loo-1' && c.k === 1 ? 'loo' : baseline;
        if ((effective === 'loo' || effective === 'loo-pkpo') && c.k > minN - 1) continue;
        for (const scale of ['sum', 'mean'] as const) {
          const o = { ...opts, baseline, scale };
          expectAgree(
            bestOfNAdvantage(scores, c.g, c.k, { ...o, backend }),
            bestOfNAdvantage(scores, c.g, c.k, { ...o, backend: 'js' }),
            `${c.label}, ${baseline}, ${scale}`,
          );
        }
      }
      expectAgree(bestOfNAtK(scores, c.g, c.k, { ...opts, backend }), bestOfNAtK(scores, c.g, c.k, { ...opts, backend: 'js' }), c.label);
      for (const sampling of ['without-replacement', 'with-replacement'] as const) {
        expectAgree(
          bestOfNDistillationWeights(scores, c.k, { ...opts, sampling, backend }),
          bestOfNDistillationWeights(scores, c.k, { ...opts, sampling, backend: 'js' }),
          `${c.label}, ${sampling}`,
        );
      }
    }
  });

  it('grpoAdvantage and rlooAdvantage agree with js and standardise each group', () => {
    for (const c of [...cases(false), ...cases(true)]) {
      for (const opts of [{}, { ddof: 0 as const, eps: 1e-6 }, { normalize: 'none' as const }]) {
        const label = `${c.label}, ${JSON.stringify(opts)}`;
        const w = grpoAdvantage(c.g, { ...opts, groupOffsets: c.offsets, backend });
        if (agreesWithJs) expectAgree(w, grpoAdvantage(c.g, { ...opts, groupOffsets: c.offsets, backend: 'js' }), label);
        for (const s of relativeGroupSums(w, c.offsets)) expect(s, label).toBeLessThanOrEqual(1e-11);
      }
      const r = rlooAdvantage(c.g, { groupOffsets: c.offsets, backend });
      if (agreesWithJs) expectAgree(r, rlooAdvantage(c.g, { groupOffsets: c.offsets, backend: 'js' }), c.label);
    }
    // std normalisation: Σ w² = n − ddof per group with a non-constant group.
    const w = grpoAdvantage([0.2, 0.9, 0.4, 0.4, 0.1], { backend });
    expect(w.reduce((s, x) => s + x * x, 0)).toBeCloseTo(4, 12);
    expect(Array.from(grpoAdvantage([0.3, 0.3, 0.3], { backend }))).toEqual([0, 0, 0]);
  });
});

describe('wasm zero-copy views', () => {
  it('maxAtKAdvantage(view, k, { out: view, backend: "wasm" }) equals the copying call and leaves no temporaries', () => {
    wasm.reset();
    const c = cases(false)[2] as Case;
    const input = wasm.alloc(c.g.length);
    input.set(c.g);
    const out = wasm.alloc(c.g.length);
    const held = wasm.allocatedBytes;
    maxAtKAdvantage(input, c.k, { groupOffsets: c.offsets, out, backend: 'wasm' });
    expect(wasm.allocatedBytes).toBe(held);
    expect(wasm.refresh(out)).toEqual(maxAtKAdvantage(c.g, c.k, { groupOffsets: c.offsets, backend: 'js' }));
    wasm.reset();
    expect(wasm.allocatedBytes).toBe(0);
  });

  it('refresh(view) gives a live view after the memory grew', () => {
    wasm.reset();
    const view = wasm.alloc(4);
    view.set([1, 2, 3, 4]);
    wasm.reserve(wasm.allocatedBytes + 70_000 * 8 + (wasm.refresh(view).buffer as ArrayBuffer).byteLength);
    expect(wasm.refresh(view).buffer).not.toBe(view.buffer); // moved to a new memory: this view is stale
    expect(Array.from(wasm.refresh(view))).toEqual([1, 2, 3, 4]);
    expect(() => wasm.refresh(new Float64Array(2))).toThrow(/not allocated by this wasm backend/);
    wasm.reset();
  });
});

describe('backend selection', () => {
  it('kernel(backend, name) names the missing kernel and the backend', () => {
    const { maxAtKWeights: _dropped, ...rest } = wasm.kernels;
    registerBackend({ name: 'wasm-partial', kernels: rest });
    expect(() => maxAtKAdvantage([0.1, 0.5, 0.2], 2, { backend: 'wasm-partial' })).toThrow(
      "backend 'wasm-partial' has no kernel 'maxAtKWeights'",
    );
    expect(maxAtK([0.1, 0.5, 0.2], 2, { backend: 'wasm-partial' })).toBeCloseTo(0.4, 15);
  });

  it('an unknown backend name throws InvalidArgumentError listing the registered ones', () => {
    expect(() => maxAtK([0.1, 0.5], 1, { backend: 'gpu' })).toThrow(InvalidArgumentError);
    expect(() => maxAtK([0.1, 0.5], 1, { backend: 'gpu' })).toThrow(/opts\.backend must name a registered backend \(got "gpu"; registered: js, .*wasm/);
    expect(() => setBackend('gpu')).toThrow(/backend must name a registered backend/);
  });

  it('setBackend(name) and loadWasmBackend({ setDefault: true }) switch the default backend', async () => {
    const calls: string[] = [];
    const counting: Backend = {
      name: 'counting',
      kernels: Object.fromEntries(
        Object.entries(wasm.kernels).map(([name, fn]) => [
          name,
          (...args: unknown[]) => {
            calls.push(name);
            return (fn as (...a: unknown[]) => unknown)(...args);
          },
        ]),
      ) as Partial<KernelTable>,
    };
    registerBackend(counting);
    setBackend('counting');
    expect(getBackend().name).toBe('counting');
    maxAtKAdvantage([0.1, 0.7, 0.3], 2);
    expect(calls).toEqual(['maxAtKWeights']);
    maxAtKAdvantage([0.1, 0.7, 0.3], 2, { backend: 'js' });
    expect(calls).toHaveLength(1);
    setBackend('js');
    expect(await loadWasmBackend({ setDefault: true })).toBe(wasm);
    expect(getBackend()).toBe(wasm);
  });

  it('loadWasmBackend fails with WasmUnavailableError without SIMD, or falls back to js when asked', async () => {
    const noSimd = { validate: () => false, instantiate: WebAssembly.instantiate };
    await expect(loadWasmBackendWith(noSimd)).rejects.toThrow(WasmUnavailableError);
    await expect(loadWasmBackendWith(noSimd)).rejects.toThrow(InvalidArgumentError);
    await expect(loadWasmBackendWith(noSimd)).rejects.toThrow(
      "the 'wasm' backend needs WebAssembly SIMD (v128), which this runtime lacks; use the 'js' backend, or pass { fallbackToJs: true } to loadWasmBackend",
    );
    await expect(loadWasmBackendWith(undefined)).rejects.toThrow(/needs WebAssembly, which this runtime lacks/);
    const fallback = await loadWasmBackendWith(noSimd, { fallbackToJs: true, setDefault: true });
    expect(fallback.name).toBe('js');
    expect(getBackend().name).toBe('js');
  });

  it('the SIMD probe accepts this runtime, which supports SIMD', async () => {
    const seen: boolean[] = [];
    const spy = { validate: (b: BufferSource) => (seen.push(WebAssembly.validate(b)), seen[0] as boolean), instantiate: WebAssembly.instantiate };
    const backend = await loadWasmBackendWith(spy);
    expect(seen).toEqual([true]);
    expect(backend.name).toBe('wasm');
  });
});
