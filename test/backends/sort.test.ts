/**
 * The quantised argsort shared by max@k, best-of-N and order statistics, on both backends: it must be
 * exactly the stable argsort (by value, ties in index order) on inputs built to break a quantised key
 * (all equal; two values; ±1e308 with tiny values; subnormals; −0 and +0; one far outlier; values
 * crowded into one bucket so every group needs the exact fallback) at the sizes where the network and
 * the merges change shape (1, 2, 3, 7, 8, 9, 63, 64, 65, 1024, 1025) and on ragged layouts; its repair
 * and exact-fallback paths must actually run; the fused kernels built on it (max@k and best-of-N
 * weights) must give the same bits on js and wasm, and refuse a non-finite value found in their range
 * pass with the error the array check gives.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NonFiniteError,
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistillationWeights,
  maxAtK,
  maxAtKAdvantage,
  orderStatisticAdvantage,
} from '../../src/index.js';
import { loadWasmBackendWith } from '../../src/backends/wasm/index.js';
import type { Backend } from '../../src/backends/types.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { argsortStats } from '../../src/backends/js/sort.js';
import { mulberry32 } from '../support/prng.js';

/** The raw module's counters of groups repaired and re-sorted exactly. */
interface SortStats {
  resetArgsortStats(): void;
  argsortRepaired(): number;
  argsortExact(): number;
}

let wasm: Backend;
let wasmStats: SortStats;
beforeAll(async () => {
  wasm = await loadWasmBackendWith({
    validate: (b: BufferSource) => WebAssembly.validate(b),
    instantiate: async (bytes: BufferSource, imports?: WebAssembly.Imports) => {
      const result = await WebAssembly.instantiate(bytes, imports);
      wasmStats = result.instance.exports as unknown as SortStats;
      return result;
    },
    // The backend moves to a new instance when its memory grows: count on the current one.
    instance: (module: WebAssembly.Module, imports: WebAssembly.Imports) => {
      const instance = new WebAssembly.Instance(module, imports);
      wasmStats = instance.exports as unknown as SortStats;
      return instance;
    },
  } as never);
});

const SIZES = [1, 2, 3, 7, 8, 9, 63, 64, 65, 1024, 1025];
const random = mulberry32(2024);

type Kind = 'uniform' | 'equal' | 'two' | 'huge-tiny' | 'subnormal' | 'signed-zero' | 'outlier' | 'crowded' | 'near' | 'descending';
const KINDS: Kind[] = ['uniform', 'equal', 'two', 'huge-tiny', 'subnormal', 'signed-zero', 'outlier', 'crowded', 'near', 'descending'];

function draw(kind: Kind, i: number, n: number): number {
  const u = random();
  switch (kind) {
    case 'uniform':
      return u;
    case 'equal':
      return 0.375;
    case 'two':
      return u < 0.5 ? -2 : 3;
    case 'huge-tiny':
      // ±1e308 with tiny values: the range overflows, so the quantised path cannot be used.
      return i % 3 === 0 ? (u < 0.5 ? -1e308 : 1e308) : (u - 0.5) * 1e-300;
    case 'subnormal':
      return Math.floor(u * 50) * 5e-324;
    case 'signed-zero':
      return u < 0.4 ? -0 : u < 0.8 ? 0 : u < 0.9 ? 5e-324 : -5e-324;
    case 'outlier':
      return i === n >> 1 ? -1e300 : u;
    case 'crowded':
      // Distinct values all in the bucket of the minimum (the maximum is far), in descending index
      // order: every group of more than a few values needs the exact fallback.
      return i === 0 ? 1 : 1e-200 * (n - i);
    case 'near':
      // Distinct values closer than one bucket apart in pairs, order reversed: the insertion repair.
      return Math.floor(i / 2) + (i % 2 === 0 ? 2 ** -40 : 0);
    case 'descending':
      return n - i;
  }
}

interface Batch {
  label: string;
  values: Float64Array;
  offsets: Int32Array;
}

function batch(kind: Kind, sizes: number[]): Batch {
  const offsets = new Int32Array(sizes.length + 1);
  for (let b = 0; b < sizes.length; b++) offsets[b + 1] = (offsets[b] as number) + (sizes[b] as number);
  const values = new Float64Array(offsets[sizes.length] as number);
  for (let b = 0; b < sizes.length; b++) {
    const n = sizes[b] as number;
    for (let i = 0; i < n; i++) values[(offsets[b] as number) + i] = draw(kind, i, n);
  }
  return { label: `${kind} [${sizes.length > 6 ? `${sizes.length} ragged groups` : sizes.join(', ')}]`, values, offsets };
}

