/**
 * One scale across the registry: every entry states its form (`'sum'` or `'mean'`), `opts.scale`
 * selects the other one, and at k = 1 every estimator whose objective reduces to the mean reward
 * agrees with the others (pass@1 = max@1 = bon@1 with scores = rewards = maj@1 with one answer per
 * reward = pass^1 = order-stat@1 = k-sample@1 of the mean = BoN-RL at N = 1, and RLOO in sum form is
 * their `'loo'` weights).
 */
import { describe, expect, it } from 'vitest';
import { estimatorNames, getEstimator, type EstimatorInputs } from '../../src/index.js';

/** Two groups of 4 binary rewards (binary so that every family applies). */
const R = [1, 0, 0, 1, 0, 1, 1, 1];
const N = 4;
const layout = { groupSize: N };
/** One answer per reward value, so maj@1 scores each sample by its own reward. */
const ANSWERS = R.map((r) => (r === 1 ? 'right' : 'wrong'));
const MEAN_OF_SUBSET = (I: readonly number[]): number => I.reduce((s, i) => s + R[i]!, 0) / I.length;
const INPUTS: EstimatorInputs = { rewards: R, k: 1, scores: R, answers: ANSWERS, alpha: 'max', f: MEAN_OF_SUBSET, expertScores: [0.5, 0.5] };

/** The mean-reward weights at k = 1 in sum form: 'none' r_i/n, 'loo' (r_i − mean of the others)/n. */
function meanRewardWeights(baseline: 'none' | 'loo'): number[] {
  const w: number[] = [];
  for (let b = 0; b < R.length / N; b++) {
    const g = R.slice(b * N, b * N + N);
    const total = g.reduce((s, x) => s + x, 0);
    for (const x of g) w.push(baseline === 'none' ? x / N : (x - (total - x) / (N - 1)) / N);
  }
  return w;
}

/** How each entry is called at k = 1 and which objective it must reproduce; every entry needs a row. */
const AT_K1: Record<string, { opts: object; expected: () => number[]; rtol?: number } | { skip: string }> = {
  'pass@k': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'max@k': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'bon@k': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'maj@k': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'pass^k': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'order-stat': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'k-sample': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  'bon-rl-binary': { opts: { baseline: 'loo' }, expected: () => meanRewardWeights('loo') },
  rloo: { opts: {}, expected: () => meanRewardWeights('loo') },
  // Dr. GRPO (no std) subtracts the mean including the sample itself: (n − 1)/n times the 'loo' weights.
  grpo: { opts: { normalize: 'none' }, expected: () => meanRewardWeights('loo').map((w) => (w * (N - 1)) / N) },
  // Chen et al.'s advantage at k = 1 is GRPO's with the population std: checked against grpo below.
  'chen-pass@k': { skip: 'std-normalised; equals grpo with ddof 0 at k = 1 (next test)' },
  'bon-sft': { skip: 'imitation of an expert; at N = 1 it is plain SFT, every sample weight 0 (next test)' },
  'bon-rl-selected': { skip: 'one selected sample per group; at N = 1 it is r − (1 − p) (next test)' },
};

describe('registry forms', () => {
  it('every entry states its form, and the table below has a row for every entry', () => {
    for (const name of estimatorNames) {
      expect(getEstimator(name).form, name).toMatch(/^(sum|mean)$/);
      expect(AT_K1[name], `no k = 1 row for '${name}'`).toBeDefined();
    }
  });

  it("opts.scale selects the form: 'mean' is n times 'sum' on every entry that takes it", () => {
    for (const name of estimatorNames) {
      if (name === 'bon-sft' || name === 'bon-rl-selected') continue;
      const est = getEstimator(name as string); // a dynamic entry: options checked at run time
      const k = 2; // grpo and rloo read no k
      const opts = name === 'grpo' ? { normalize: 'none' } : {};
      const sum = est.weights({ ...INPUTS, k }, { ...layout, ...opts, scale: 'sum' });
      const mean = est.weights({ ...INPUTS, k }, { ...layout, ...opts, scale: 'mean' });
      const byDefault = est.weights({ ...INPUTS, k }, { ...layout, ...opts });
      expect(Array.from(byDefault), `${name} default is its form '${est.form}'`).toEqual(Array.from(est.form === 'sum' ? sum : mean));
      for (let i = 0; i < R.length; i++) expect(mean[i], `${name} [${i}]`).toBeCloseTo(sum[i]! * N, 14);
    }
  });
});

describe('at k = 1 the registry estimators agree on the mean reward (sum form)', () => {
  for (const [name, row] of Object.entries(AT_K1)) {
    if ('skip' in row) continue;
    it(`'${name}' at k = 1 gives the mean-reward weights`, () => {
      const w = getEstimator(name as string).weights(INPUTS, { ...layout, ...row.opts, scale: 'sum' });
      const expected = row.expected();
      for (let i = 0; i < R.length; i++) expect(w[i], `${name} [${i}]`).toBeCloseTo(expected[i]!, 14);
      // With no baseline every k-sample entry gives r_i / n.
      if (name !== 'rloo' && name !== 'grpo') {
        const none = getEstimator(name as string).weights(INPUTS, { ...layout, baseline: 'none', scale: 'sum' });
        const e = meanRewardWeights('none');
        for (let i = 0; i < R.length; i++) expect(none[i], `${name} none [${i}]`).toBeCloseTo(e[i]!, 14);
      }
    });
  }

  it("'chen-pass@k' at k = 1 equals 'grpo' with the population std (ddof 0, eps 0)", () => {
    const chen = getEstimator('chen-pass@k').weights(INPUTS, layout);
    const grpo = getEstimator('grpo').weights(INPUTS, { ...layout, ddof: 0 });
    for (let i = 0; i < R.length; i++) expect(chen[i]).toBeCloseTo(grpo[i]!, 14);
  });

  it("'bon-sft' at N = 1 is plain SFT (every sample weight 0); 'bon-rl-selected' at N = 1 is r − (1 − p)", () => {
    const sft = getEstimator('bon-sft').weights({ ...INPUTS, scores: [0.1, 0.9, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7] }, { ...layout, baseline: 'none' });
    expect(Array.from(sft)).toEqual(new Array(R.length).fill(0));
    const p = R.map((r) => (r === 1 ? 0.3 : 0.6));
    const sel = getEstimator('bon-rl-selected').weights(INPUTS, { failureProbs: p });
    for (let i = 0; i < R.length; i++) expect(sel[i]).toBeCloseTo(R[i]! - (1 - p[i]!), 14);
  });
});
