/**
 * Benchmark of bestOfNAdvantage (scores + rewards → weights, ties split exactly) on
 * 100,000 groups × n = 64 against
 * (a) an O(n²) per-group reference that evaluates the tie-block formula term by term and each
 *     leave-one-out metric from its definition on the reduced group, and
 * (b) the memory floor: Float64Array.prototype.set of the same bytes (scores and rewards in, one
 *     array of that size out).
 * Two score distributions: continuous (no ties) and 8 levels (heavy ties, as with discrete verifiers).
 * How to run and read it: docs/benchmarks.md.
 */
import { bestOfNAdvantage, type Baseline } from '../src/index.js';
import { floorAndReferenceSummary, runBench, type BenchCase, type BenchGroup } from './harness.js';
import { mulberry32 as prng } from '../test/support/prng.js';

/** μ_p = C(p−1, κ−1)/C(m, κ) for p = 1..m at index p − 1 (all zeros for κ = 0). */
function subsetMax(m: number, kappa: number, out: Float64Array): void {
  out.fill(0, 0, m);
  if (kappa < 1 || kappa > m) return;
  let x = kappa / m;
  out[m - 1] = x;
  for (let p = m; p > 1; p--) {
    x = p - 1 >= kappa ? (x * (p - kappa)) / (p - 1) : 0;
    out[p - 2] = x;
  }
}

/**
 * The straightforward reference, buffers reused: per group, argsort; for each sample, the tie-block formula
 * s_i = (1/m) Σ_{p=a..b} [μ_p r_i + r̄₋ᵢ Σ_{j=p+1..b} ν_j] + Σ_{j>b} ν_j r̄_(j) summed term by term,
 * then ρ(g₋ᵢ, k′) recomputed over the other n − 1 sorted samples (block means included). O(n²) per group.
 */
function quadraticReference(
  v: Float64Array,
  r: Float64Array,
  n: number,
  k: number,
  baseline: Baseline,
  out: Float64Array,
): Float64Array {
  const groups = v.length / n;
  const mu = new Float64Array(n);
  subsetMax(n, k, mu);
  const nu = new Float64Array(n);
  for (let j = 1; j < n; j++) nu[j] = k >= 2 ? ((mu[j] as number) * (k - 1)) / j : 0;
  const kappa = baseline === 'loo-1' && k >= 2 ? k - 1 : k;
  const mu1 = new Float64Array(n);
  subsetMax(n - 1, kappa, mu1);
  const order = new Int32Array(n);
  const sv = new Float64Array(n);
  const sr = new Float64Array(n);
  const blockLo = new Int32Array(n);
  const blockHi = new Int32Array(n);
  const blockMean = new Float64Array(n);
  for (let g = 0; g < groups; g++) {
    const start = g * n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => (v[start + x] as number) - (v[start + y] as number));
    for (let p = 0; p < n; p++) {
      sv[p] = v[start + (order[p] as number)] as number;
      sr[p] = r[start + (order[p] as number)] as number;
    }
    for (let a = 0; a < n; ) {
      let b = a;
      let sum = 0;
      while (b < n && sv[b] === sv[a]) sum += sr[b++] as number;
      for (let p = a; p < b; p++) {
        blockLo[p] = a;
        blockHi[p] = b - 1;
        blockMean[p] = sum / (b - a);
      }
      a = b;
    }
    for (let pos = 0; pos < n; pos++) {
      const a = blockLo[pos] as number;
      const b = blockHi[pos] as number;
      const m = b - a + 1;
      const ri = sr[pos] as number;
      const rOthers = m > 1 ? ((blockMean[pos] as number) * m - ri) / (m - 1) : 0;
      let s = 0;
      for (let p = a; p <= b; p++) {
        let inner = 0;
        for (let j = p + 1; j <= b; j++) inner += nu[j] as number;
        s += (mu[p] as number) * ri + rOthers * inner;
      }
      s /= m;
      for (let j = b + 1; j < n; j++) s += (nu[j] as number) * (blockMean[j] as number);
      if (baseline !== 'none') {
        // ρ(g₋ᵢ, κ): the reduced group keeps the blocks; i's block loses i (mean r̄₋ᵢ).
        let rho = 0;
        for (let p = 0, q = 0; p < n; p++) {
          if (p === pos) continue;
          const mean = p >= a && p <= b ? rOthers : (blockMean[p] as number);
          rho += (mu1[q++] as number) * mean;
        }
        s -= (baseline === 'loo-pkpo' ? k / (n - 1) : k / n) * rho;
      }
      out[start + (order[pos] as number)] = s;
    }
  }
  return out;
}