function batches(): Batch[] {
  const out: Batch[] = [];
  for (const kind of KINDS) {
    for (const n of SIZES) out.push(batch(kind, [n, n]));
    out.push(batch(kind, Array.from({ length: 40 }, () => SIZES[Math.floor(random() * SIZES.length)] as number)));
  }
  return out;
}
const BATCHES = batches();

/** The stable argsort by comparison: by value (−0 equals +0), ties in index order. */
function stableArgsort(values: Float64Array, offsets: Int32Array): Int32Array {
  const perm = new Int32Array(values.length);
  for (let b = 0; b + 1 < offsets.length; b++) {
    const lo = offsets[b] as number;
    const idx = Array.from({ length: (offsets[b + 1] as number) - lo }, (_, p) => lo + p);
    idx.sort((i, j) => {
      const a = values[i] as number;
      const c = values[j] as number;
      return a < c ? -1 : a > c ? 1 : i - j;
    });
    perm.set(idx, lo);
  }
  return perm;
}

function sameBits(a: Float64Array, b: Float64Array, label: string): void {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect.fail(`${label}: index ${i}: ${a[i]} vs ${b[i]}`);
  }
}

describe('segmentedArgsort (quantised keys, checked, exact fallback)', () => {
  it.each(['js', 'wasm'])('on %s equals the stable comparison argsort on adversarial inputs and sizes', (name) => {
    const backend = name === 'wasm' ? wasm : jsBackend;
    const argsort = backend.kernels.segmentedArgsort;
    if (argsort === undefined) throw new Error('no segmentedArgsort');
    for (const { label, values, offsets } of BATCHES) {
      const expected = Array.from(stableArgsort(values, offsets));
      const perm = new Int32Array(values.length);
      argsort(values, offsets, perm);
      expect(Array.from(perm), label).toEqual(expected);
      // The same keys as a plain array (the js kernel reads other inputs into a Float64Array first).
      const fromArray = new Int32Array(values.length);
      argsort(Array.from(values), offsets, fromArray);
      expect(Array.from(fromArray), `${label} plain array`).toEqual(expected);
    }
  });

  it('on js takes the radix path up to 1024 values and the distribution path above, both exact', () => {
    // Float32 keys too: their doubles are what both paths sort.
    const cases: [Batch, boolean][] = [
      [batch('uniform', [1024, 1000, 64, 2]), false],
      [batch('uniform', [1025, 5000]), true],
      [batch('near', [1025, 2048]), true],
    ];
    for (const [b, distribution] of cases) {
      for (const keys of [b.values, Float32Array.from(b.values)]) {
        const asDouble = Float64Array.from(keys);
        argsortStats.distribution = 0;
        const perm = new Int32Array(keys.length);
        jsBackend.kernels.segmentedArgsort?.(keys, b.offsets, perm);
        expect(Array.from(perm), b.label).toEqual(Array.from(stableArgsort(asDouble, b.offsets)));
        expect(argsortStats.distribution > 0, `${b.label} distribution`).toBe(distribution);
      }
    }
  });

  it('on js keeps the repair and the exact fallback linear-time bounded on adversarial groups', () => {
    // Every group crowded (one value far from the rest, the others in descending order): the
    // insertion repair gives up within its budget and each group is re-sorted by the merge argsort,
    // so a large group still sorts (a quadratic insertion sort would need ~n²/2 = 2·10⁹ moves here).
    const n = 65536;
    const values = new Float64Array(2 * n);
    for (let b = 0; b < 2; b++) for (let i = 0; i < n; i++) values[b * n + i] = draw('crowded', i, n);
    const offsets = Int32Array.from([0, n, 2 * n]);
    argsortStats.exact = 0;
    argsortStats.repaired = 0;
    const perm = new Int32Array(2 * n);
    jsBackend.kernels.segmentedArgsort?.(values, offsets, perm);
    expect(argsortStats.exact).toBe(2);
    expect(argsortStats.repaired).toBe(0);
    expect(Array.from(perm)).toEqual(Array.from(stableArgsort(values, offsets)));
    // Up to 1024 values (the radix path): the same fallback.
    const small = batch('crowded', [1024, 1000, 513]);
    argsortStats.exact = 0;
    const p2 = new Int32Array(small.values.length);
    jsBackend.kernels.segmentedArgsort?.(small.values, small.offsets, p2);
    expect(argsortStats.exact).toBe(3);
    expect(Array.from(p2)).toEqual(Array.from(stableArgsort(small.values, small.offsets)));
  });

  it('runs the insertion repair and the exact fallback on both backends (and only where needed)', () => {
    const perm = (b: Batch): Int32Array => new Int32Array(b.values.length);
    const crowded = batch('crowded', [1025, 1024, 65, 64]);
    const near = batch('near', [1024, 64]);
    const uniform = batch('uniform', [64, 64, 64]);
    for (const [b, repaired, exact] of [
      [crowded, false, true],
      [near, true, false],
      [uniform, false, false],
    ] as const) {
      argsortStats.repaired = 0;
      argsortStats.exact = 0;
      jsBackend.kernels.segmentedArgsort?.(b.values, b.offsets, perm(b));
      wasmStats.resetArgsortStats();
      wasm.kernels.segmentedArgsort?.(b.values, b.offsets, perm(b));
      expect(argsortStats.exact > 0, `js exact ${b.label}`).toBe(exact);
      expect(wasmStats.argsortExact() > 0, `wasm exact ${b.label}`).toBe(exact);
      if (exact) {
        // Every group of the crowded batch falls back.
        expect(argsortStats.exact).toBe(4);
        expect(wasmStats.argsortExact()).toBe(4);
      } else {
        // (The js radix sort repairs about one uniform group of 64 in five: 4096 keys for 64 values.)
        if (repaired) expect(argsortStats.repaired > 0, `js repaired ${b.label}`).toBe(true);
        expect(wasmStats.argsortRepaired() > 0, `wasm repaired ${b.label}`).toBe(repaired);
      }
    }
  });
});

