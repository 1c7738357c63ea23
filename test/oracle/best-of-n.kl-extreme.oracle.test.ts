/**
 * bestOfNKL and bestOfNDistribution for nearly deterministic π, against exact rationals (the logs to
 * 2^-2400): π with one class of mass 1 − 10^-j (j = 1..300), atoms of 10^-300, N from 1 to 100. Contracts
 * (docs/estimators/best-of-n.md): π_BoN per outcome relative to itself (in the normal range); KL relative to
 * Σ_c π_BoN(c)·|log(π_BoN(c)/π(c))| (the absolute terms of its defining sum); KL ≥ 0 always and
 * exactly 0 for N = 1.
 */
import { describe, expect, it } from 'vitest';
import { bestOfNDistribution, bestOfNKL } from '../../src/index.js';
import { Q, qsum } from './rational.js';
import { errorInEps, klSummand, lnQ, LN_BITS, qabs } from './extreme.js';
import { mulberry32 as rng } from '../support/prng.js';

/** Exact π_BoN per outcome, with π normalised by its exact sum. */
function exactBoN(probs: number[], scores: number[], N: number): { p: Q[]; classes: { p: Q; q: Q }[] } {
  const pq = probs.map(Q.fromNumber);
  const total = qsum(pq);
  const pi = pq.map((x) => x.div(total));
  const levels = [...new Set(scores)].sort((a, b) => a - b);
  const out = new Array<Q>(probs.length).fill(Q.zero);
  const classes: { p: Q; q: Q }[] = [];
  let below = Q.zero;
  for (const v of levels) {
    const members = scores.map((s, i) => (s === v ? i : -1)).filter((i) => i >= 0);
    const d = qsum(members.map((i) => pi[i]!));
    const le = below.add(d);
    const pow = (x: Q): Q => new Q(x.num ** BigInt(N), x.den ** BigInt(N));
    const bon = pow(le).sub(pow(below));
    for (const i of members) out[i] = d.isZero() ? Q.zero : pi[i]!.div(d).mul(bon);
    classes.push({ p: bon, q: d });
    below = le;
  }
  return { p: out, classes };
}

function nearDegenerate(j: number, random: () => number): { probs: number[]; scores: number[] } {
  const m = 2 + Math.floor(random() * 4);
  const small = Array.from({ length: m - 1 }, () => 10 ** -j * (0.25 + random()));
  if (random() < 0.3) small[0] = 1e-300;
  const probs = [1 - small.reduce((a, b) => a + b, 0), ...small];
  const scores = probs.map(() => Math.floor(random() * 3));
  // Shuffle the big mass's position among the scores.
  const at = Math.floor(random() * m);
  [probs[0], probs[at]] = [probs[at]!, probs[0]!];
  return { probs, scores };
}

describe('best-of-N distribution and KL for nearly deterministic π', () => {
  it('the reported cases: exact to the contract, N = 1 exactly 0', () => {
    const kl1 = bestOfNKL([0.999999999998, 1.999999999996e-12], [0.78, 0.21], 2) as number;
    const kl2 = bestOfNKL([1e-288, 1], [-0.75, -1.25], 100) as number;
    const { classes } = exactBoN([0.999999999998, 1.999999999996e-12], [0.78, 0.21], 2);
    const exact1 = qsum(classes.map((c) => klSummand(c.p, c.q)));
    expect(errorInEps(kl1, exact1, exact1)).toBeLessThanOrEqual(8);
    // N = 100: the exact rationals have 10^5-bit denominators (a minute of BigInt work), so the
    // reference is the definition evaluated in 700-digit decimal arithmetic: 3.61517018598809158673e-286.
    expect(Math.abs(kl2 - 3.61517018598809158673e-286) / 3.61517018598809158673e-286).toBeLessThanOrEqual(8 * 2 ** -53);
    expect(bestOfNKL([0.5, 0.3, 0.2], [1, 2, 3], 1)).toBe(0);
    expect(bestOfNKL([0.999999999998, 1.999999999996e-12], [0.78, 0.21], 1)).toBe(0);
  });

  it('π with a class of mass 1 − 10^-j, j = 1..300, N ∈ {1, 2, 3, 10}', () => {
    const random = rng(2020);
    const failures: string[] = [];
    let worstKL = 0;
    let worstDist = 0;
    for (let j = 1; j <= 300; j += j < 20 ? 1 : 20) {
      const { probs, scores } = nearDegenerate(j, random);
      for (const N of [1, 2, 3, 10]) {
        const { p, classes } = exactBoN(probs, scores, N);
        const kl = bestOfNKL(probs, scores, N) as number;
        if (!(kl >= 0)) failures.push(`KL < 0: j=${j} N=${N}: ${kl}`);
        const exact = qsum(classes.map((c) => klSummand(c.p, c.q)));
        // Σ_c p_c |λ_c|, the condition quantity of Σ p log(p/q).
        const cond = qsum(
          classes.filter((c) => !c.p.isZero()).map((c) => c.p.mul(qabs(new Q(lnQ(c.p.div(c.q)), 1n << LN_BITS)))),
        );
        const e = N === 1 ? (kl === 0 ? 0 : Infinity) : errorInEps(kl, exact, cond);
        worstKL = Math.max(worstKL, e);
        if (!(e <= 16)) failures.push(`KL j=${j} N=${N} probs=[${probs}] scores=[${scores}]: ${kl} vs ${exact.toNumber()} (${e} ε)`);
        const dist = bestOfNDistribution(probs, scores, N);
        for (let i = 0; i < probs.length; i++) {
          // Relative to the value; the powers F^N carry N·|log F| ulps of log-space rounding.
          // Values below the normal range (2^-1022) cannot carry relative precision: skipped.
          if (qabs(p[i]!).cmp(Q.fromNumber(2 ** -1022)) < 0) continue;
          const e2 = errorInEps(dist[i]!, p[i]!, p[i]!);
          const allowance = 8 * (2 + N);
          worstDist = Math.max(worstDist, e2 / (2 + N));
          if (!(e2 <= allowance)) failures.push(`dist j=${j} N=${N} i=${i} probs=[${probs}] scores=[${scores}]: ${dist[i]} vs ${p[i]!.toNumber()} (${e2} ε)`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    console.log(`bestOfNKL worst ${worstKL.toFixed(2)} ε of Σ p|λ|; bestOfNDistribution worst ${worstDist.toFixed(2)}·(2 + N) ε`);
  });
});
