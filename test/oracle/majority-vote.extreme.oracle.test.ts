/**
 * maj@k and its weights with rewards near ±MAX_VALUE, against exact BigInt rationals: finite for every
 * representable exact result (a group with a reward of magnitude ≥ 2^990 is computed on rewards·2^-40
 * and scaled back; maj@k is positively homogeneous in the rewards). Error measured relative to the
 * defining sum's condition quantity (the same sums on |reward|).
 */
import { describe, expect, it } from 'vitest';
import { majorityAtK, majorityVoteAdvantage, type Answer, type Baseline } from '../../src/index.js';
import { bruteBaselined, bruteMetric, Q, type SubsetObjective } from './rational.js';
import { errorInEps, MAX, qabs } from './extreme.js';
import { mulberry32 as rng } from '../support/prng.js';
import { majorityObjective } from './majority-vote.objective.js';

/** Ties split (mean of the tied answers' rewards); no vote → 0. */
const objective = (answers: readonly Answer[], rewards: readonly Q[]): SubsetObjective => majorityObjective(answers, rewards, 'split');


describe('majority vote near ±MAX_VALUE', () => {
  it('the reported cases are finite and exact', () => {
    expect(majorityAtK(['a', 'b'], [1e308, 1e308], 1)).toBe(1e308);
    const g = [MAX, -MAX, 1e308, 1e308];
    const answers = ['a', 'b', 'c', 'd'];
    const w = majorityVoteAdvantage(answers, g, 2, { baseline: 'loo' });
    const exact = bruteBaselined(4, 2, objective(answers, g.map(Q.fromNumber)), 'loo');
    const bound = bruteBaselined(4, 2, objective(answers, g.map((x) => qabs(Q.fromNumber(x)))), 'none');
    w.forEach((x, i) => expect(errorInEps(x, exact[i]!, bound[i]!.add(qabs(exact[i]!)))).toBeLessThanOrEqual(16));
  });

  it('random groups with rewards near ±MAX_VALUE: every representable exact value, to 16 ε of its condition quantity', () => {
    const random = rng(808);
    const big = [MAX, -MAX, 1e308, -1e308, MAX / 2, 1.5e308, 0.5, -0.25];
    const labels: Answer[] = ['a', 'b', 'c', null];
    const failures: string[] = [];
    let worst = 0;
    const limit = Q.fromNumber(MAX);
    for (let t = 0; t < 80; t++) {
      const n = 2 + (t % 5);
      const answers = Array.from({ length: n }, () => labels[Math.floor(random() * labels.length)]!);
      const rewardOf = new Map<Answer, number>(labels.map((a) => [a, a === null ? 0 : big[Math.floor(random() * big.length)]!]));
      const g = answers.map((a) => rewardOf.get(a)!);
      const f = objective(answers, g.map(Q.fromNumber));
      const fAbs = objective(answers, g.map((x) => qabs(Q.fromNumber(x))));
      for (let k = 1; k <= n; k++) {
        const m = bruteMetric(n, k, f);
        const e = errorInEps(majorityAtK(answers, g, k) as number, m, bruteMetric(n, k, fAbs));
        worst = Math.max(worst, e);
        if (!(e <= 16)) failures.push(`majorityAtK [${answers}] [${g}] k=${k}: ${e} ε`);
        const baselines: Baseline[] = k <= n - 1 ? ['none', 'loo', 'loo-pkpo', 'loo-1'] : ['none', 'loo-1'];
        for (const b of baselines) {
          const w = majorityVoteAdvantage(answers, g, k, { baseline: b });
          const exact = bruteBaselined(n, k, f, b);
          // s(|f|) + |baseline|(|f|) = 2·s(|f|) − w(|f|): the absolute terms of the definition.
          const sAbs = bruteBaselined(n, k, fAbs, 'none');
          const wAbs = bruteBaselined(n, k, fAbs, b);
          for (let i = 0; i < n; i++) {
            if (qabs(exact[i]!).cmp(limit) > 0) continue;
            const ei = errorInEps(w[i]!, exact[i]!, sAbs[i]!.add(sAbs[i]!).sub(wAbs[i]!));
            worst = Math.max(worst, ei);
            if (!(ei <= 16)) failures.push(`${b} [${answers}] [${g}] k=${k} i=${i}: ${w[i]} vs ${exact[i]!.toNumber()} (${ei} ε)`);
          }
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    console.log(`majority near MAX worst ${worst.toFixed(2)} ε`);
  });
});