describe('fused kernels on the quantised argsort: js and wasm give the same bits', () => {
  const baselines = ['none', 'loo', 'loo-1', 'loo-pkpo'] as const;

  it('maxAtKAdvantage and maxAtK, every baseline and scale, adversarial inputs and ragged layouts', () => {
    for (const { label, values, offsets } of BATCHES) {
      let minN = Infinity;
      for (let b = 0; b + 1 < offsets.length; b++) minN = Math.min(minN, (offsets[b + 1] as number) - (offsets[b] as number));
      for (const k of [1, 2, Math.min(8, minN), minN].filter((x, i, a) => x <= minN && a.indexOf(x) === i)) {
        for (const baseline of baselines) {
          if ((baseline === 'loo' || baseline === 'loo-pkpo' || (baseline === 'loo-1' && k === 1)) && k > minN - 1) continue;
          for (const scale of ['sum', 'mean'] as const) {
            const o = { groupOffsets: offsets, baseline, scale };
            const js = maxAtKAdvantage(values, k, { ...o, backend: 'js' });
            sameBits(maxAtKAdvantage(values, k, { ...o, backend: 'wasm' }), js, `${label} k=${k} ${baseline} ${scale}`);
            sameBits(maxAtKAdvantage(Array.from(values), k, { ...o, backend: 'js' }), js, `${label} plain array`);
          }
        }
        sameBits(
          maxAtK(values, k, { groupOffsets: offsets, backend: 'wasm' }),
          maxAtK(values, k, { groupOffsets: offsets, backend: 'js' }),
          `${label} maxAtK k=${k}`,
        );
      }
    }
  });

  it('maxAtKAdvantage loo-1 (the fused pass, two groups at a time): neighbours of different kinds, sizes and ranges', () => {
    // The wasm kernel runs two neighbouring groups of one size together and falls back per group (keys
    // that collided, a range that could overflow a weight, a size that differs): every mix of those in
    // one pair must give the js bits.
    const kinds: Kind[] = ['uniform', 'crowded', 'near', 'huge-tiny', 'equal', 'two', 'outlier', 'signed-zero'];
    const wide = (i: number): number => (i % 2 === 0 ? -6e305 : 6e305) * (1 - i / 1e4);
    for (const n of [2, 9, 64, 65, 1024]) {
      const groups: number[][] = [];
      for (const a of kinds) for (const b of kinds) groups.push(Array.from({ length: n }, (_, i) => draw(a, i, n)), Array.from({ length: n }, (_, i) => draw(b, i, n)));
      // Weights that overflow under 'sum' only (range · n ≥ 2^1021), next to ordinary groups; a group of
      // another size between two of this size; an odd count.
      groups.push(Array.from({ length: n }, (_, i) => wide(i)), Array.from({ length: n }, (_, i) => draw('uniform', i, n)));
      groups.push(Array.from({ length: n + 1 }, (_, i) => draw('uniform', i, n + 1)), Array.from({ length: n }, (_, i) => draw('near', i, n)));
      const offsets = new Int32Array(groups.length + 1);
      groups.forEach((g, b) => (offsets[b + 1] = (offsets[b] as number) + g.length));
      const values = Float64Array.from(groups.flat());
      for (const k of [2, Math.min(8, n)]) {
        for (const scale of ['sum', 'mean'] as const) {
          const o = { groupOffsets: offsets, baseline: 'loo-1' as const, scale };
          const run = (backend: string): Float64Array | Error => {
            try {
              return maxAtKAdvantage(values, k, { ...o, backend });
            } catch (e) {
              return e as Error;
            }
          };
          const js = run('js');
          const w = run('wasm');
          if (js instanceof Error || w instanceof Error) expect(String(w), `n=${n} k=${k} ${scale}`).toBe(String(js));
          else sameBits(w, js, `n=${n} k=${k} ${scale}`);
        }
      }
    }
  });

  it('bestOfNAdvantage, bestOfNAtK, bestOfNDistillationWeights and orderStatisticAdvantage', () => {
    for (const { label, values, offsets } of BATCHES) {
      let minN = Infinity;
      for (let b = 0; b + 1 < offsets.length; b++) minN = Math.min(minN, (offsets[b + 1] as number) - (offsets[b] as number));
      const rewards = values.map((_, i) => (i % 5) * 0.25);
      const k = Math.min(3, minN);
      for (const baseline of baselines) {
        if ((baseline === 'loo' || baseline === 'loo-pkpo' || (baseline === 'loo-1' && k === 1)) && k > minN - 1) continue;
        const o = { groupOffsets: offsets, baseline };
        sameBits(
          bestOfNAdvantage(values, rewards, k, { ...o, backend: 'wasm' }),
          bestOfNAdvantage(values, rewards, k, { ...o, backend: 'js' }),
          `${label} bestOfNAdvantage ${baseline}`,
        );
      }
      sameBits(
        bestOfNAtK(values, rewards, k, { groupOffsets: offsets, backend: 'wasm' }),
        bestOfNAtK(values, rewards, k, { groupOffsets: offsets, backend: 'js' }),
        `${label} bestOfNAtK`,
      );
      sameBits(
        bestOfNDistillationWeights(values, k, { groupOffsets: offsets, backend: 'wasm' }),
        bestOfNDistillationWeights(values, k, { groupOffsets: offsets, backend: 'js' }),
        `${label} bestOfNDistillationWeights`,
      );
      if (!label.startsWith('huge-tiny')) {
        sameBits(
          orderStatisticAdvantage(values, k, 'median', { groupOffsets: offsets, baseline: 'none', backend: 'wasm' }),
          orderStatisticAdvantage(values, k, 'median', { groupOffsets: offsets, baseline: 'none', backend: 'js' }),
          `${label} orderStatisticAdvantage`,
        );
      }
    }
  });

  it.each(['js', 'wasm'])('on %s a non-finite value found by the range pass throws the array check’s NonFiniteError', (backend) => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 9, 63]) {
        const g = new Float64Array(64).map((_, i) => i / 64);
        g[at] = bad;
        const ones = new Float64Array(64).fill(1);
        const message = `must be finite (got ${String(bad)} at index ${at})`;
        for (const input of [g, Float32Array.from(g)]) {
          expect(() => maxAtKAdvantage(input, 2, { groupSize: 8, backend })).toThrow(NonFiniteError);
          expect(() => maxAtKAdvantage(input, 2, { groupSize: 8, backend })).toThrow(`rewards ${message}`);
          expect(() => bestOfNAdvantage(input, ones, 2, { groupSize: 8, backend })).toThrow(`scores ${message}`);
          expect(() => bestOfNAdvantage(ones, input, 2, { groupSize: 8, backend })).toThrow(`rewards ${message}`);
          expect(() => bestOfNAtK(input, ones, 2, { groupSize: 8, backend })).toThrow(`scores ${message}`);
          expect(() => bestOfNAtK(ones, input, 2, { groupSize: 8, backend })).toThrow(`rewards ${message}`);
          expect(() => bestOfNDistillationWeights(input, 2, { groupSize: 8, backend })).toThrow(`scores ${message}`);
        }
      }
    }
  });
});
