/**
 * Benchmark of passAtKAdvantage (binary) and maxAtKAdvantage (continuous) against
 * (a) an O(n²) per-group reference built the way PKPO's listing defines the weights (the matrix m_ij) and
 * (b) the memory floor, a Float64Array.prototype.set of the same bytes (rewards in → weights out).
 * Targets: binary loo-1 within 3× of the floor; ≥ 20× faster than the reference at n = 64.
 * How to run and read it: docs/benchmarks.md.
 */
import { maxAtKAdvantage, passAtKAdvantage } from '../src/index.js';
import { floorAndReferenceSummary, runBench, type BenchCase, type BenchGroup } from './harness.js';
import { mulberry32 as prng } from '../test/support/prng.js';

type RefBaseline = 'none' | 'loo' | 'loo-1';

/**
 * m_ii / C(n,k) and m_ij / C(n,k) (j > i), 0-based, exactly as `_m_normed(N, K, i, j)` of PKPO's
 * Listing 1 computes them (a product of k − 1 resp. k − 2 ratios): Walder & Karkhanis, "Pass@K Policy
 * Optimization", arXiv 2505.15201, Appendix B. In 1-based sorted positions m_ii = C(i−1, k−1) and
 * m_ij = C(j−2, k−2) for j > i. Both depend on one index only, so a row vector each is enough to build M.
 */
function mNormed(n: number, k: number, diag: Float64Array, offDiag: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let d = 0;
    if (i >= k - 1) {
      d = k / (n - k + 1);
      for (let t = 0; t < k - 1; t++) d *= (i - k + 2 + t) / (n - k + 2 + t);
    }
    diag[i] = d;
    let o = 0;
    if (i >= k - 1 && k >= 2) {
      o = ((k / (n - k + 1)) * (k - 1)) / n;
      for (let t = 0; t < k - 2; t++) o *= (i - k + 2 + t) / (n - k + 2 + t);
    }
    offDiag[i] = o;
  }
}

/**
 * The straightforward reference: per group, argsort, build the n×n matrix M of subset weights
 * (M_ii = m_ii, M_ij = m_ij for j > i, 0 below the diagonal, all over C(n,k)), s = M g_sorted, subtract
 * the leave-one-out baseline (k/n)·ρ(g₋ᵢ, k′) computed from its definition over the other n − 1 sorted
 * values, and scatter back to input order. O(n²) per group. Buffers are reused across groups and the
 * weight vectors are computed once per call (they depend only on n and k).
 */
function pkpoMatrixReference(g: Float64Array, n: number, k: number, baseline: RefBaseline, out: Float64Array): Float64Array {
  const groups = g.length / n;
  const diag = new Float64Array(n);
  const offDiag = new Float64Array(n);
  mNormed(n, k, diag, offDiag);
  // ρ(g₋ᵢ, k′) = Σ_p m_pp(n−1, k′) g₋ᵢ,(p): loo uses k′ = k, loo-1 uses k′ = k − 1.
  const looDiag = new Float64Array(n - 1);
  mNormed(n - 1, baseline === 'loo-1' ? k - 1 : k, looDiag, new Float64Array(n - 1));
  const M = new Float64Array(n * n);
  const order = new Int32Array(n);
  const sorted = new Float64Array(n);
  const s = new Float64Array(n);
  for (let b = 0; b < groups; b++) {
    const start = b * n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => (g[start + x] as number) - (g[start + y] as number));
    for (let i = 0; i < n; i++) sorted[i] = g[start + (order[i] as number)] as number;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) M[row + j] = j < i ? 0 : j === i ? (diag[i] as number) : (offDiag[j] as number);
    }
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let acc = 0;
      for (let j = 0; j < n; j++) acc += (M[row + j] as number) * (sorted[j] as number);
      s[i] = acc;
    }
    if (baseline !== 'none') {
      for (let i = 0; i < n; i++) {
        let rho = 0;
        for (let j = 0; j < n; j++) {
          if (j !== i) rho += (looDiag[j < i ? j : j - 1] as number) * (sorted[j] as number);
        }
        s[i] = (s[i] as number) - (k / n) * rho;
      }
    }
    for (let i = 0; i < n; i++) out[start + (order[i] as number)] = s[i] as number;
  }
  return out;
}


/** Binary rewards whose success rate varies by group (so every count c from 0 to n occurs). */
function binaryRewards(groups: number, n: number, seed: number): Float64Array {
  const rand = prng(seed);
  const g = new Float64Array(groups * n);
  for (let b = 0; b < groups; b++) {
    const p = rand() ** 2;
    for (let i = 0; i < n; i++) g[b * n + i] = rand() < p ? 1 : 0;
  }
  return g;
}

function continuousRewards(groups: number, n: number, seed: number): Float64Array {
  const rand = prng(seed);
  const g = new Float64Array(groups * n);
  for (let i = 0; i < g.length; i++) g[i] = rand() * 2 - 1;
  return g;
}

