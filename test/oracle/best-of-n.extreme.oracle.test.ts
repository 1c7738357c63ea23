/**
 * Best-of-N metric and weights over the whole finite range, against exact BigInt rationals on both
 * backends: penalties −10^p (p = 3..300) among rewards in [0, 1] under verifier scores with ties, and
 * rewards near ±MAX_VALUE. Checks are relative (docs/estimators/best-of-n.md): the metric and the
 * `'none'` / `'loo-pkpo'` weights to Σ c_j|r_j| of the sums they are; the translation-invariant `'loo'`
 * and `'loo-1'` weights to the same quantity on rewards centred at the best reward of the group.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bestOfNAdvantage, bestOfNAtK, type Baseline } from '../../src/index.js';
import { loadWasmBackend } from '../../src/backends/wasm/index.js';
import { bruteBaselined, bruteMetric, Q, qsum, type SubsetObjective } from './rational.js';
import { errorInEps, nearMax, qabs, unitReward } from './extreme.js';
import { mulberry32 as rng } from '../support/prng.js';

beforeAll(async () => {
  await loadWasmBackend();
});

/** Contract constants in units of 2^-53 (docs/estimators/best-of-n.md). */
const METRIC_TOL = 4;
const WEIGHT_TOL = 8;

/** f(I) = mean of g(reward) over the top-scoring members of I (uniform tie-break in expectation). */
function objective(v: readonly number[], r: readonly Q[], g: (x: Q) => Q = (x) => x): SubsetObjective {
  return (I) => {
    let top = -Infinity;
    for (const i of I) top = Math.max(top, v[i]!);
    const winners = I.filter((i) => v[i] === top);
    return qsum(winners.map((i) => g(r[i]!))).div(Q.int(winners.length));
  };
}

function usable(b: Baseline, n: number, k: number): boolean {
  return b === 'loo' || b === 'loo-pkpo' ? k <= n - 1 : true;
}

/** Exact weights and their bounds, as the file comment says. */
function exactWeights(v: number[], r: number[], k: number, b: Baseline): { value: Q[]; bound: Q[] } {
  const n = v.length;
  const rq = r.map(Q.fromNumber);
  const value = bruteBaselined(n, k, objective(v, rq), b);
  const absAround = (c: Q): Q[] => {
    const centred = objective(v, rq, (x) => qabs(x.sub(c)));
    // |s| part plus |baseline| part: s(|r − c|) + (s − w)(|r − c|) = 2·s(|r−c|) − w(|r−c|).
    const s = bruteBaselined(n, k, centred, 'none');
    const w = bruteBaselined(n, k, centred, b);
    return s.map((x, i) => x.add(x).sub(w[i]!));
  };
  const translationInvariant = b === 'loo-1' || (b === 'loo' && k >= 1);
  if (!translationInvariant) return { value, bound: absAround(Q.zero) };
  // The best centre among the rewards (a weight does not change when all rewards shift).
  let best: Q[] | undefined;
  for (const c of new Set(r)) {
    const cand = absAround(Q.fromNumber(c));
    best = best === undefined ? cand : best.map((x, i) => (cand[i]!.cmp(x) < 0 ? cand[i]! : x));
  }
  return { value, bound: best! };
}

function exactMetric(v: number[], r: number[], k: number): { value: Q; cond: Q } {
  const rq = r.map(Q.fromNumber);
  return { value: bruteMetric(v.length, k, objective(v, rq)), cond: bruteMetric(v.length, k, objective(v, rq, qabs)) };
}

/** Scores from a small alphabet: many ties. */
function scoresOf(n: number, random: () => number): number[] {
  const alphabet = 1 + Math.floor(random() * n);
  return Array.from({ length: n }, () => Math.floor(random() * alphabet));
}

interface Worst {
  eps: number;
  where: string;
}

function check(
  v: number[],
  r: number[],
  backend: string,
  label: string,
  failures: string[],
  worst: Record<string, Worst>,
): void {
  const n = v.length;
  const limit = Q.fromNumber(Number.MAX_VALUE);
  const note = (key: string, e: number, where: string, tol: number): void => {
    if (e > worst[key]!.eps) worst[key] = { eps: e, where };
    if (!(e <= tol)) failures.push(`${where}: ${e} ε`);
  };
  for (let k = 1; k <= n; k++) {
    const m = exactMetric(v, r, k);
    note('metric', errorInEps(bestOfNAtK(v, r, k, { backend }) as number, m.value, m.cond), `${label} metric v=[${v}] r=[${r}] k=${k}`, METRIC_TOL);
    for (const b of ['none', 'loo', 'loo-pkpo', 'loo-1'] as const) {
      if (!usable(b, n, k)) continue;
      const w = bestOfNAdvantage(v, r, k, { baseline: b, backend });
      const ex = exactWeights(v, r, k, b);
      for (let i = 0; i < n; i++) {
        if (qabs(ex.value[i]!).cmp(limit) > 0) continue;
        note(b, errorInEps(w[i]!, ex.value[i]!, ex.bound[i]!), `${label} ${b} v=[${v}] r=[${r}] k=${k} i=${i}`, WEIGHT_TOL);
      }
    }
  }
}

