/**
 * Benchmark of the exact maj@k DP (majorityAtK, majorityVoteAdvantage) against
 * (a) subset enumeration (what NeMo-RL does: the mean of f over all C(n,k) subsets) and
 * (b) the "first k samples" estimator (what lm-eval does: the majority of samples 0..k−1 only; cheap,
 *     unbiased, but high variance, see docs/estimators/majority-vote.md).
 * Sizes: n = 64, k = 8, 8 distinct answers, 10,000 groups; n = 1024, k = 64. Enumeration cannot do
 * 10,000 groups of C(64,8) = 4.4·10^9 subsets, so it is timed on (i) n = 24 (735,471 subsets per
 * group, enumerated in full) and (ii) 10^6 of the subsets of one n = 64 group, and the per-group ratio
 * is extrapolated and printed after the tables (also in bench/results/majority.extrapolation.json).
 * How to run and read it: docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { majorityAtK, majorityVoteAdvantage } from '../src/index.js';
import { runBench, type BenchGroup } from './harness.js';
import { mulberry32 as rng } from '../test/support/prng.js';


interface Batch {
  answers: Int32Array; // answer ids 0..A−1; answer 0 is the correct one
  rewards: Float64Array;
  n: number;
  groups: number;
}

/** Each group draws n answers from its own random distribution over `A` answers (answer 0 correct). */
function makeBatch(groups: number, n: number, A: number, seed: number): Batch {
  const rand = rng(seed);
  const answers = new Int32Array(groups * n);
  const rewards = new Float64Array(groups * n);
  const p = new Float64Array(A);
  for (let g = 0; g < groups; g++) {
    let z = 0;
    for (let a = 0; a < A; a++) z += p[a] = rand() ** 2 + 0.02;
    for (let i = 0; i < n; i++) {
      let u = rand() * z;
      let a = 0;
      while (a < A - 1 && (u -= p[a] as number) > 0) a++;
      answers[g * n + i] = a;
      rewards[g * n + i] = a === 0 ? 1 : 0;
    }
  }
  return { answers, rewards, n, groups };
}

/** Answers of sizes 1, 2, 3, … (all distinct) while they fit in n, the rest null; every third answer correct. */
function distinctSizes(n: number): { answers: (number | null)[]; rewards: number[]; clusters: number } {
  const answers: (number | null)[] = [];
  const rewards: number[] = [];
  let a = 0;
  for (let m = 1; answers.length + m <= n; m++, a++) {
    for (let i = 0; i < m; i++) answers.push(a), rewards.push(a % 3 === 0 ? 1 : 0);
  }
  const clusters = a + (answers.length < n ? 1 : 0);
  while (answers.length < n) answers.push(null), rewards.push(0);
  return { answers, rewards, clusters };
}

/** f of one set of votes: split ties (mean reward of the tied answers). */
function majorityOfVotes(votes: Int32Array, A: number): number {
  let best = 0;
  for (let a = 0; a < A; a++) if ((votes[a] as number) > best) best = votes[a] as number;
  let tied = 0;
  for (let a = 0; a < A; a++) if (votes[a] === best) tied++;
  return votes[0] === best ? 1 / tied : 0;
}

/** lm-eval's way: the majority vote of the first k samples of each group. */
function firstK(b: Batch, k: number, A: number): Float64Array {
  const out = new Float64Array(b.groups);
  const votes = new Int32Array(A);
  for (let g = 0; g < b.groups; g++) {
    votes.fill(0);
    for (let i = 0; i < k; i++) votes[b.answers[g * b.n + i] as number]!++;
    out[g] = majorityOfVotes(votes, A);
  }
  return out;
}