function data(groups: number, n: number, levels: number, seed: number): { v: Float64Array; r: Float64Array } {
  const rand = prng(seed);
  const v = new Float64Array(groups * n);
  const r = new Float64Array(groups * n);
  for (let i = 0; i < v.length; i++) {
    const truth = rand();
    r[i] = truth;
    const noisy = truth + 0.3 * (rand() - 0.5); // a verifier correlated with the reward
    v[i] = levels > 0 ? Math.round(noisy * levels) : noisy;
  }
  return { v, r };
}

/** First and last group's entries: compared inside the timed loop. */
function probeIndices(groups: number, n: number): Int32Array {
  const idx = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    idx[i] = i;
    idx[n + i] = (groups - 1) * n + i;
  }
  return idx;
}

function matches(what: string, probes: Int32Array, expected: Float64Array): (r: unknown) => void {
  return (res) => {
    const a = res as Float64Array;
    for (let t = 0; t < probes.length; t++) {
      const got = a[probes[t] as number] as number;
      const want = expected[t] as number;
      if (!(Math.abs(got - want) <= 1e-12 + 1e-9 * Math.abs(want))) {
        throw new Error(`${what}: entry ${probes[t]} is ${got}, expected ${want}`);
      }
    }
  };
}

function referenceProbe(v: Float64Array, r: Float64Array, groups: number, n: number, k: number, baseline: Baseline): Float64Array {
  const pick = (x: Float64Array): Float64Array => {
    const y = new Float64Array(2 * n);
    y.set(x.subarray(0, n));
    y.set(x.subarray((groups - 1) * n), n);
    return y;
  };
  return quadraticReference(pick(v), pick(r), n, k, baseline, new Float64Array(2 * n));
}

function group(title: string, v: Float64Array, r: Float64Array, groups: number, n: number, k: number): BenchGroup {
  const probes = probeIndices(groups, n);
  const out = new Float64Array(v.length);
  const floorOut = new Float64Array(2 * v.length);
  const refOut = new Float64Array(v.length);
  const library = (baseline: Baseline): BenchCase => ({
    name: baseline,
    fn: () => bestOfNAdvantage(v, r, k, { groupSize: n, baseline, out }),
    check: matches(`${title} ${baseline}`, probes, referenceProbe(v, r, groups, n, k, baseline)),
  });
  const last = v.length - 1;
  return {
    title,
    baseline: 'loo-1',
    // scores and rewards read, weights written: 8 bytes each.
    bytes: 24 * v.length,
    elements: v.length,
    cases: [
      library('loo-1'),
      library('none'),
      library('loo'),
      {
        name: 'memory floor (set)',
        fn: () => {
          floorOut.set(v);
          floorOut.set(r, v.length);
          return floorOut;
        },
        check: (res) => {
          if ((res as Float64Array)[v.length + last] !== r[last]) throw new Error('set did not copy');
        },
        bytes: 32 * v.length,
        note: '`Float64Array.prototype.set` of scores and rewards into a preallocated array (16 B read + 16 B written per sample)',
      },
      {
        name: 'tie-block formula O(n²)',
        fn: () => quadraticReference(v, r, n, k, 'loo-1', refOut),
        check: matches(`${title} reference`, probes, referenceProbe(v, r, groups, n, k, 'loo-1')),
        note: 'per group: argsort, the tie-block sums term by term, ρ(g₋ᵢ, k−1) from its definition',
      },
    ],
  };
}


export default async function bestOfNBench(opts: { quick: boolean }): Promise<void> {
  const size = opts.quick ? { groups: 200, n: 64, k: 8 } : { groups: 100_000, n: 64, k: 8 };
  const fmt = `${size.groups.toLocaleString('en-US')} groups × n = ${size.n}, k = ${size.k}`;
  const continuous = data(size.groups, size.n, 0, 1);
  const tied = data(size.groups, size.n, 8, 2);
  const groups: BenchGroup[] = [
    group(`bestOfNAdvantage, continuous scores, ${fmt}`, continuous.v, continuous.r, size.groups, size.n, size.k),
    group(`bestOfNAdvantage, scores on 8 levels (ties), ${fmt}`, tied.v, tied.r, size.groups, size.n, size.k),
  ];
  const report = await runBench('best-of-n', groups, opts);
  console.log(`\n${floorAndReferenceSummary(report, { base: 'loo-1', floor: 'memory floor (set)', reference: 'tie-block formula O(n²)' })}\n`);
}