/** The first and the last group: where results are compared inside the timed loop. */
function probeIndices(groups: number, n: number): Int32Array {
  const idx = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    idx[i] = i;
    idx[n + i] = (groups - 1) * n + i;
  }
  return idx;
}

/** A check that compares the probed entries of a result with independently computed ones. */
function matches(what: string, probes: Int32Array, expected: Float64Array): (r: unknown) => void {
  return (r) => {
    const a = r as Float64Array;
    for (let t = 0; t < probes.length; t++) {
      const got = a[probes[t] as number] as number;
      const want = expected[t] as number;
      if (!(Math.abs(got - want) <= 1e-12 + 1e-9 * Math.abs(want))) {
        throw new Error(`${what}: entry ${probes[t]} is ${got}, expected ${want}`);
      }
    }
  };
}

function probe(values: Float64Array, probes: Int32Array): Float64Array {
  return Float64Array.from(probes, (i) => values[i] as number);
}

/** The reference on the probed groups only (cheap), for checking the library inside its loop. */
function referenceProbe(g: Float64Array, groups: number, n: number, k: number, baseline: RefBaseline): Float64Array {
  const firstAndLast = new Float64Array(2 * n);
  firstAndLast.set(g.subarray(0, n));
  firstAndLast.set(g.subarray((groups - 1) * n), n);
  return pkpoMatrixReference(firstAndLast, n, k, baseline, new Float64Array(2 * n));
}

type Estimator = (g: Float64Array, k: number, opts: { groupSize: number; baseline: RefBaseline; out?: Float64Array }) => Float64Array;

function group(title: string, estimator: Estimator, g: Float64Array, groups: number, n: number, k: number): BenchGroup {
  const probes = probeIndices(groups, n);
  const out = new Float64Array(g.length);
  const floorOut = new Float64Array(g.length);
  const refOut = new Float64Array(g.length);
  const library = (baseline: RefBaseline): BenchCase => ({
    name: baseline,
    fn: () => estimator(g, k, { groupSize: n, baseline, out }),
    check: matches(`${title} ${baseline}`, probes, referenceProbe(g, groups, n, k, baseline)),
  });
  const libraryLoo1 = probe(estimator(g, k, { groupSize: n, baseline: 'loo-1' }), probes);
  const last = g.length - 1;
  return {
    title,
    baseline: 'loo-1',
    // Rewards read plus weights written, 8 bytes each.
    bytes: 16 * g.length,
    elements: g.length,
    cases: [
      library('loo-1'),
      library('none'),
      library('loo'),
      {
        name: 'loo-1, new output',
        fn: () => estimator(g, k, { groupSize: n, baseline: 'loo-1' }),
        check: matches(`${title} loo-1 (allocating)`, probes, libraryLoo1),
        note: 'no `out` option: allocates and zero-fills the output on every call',
      },
      {
        name: 'memory floor (set)',
        fn: () => {
          floorOut.set(g);
          return floorOut;
        },
        check: (r) => {
          if ((r as Float64Array)[last] !== g[last]) throw new Error('set did not copy');
        },
        note: '`Float64Array.prototype.set` of the rewards into a preallocated output',
      },
      {
        name: 'PKPO matrix O(n²)',
        fn: () => pkpoMatrixReference(g, n, k, 'loo-1', refOut),
        check: matches(`${title} reference`, probes, libraryLoo1),
        note: 'per group: argsort, build the n×n m_ij matrix, multiply, leave-one-out baseline from its definition',
      },
    ],
  };
}


export default async function passMaxBench(opts: { quick: boolean }): Promise<void> {
  const big = opts.quick ? { groups: 200, n: 64, k: 8 } : { groups: 100_000, n: 64, k: 8 };
  const wide = opts.quick ? { groups: 4, n: 1024, k: 64 } : { groups: 1_000, n: 1024, k: 64 };
  const pass: Estimator = passAtKAdvantage;
  const max: Estimator = maxAtKAdvantage;
  const fmt = (s: { groups: number; n: number; k: number }): string =>
    `${s.groups.toLocaleString('en-US')} groups × n = ${s.n}, k = ${s.k}`;
  const groups: BenchGroup[] = [
    group(`passAtKAdvantage (binary), ${fmt(big)}`, pass, binaryRewards(big.groups, big.n, 1), big.groups, big.n, big.k),
    group(`maxAtKAdvantage (continuous), ${fmt(big)}`, max, continuousRewards(big.groups, big.n, 2), big.groups, big.n, big.k),
    group(`passAtKAdvantage (binary), ${fmt(wide)}`, pass, binaryRewards(wide.groups, wide.n, 3), wide.groups, wide.n, wide.k),
    group(`maxAtKAdvantage (continuous), ${fmt(wide)}`, max, continuousRewards(wide.groups, wide.n, 4), wide.groups, wide.n, wide.k),
  ];
  const report = await runBench('pass-max', groups, opts);
  console.log(`\n${floorAndReferenceSummary(report, { base: 'loo-1', floor: 'memory floor (set)', reference: 'PKPO matrix O(n²)' })}\n`);
}
