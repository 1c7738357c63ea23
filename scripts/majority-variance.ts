/**
 * Prints the numbers of docs/estimators/majority-vote.md:
 * 1. maj@k against k for one example group, both tie policies (majorityAtK).
 * 2. The variance of two unbiased maj@k estimators, by simulation: lm-eval's "majority of the first k
 *    samples" and majorityAtK on all n samples. Answers are drawn i.i.d. from a fixed distribution; the
 *    true maj@k is computed exactly by enumerating the multinomial count vectors of k draws.
 *
 * Run: npx tsx scripts/majority-variance.ts
 */
import { majorityAtK, majorityAnswer } from '../src/index.js';
import { mulberry32 as rng } from '../test/support/prng.js';


// ---------------------------------------------------------------------------------------------------
// 1. maj@k against k for one group.

const example = {
  // 16 samples: the correct answer '42' (5 votes), a popular wrong answer '41' (6), '7' (3), 2 unparsable.
  answers: ['42', '41', '42', '7', '41', null, '42', '41', '7', '41', '42', null, '41', '7', '42', '41'],
};
const exampleRewards = example.answers.map((a) => (a === '42' ? 1 : 0));
console.log('## maj@k against k, example group');
console.log(`answers: ${JSON.stringify(example.answers)} (correct: '42')`);
console.log(`majorityAnswer: ${JSON.stringify(majorityAnswer(example.answers))}`);
console.log('| k | maj@k (split) | maj@k (fail) |');
console.log('| ---: | ---: | ---: |');
for (let k = 1; k <= example.answers.length; k++) {
  const split = majorityAtK(example.answers, exampleRewards, k);
  const fail = majorityAtK(example.answers, exampleRewards, k, { ties: 'fail' });
  console.log(`| ${k} | ${split.toFixed(6)} | ${fail.toFixed(6)} |`);
}

// ---------------------------------------------------------------------------------------------------
// 2. Variance: first-k vs all-n.

/** f of one vote vector (answer 0 correct, reward 1; others 0), split ties. */
function majorityOfVotes(votes: number[]): number {
  const best = Math.max(...votes);
  if (best === 0) return 0;
  const tied = votes.filter((v) => v === best).length;
  return votes[0] === best ? 1 / tied : 0;
}

/** Exact maj@k for k i.i.d. draws from p: a sum over multinomial count vectors. */
function trueMajAtK(p: readonly number[], k: number): number {
  const A = p.length;
  const votes = new Array<number>(A).fill(0);
  const logFact = [0];
  for (let i = 1; i <= k; i++) logFact.push((logFact[i - 1] as number) + Math.log(i));
  let total = 0;
  const rec = (a: number, left: number): void => {
    if (a === A - 1) {
      votes[a] = left;
      let logP = logFact[k] as number;
      for (let b = 0; b < A; b++) logP += (votes[b] as number) * Math.log(p[b] as number) - (logFact[votes[b] as number] as number);
      total += Math.exp(logP) * majorityOfVotes(votes);
      return;
    }
    for (let v = 0; v <= left; v++) {
      votes[a] = v;
      rec(a + 1, left - v);
    }
  };
  rec(0, k);
  return total;
}

interface Setting {
  name: string;
  p: number[];
  n: number;
  k: number;
}

const settings: Setting[] = [
  { name: 'correct answer is the mode', p: [0.4, 0.3, 0.2, 0.1], n: 64, k: 8 },
  { name: 'a wrong answer is the mode', p: [0.3, 0.4, 0.2, 0.1], n: 64, k: 8 },
  { name: '8 answers, flat', p: [0.2, 0.15, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1], n: 64, k: 8 },
  { name: 'correct answer is the mode', p: [0.4, 0.3, 0.2, 0.1], n: 16, k: 4 },
  { name: 'correct answer is the mode', p: [0.4, 0.3, 0.2, 0.1], n: 64, k: 32 },
];

const TRIALS = 20_000;
const rand = rng(2026);
console.log('\n## Variance of maj@k estimators (answer 0 correct), ' + `${TRIALS} simulated groups per row`);
console.log('| p (answer 0 correct) | n | k | true maj@k | mean first-k | mean majorityAtK | var first-k | var majorityAtK | variance ratio |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of settings) {
  const truth = trueMajAtK(s.p, s.k);
  const cdf: number[] = [];
  s.p.reduce((acc, x) => (cdf.push(acc + x), acc + x), 0);
  const answers = new Array<number>(s.n);
  const rewards = new Array<number>(s.n);
  let sumF = 0;
  let sumF2 = 0;
  let sumM = 0;
  let sumM2 = 0;
  for (let t = 0; t < TRIALS; t++) {
    for (let i = 0; i < s.n; i++) {
      const u = rand();
      let a = 0;
      while (a < s.p.length - 1 && u >= (cdf[a] as number)) a++;
      answers[i] = a;
      rewards[i] = a === 0 ? 1 : 0;
    }
    const votes = new Array<number>(s.p.length).fill(0);
    for (let i = 0; i < s.k; i++) votes[answers[i] as number]!++;
    const first = majorityOfVotes(votes);
    const all = majorityAtK(answers, rewards, s.k);
    sumF += first;
    sumF2 += first * first;
    sumM += all;
    sumM2 += all * all;
  }
  const meanF = sumF / TRIALS;
  const meanM = sumM / TRIALS;
  const varF = (sumF2 - TRIALS * meanF * meanF) / (TRIALS - 1);
  const varM = (sumM2 - TRIALS * meanM * meanM) / (TRIALS - 1);
  console.log(
    `| ${s.name}: [${s.p.join(', ')}] | ${s.n} | ${s.k} | ${truth.toFixed(4)} | ${meanF.toFixed(4)} | ${meanM.toFixed(4)} | ` +
      `${varF.toFixed(5)} | ${varM.toFixed(5)} | ${(varF / varM).toFixed(1)}× |`,
  );
}
console.log(`\nStandard error of each mean ≈ sqrt(var / ${TRIALS}); both estimators are unbiased.`);