/** NeMo-RL's way: the mean of f over every k-subset (or the first `limit` subsets) of each group. */
function enumerate(b: Batch, k: number, A: number, groups: number, limit = Infinity): Float64Array {
  const out = new Float64Array(groups);
  const votes = new Int32Array(A);
  const idx = new Int32Array(k);
  for (let g = 0; g < groups; g++) {
    const base = g * b.n;
    for (let i = 0; i < k; i++) idx[i] = i;
    let sum = 0;
    let count = 0;
    while (count < limit) {
      votes.fill(0);
      for (let i = 0; i < k; i++) votes[b.answers[base + (idx[i] as number)] as number]!++;
      sum += majorityOfVotes(votes, A);
      count++;
      let i = k - 1;
      while (i >= 0 && idx[i] === b.n - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = (idx[j - 1] as number) + 1;
    }
    out[g] = sum / count;
  }
  return out;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return Math.round(r);
}

function expectMetrics(result: unknown, groups: number): Float64Array {
  if (!(result instanceof Float64Array) || result.length !== groups) throw new Error('bad metric output');
  for (const v of result) if (!(v >= 0 && v <= 1)) throw new Error(`maj@k out of [0, 1]: ${v}`);
  return result;
}

function expectClose(result: unknown, expected: Float64Array, tol: number): void {
  const got = expectMetrics(result, expected.length);
  for (let i = 0; i < got.length; i++) {
    if (Math.abs((got[i] as number) - (expected[i] as number)) > tol) throw new Error(`group ${i}: ${got[i]} vs ${expected[i]}`);
  }
}

export default async function majorityBench(opts: { quick: boolean }): Promise<void> {
  const A = 8;
  const main = opts.quick ? { groups: 200, n: 64, k: 8 } : { groups: 10_000, n: 64, k: 8 };
  const small = opts.quick ? { groups: 2, n: 16, k: 8 } : { groups: 20, n: 24, k: 8 };
  const wide = opts.quick ? { groups: 2, n: 1024, k: 64 } : { groups: 20, n: 1024, k: 64 };
  const PARTIAL = opts.quick ? 10_000 : 1_000_000;

  const b64 = makeBatch(main.groups, main.n, A, 1);
  const bSmall = makeBatch(small.groups, small.n, A, 2);
  const b1024 = makeBatch(wide.groups, wide.n, A, 3);
  const answers64 = Array.from(b64.answers);
  const one = { answers: b64.answers.subarray(0, main.n), rewards: b64.rewards.subarray(0, main.n), n: main.n, groups: 1 };

  const exactSmall = enumerate(bSmall, small.k, A, small.groups);
  const weightSum = (w: unknown, b: Batch, k: number, metric: Float64Array): void => {
    if (!(w instanceof Float64Array) || w.length !== b.groups * b.n) throw new Error('bad weight output');
    // Σ_i s_i = k·ρ per group under baseline 'none'
    for (let g = 0; g < b.groups; g++) {
      let s = 0;
      for (let i = 0; i < b.n; i++) s += w[g * b.n + i] as number;
      if (Math.abs(s - k * (metric[g] as number)) > 1e-10) throw new Error(`group ${g}: Σ s = ${s} ≠ k·ρ`);
    }
  };
  const metric64 = majorityAtK(b64.answers, b64.rewards, main.k, { groupSize: main.n });
  const metric1024 = majorityAtK(b1024.answers, b1024.rewards, wide.k, { groupSize: wide.n });

  const groups: BenchGroup[] = [
    {
      title: `maj@k, n = ${main.n}, k = ${main.k}, ${A} answers, ${main.groups} groups`,
      baseline: 'majorityAtK (exact DP)',
      elements: main.groups * main.n,
      cases: [
        {
          name: 'majorityAtK (exact DP)',
          fn: () => majorityAtK(b64.answers, b64.rewards, main.k, { groupSize: main.n }),
          check: (r) => expectMetrics(r, main.groups),
        },
        {
          name: 'first k samples (lm-eval)',
          fn: () => firstK(b64, main.k, A),
          check: (r) => expectMetrics(r, main.groups),
          note: 'unbiased but uses k of the n samples: far higher variance (docs/estimators/majority-vote.md)',
        },
        {
          name: 'majorityAtK, k = 1 (clustering-bound), Int32Array answers',
          fn: () => majorityAtK(b64.answers, b64.rewards, 1, { groupSize: main.n }),
          check: (r) => expectMetrics(r, main.groups),
          note: 'integer typed-array answers: one lookup table for the batch instead of a Map per group',
        },
        {
          name: 'majorityAtK, k = 1 (clustering-bound), number[] answers',
          fn: () => majorityAtK(answers64, b64.rewards, 1, { groupSize: main.n }),
          check: (r) => expectMetrics(r, main.groups),
          note: 'the same answers as a plain array: a Map per group',
        },
        {
          name: "majorityVoteAdvantage (weights, 'none')",
          fn: () => majorityVoteAdvantage(b64.answers, b64.rewards, main.k, { groupSize: main.n, baseline: 'none' }),
          check: (r) => weightSum(r, b64, main.k, metric64),
          note: 'one level pass for every answer (E[f(J ∪ {a})]), plus one DP for the nulls',
        },
        {
          name: "majorityVoteAdvantage (weights, 'loo-1')",
          fn: () => majorityVoteAdvantage(b64.answers, b64.rewards, main.k, { groupSize: main.n }),
          check: (r) => {
            if (!(r instanceof Float64Array) || r.length !== b64.answers.length) throw new Error('bad weight output');
          },
          note: 'one level pass for every answer: the expected one-vote difference f(J ∪ {i}) − f(J)',
        },
      ],
    },
    {
      title: `maj@k vs full subset enumeration, n = ${small.n}, k = ${small.k}, ${A} answers, ${small.groups} groups (${binomial(small.n, small.k)} subsets per group)`,
      baseline: 'majorityAtK (exact DP)',
      elements: small.groups * small.n,
      cases: [
        {
          name: 'majorityAtK (exact DP)',
          fn: () => majorityAtK(bSmall.answers, bSmall.rewards, small.k, { groupSize: small.n }),
          check: (r) => expectClose(r, exactSmall, 1e-12),
        },
        {
          name: 'subset enumeration (NeMo-RL)',
          fn: () => enumerate(bSmall, small.k, A, small.groups),
          check: (r) => expectClose(r, exactSmall, 0),
        },
      ],
    },
    {
      title: `maj@k per group, n = ${main.n}, k = ${main.k}: the DP on 1 group vs enumerating ${PARTIAL} of its ${binomial(main.n, main.k)} subsets`,
      baseline: 'majorityAtK (exact DP), 1 group',
      cases: [
        {
          name: 'majorityAtK (exact DP), 1 group',
          fn: () => majorityAtK(one.answers, one.rewards, main.k),
          check: (r) => {
            if (typeof r !== 'number' || Math.abs(r - (metric64[0] as number)) > 1e-15) throw new Error(`bad metric ${String(r)}`);
          },
        },
        {
          name: `subset enumeration, first ${PARTIAL} subsets of 1 group`,
          fn: () => enumerate(one, main.k, A, 1, PARTIAL),
          check: (r) => expectMetrics(r, 1),
          note: 'a fraction of one group; the full-group time is extrapolated after the tables',
        },
      ],
    },
    {
      title: `maj@k, n = ${wide.n}, k = ${wide.k}, ${A} answers, ${wide.groups} groups`,
      baseline: 'majorityAtK (exact DP)',
      elements: wide.groups * wide.n,
      cases: [
        {
          name: 'majorityAtK (exact DP)',
          fn: () => majorityAtK(b1024.answers, b1024.rewards, wide.k, { groupSize: wide.n }),
          check: (r) => expectMetrics(r, wide.groups),
        },
        {
          name: 'first k samples (lm-eval)',
          fn: () => firstK(b1024, wide.k, A),
          check: (r) => expectMetrics(r, wide.groups),
        },
        {
          name: "majorityVoteAdvantage (weights, 'none')",
          fn: () => majorityVoteAdvantage(b1024.answers, b1024.rewards, wide.k, { groupSize: wide.n, baseline: 'none' }),
          check: (r) => weightSum(r, b1024, wide.k, metric1024),
        },
      ],
    },
  ];

  const report = await runBench('majority', groups, opts);

  // The DP's worst case: many answers of distinct sizes (sizes 1, 2, 3, …; the rest null) and k = n/2.
  // One sample each (after a one-iteration warm-up): an iteration takes seconds to minutes.
  const worst = opts.quick ? { n: 1024, k: 512, nBig: 2048, kBig: 1024 } : { n: 4096, k: 2048, nBig: 8192, kBig: 4096 };
  const wSmall = distinctSizes(worst.n);
  const wBig = distinctSizes(worst.nBig);
  const finite = (r: unknown): void => {
    const arr = r instanceof Float64Array ? r : [r as number];
    for (const v of arr) if (!Number.isFinite(v)) throw new Error(`non-finite result ${v}`);
  };
  await runBench(
    'majority-worst',
    [
      {
        title: `maj@k worst case: ${wSmall.clusters} clusters of distinct sizes, n = ${worst.n}, k = ${worst.k}`,
        baseline: 'majorityAtK (exact DP)',
        cases: [
          { name: 'majorityAtK (exact DP)', fn: () => majorityAtK(wSmall.answers, wSmall.rewards, worst.k), check: finite },
          { name: "majorityAtK, ties 'fail'", fn: () => majorityAtK(wSmall.answers, wSmall.rewards, worst.k, { ties: 'fail' }), check: finite },
          { name: "majorityVoteAdvantage (weights, 'loo-1')", fn: () => majorityVoteAdvantage(wSmall.answers, wSmall.rewards, worst.k), check: finite },
          {
            name: "majorityVoteAdvantage (weights, 'loo-1', ties 'fail')",
            fn: () => majorityVoteAdvantage(wSmall.answers, wSmall.rewards, worst.k, { ties: 'fail' }),
            check: finite,
          },
          {
            name: "majorityVoteAdvantage (weights, 'none')",
            fn: () => majorityVoteAdvantage(wSmall.answers, wSmall.rewards, worst.k, { baseline: 'none' }),
            check: finite,
          },
          {
            name: "majorityVoteAdvantage (weights, 'loo')",
            fn: () => majorityVoteAdvantage(wSmall.answers, wSmall.rewards, worst.k, { baseline: 'loo' }),
            check: finite,
          },
          {
            name: "majorityVoteAdvantage (weights, 'loo-pkpo')",
            fn: () => majorityVoteAdvantage(wSmall.answers, wSmall.rewards, worst.k, { baseline: 'loo-pkpo' }),
            check: finite,
          },
        ],
      },
      {
        title: `maj@k worst case: ${wBig.clusters} clusters of distinct sizes, n = ${worst.nBig}, k = ${worst.kBig}`,
        baseline: 'majorityAtK (exact DP)',
        cases: [{ name: 'majorityAtK (exact DP)', fn: () => majorityAtK(wBig.answers, wBig.rewards, worst.kBig), check: finite }],
      },
    ],
    { quick: opts.quick, samples: 1, minSamples: 1, warmupMs: 0 },
  );

  // Extrapolate enumeration to whole groups: time per subset × C(n, k).
  const perGroup = report.groups[2];
  const dp = perGroup?.cases[0]?.medianMs;
  const partial = perGroup?.cases[1]?.medianMs;
  const subsets = binomial(main.n, main.k);
  if (dp !== undefined && partial !== undefined) {
    const enumPerGroupMs = (partial * subsets) / PARTIAL;
    const smallGroup = report.groups[1];
    const measuredRatio =
      smallGroup?.cases[1] !== undefined && smallGroup.cases[0] !== undefined
        ? smallGroup.cases[1].medianMs / smallGroup.cases[0].medianMs
        : NaN;
    const lines = [
      `Subset enumeration, extrapolated: n = ${main.n}, k = ${main.k} has ${subsets} subsets per group;`,
      `  ${PARTIAL} subsets took ${partial.toFixed(3)} ms → ${(enumPerGroupMs / 1000).toFixed(1)} s per group`,
      `  (${((enumPerGroupMs * main.groups) / 3.6e6).toFixed(1)} h for ${main.groups} groups);`,
      `  the DP takes ${(dp * 1000).toFixed(1)} µs per group: ratio ≈ ${(enumPerGroupMs / dp).toExponential(2)}.`,
      `  Measured (full enumeration, n = ${small.n}): enumeration / DP = ${measuredRatio.toFixed(0)}×.`,
    ];
    console.log(lines.join('\n'));
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}majority.extrapolation${opts.quick ? '.quick' : ''}.json`,
      JSON.stringify(
        { n: main.n, k: main.k, subsetsPerGroup: subsets, partialSubsets: PARTIAL, partialMs: partial, dpMsPerGroup: dp, enumMsPerGroup: enumPerGroupMs, ratio: enumPerGroupMs / dp, measuredRatioSmallN: measuredRatio, smallN: small.n },
        null,
        2,
      ) + '\n',
    );
  }
}
