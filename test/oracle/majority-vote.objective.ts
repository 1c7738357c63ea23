/** The majority-vote objective of a k-subset in exact rationals, shared by the majority oracle tests. */
import type { TiePolicy } from '../../src/estimators/majority-vote.js';
import type { Answer } from '../../src/registry.js';
import { Q, type SubsetObjective } from './rational.js';

export /** f(I): the reward of the most frequent non-null answer of I; ties split (mean) or fail (0). */
function majorityObjective(answers: readonly Answer[], rewards: readonly Q[], ties: TiePolicy): SubsetObjective {
  return (I) => {
    const votes = new Map<string | number, { count: number; reward: Q }>();
    for (const i of I) {
      const a = answers[i];
      if (a === null || a === undefined) continue;
      const v = votes.get(a);
      if (v === undefined) votes.set(a, { count: 1, reward: rewards[i]! });
      else v.count++;
    }
    let best = 0;
    for (const v of votes.values()) best = Math.max(best, v.count);
    const top = [...votes.values()].filter((v) => v.count === best);
    if (top.length === 0) return Q.zero;
    if (top.length > 1 && ties === 'fail') return Q.zero;
    let s = Q.zero;
    for (const v of top) s = s.add(v.reward);
    return s.div(Q.int(top.length));
  };
}