function freshWorst(): Record<string, Worst> {
  return Object.fromEntries(['metric', 'none', 'loo', 'loo-pkpo', 'loo-1'].map((b) => [b, { eps: 0, where: '' }]));
}

describe.each(['js', 'wasm'])('best-of-N over the whole finite range (%s backend)', (backend) => {
  it('the reported outlier case gives the exact result', () => {
    const got = bestOfNAtK([0, 1, 2, 3], [-1e20, 0.5, 0.7, 0.2], 3, { backend }) as number;
    expect(errorInEps(got, new Q(13n, 40n), new Q(13n, 40n))).toBeLessThanOrEqual(1);
  });

  it('a penalty −10^p (p = 3..300) under tied scores: exact to the contract', () => {
    const random = rng(backend === 'js' ? 401 : 402);
    const failures: string[] = [];
    const worst = freshWorst();
    for (let p = 3; p <= 300; p++) {
      const n = 3 + (p % 4);
      const v = scoresOf(n, random);
      const r = Array.from({ length: n }, () => unitReward(random));
      r[Math.floor(random() * n)] = -(10 ** p);
      check(v, r, backend, `p=${p}`, failures, worst);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    console.log(`best-of-N penalties (${backend}) worst ε:`, Object.entries(worst).map(([b, w]) => `${b} ${w.eps.toFixed(2)}`).join(', '));
  });

  it('a penalty on the lowest score leaves every result that cannot see it bit-identical (−10^p vs −1)', () => {
    const random = rng(backend === 'js' ? 403 : 404);
    const failures: string[] = [];
    for (let p = 3; p <= 300; p++) {
      const n = 4 + (p % 4);
      const v = scoresOf(n, random).map((x) => x + 1);
      const r = Array.from({ length: n }, () => unitReward(random));
      const at = Math.floor(random() * n);
      v[at] = 0; // alone at the bottom of the score order
      const a = r.slice();
      const b = r.slice();
      a[at] = -(10 ** p);
      b[at] = -1;
      for (let k = 2; k <= n; k++) {
        if (!Object.is(bestOfNAtK(v, a, k, { backend }), bestOfNAtK(v, b, k, { backend }))) failures.push(`metric p=${p} k=${k}`);
        for (const baseline of ['none', 'loo', 'loo-pkpo', 'loo-1'] as const) {
          if (!usable(baseline, n, k) || (baseline === 'loo-1' && k < 3)) continue;
          const wa = bestOfNAdvantage(v, a, k, { baseline, backend });
          const wb = bestOfNAdvantage(v, b, k, { baseline, backend });
          if (!wa.every((x, i) => Object.is(x, wb[i]))) failures.push(`${baseline} p=${p} k=${k}: [${wa}] vs [${wb}]`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('rewards near ±MAX_VALUE: every representable exact result is returned to the contract', () => {
    const random = rng(backend === 'js' ? 91 : 92);
    const failures: string[] = [];
    const worst = freshWorst();
    for (let t = 0; t < 120; t++) {
      const n = 2 + (t % 5);
      check(scoresOf(n, random), nearMax(n, random), backend, `t=${t}`, failures, worst);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    console.log(`best-of-N near MAX (${backend}) worst ε:`, Object.entries(worst).map(([b, w]) => `${b} ${w.eps.toFixed(2)}`).join(', '));
  });

  it('all-tied scores at n = 10^6: the metric is the mean reward to 4 ε', () => {
    const n = 1_000_000;
    const random = rng(5);
    const r = Float64Array.from({ length: n }, () => random());
    const v = new Float64Array(n);
    const exact = qsum(Array.from(r, Q.fromNumber)).div(Q.int(n));
    for (const k of [1, 2, 64]) {
      expect(errorInEps(bestOfNAtK(v, r, k, { backend }) as number, exact, exact)).toBeLessThanOrEqual(4);
    }
  });
});
