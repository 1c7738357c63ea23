/**
 * The calls of docs/trainers.md reproduce the advantages of verl, TRL and OpenRLHF: each trainer's
 * formula is written here as its source computes it (the files are cited per case) and compared with
 * the library call the page gives for it.
 */
import { describe, expect, it } from 'vitest';
import { GRPO_PRESETS, grpoWeights, maxAtKWeights, passAtKWeights, rlooWeights } from '../../src/index.js';

const N = 4;
const R = [1, 0, 0, 1, 0.3, 0.9, 0.1, 0.9, 0, 0, 1, 0];
const groups = (xs: readonly number[]): number[][] => Array.from({ length: xs.length / N }, (_, b) => xs.slice(b * N, b * N + N));
const mean = (g: readonly number[]): number => g.reduce((s, x) => s + x, 0) / g.length;
/** torch.std: ddof 1. */
const std1 = (g: readonly number[]): number => Math.sqrt(g.reduce((s, x) => s + (x - mean(g)) ** 2, 0) / (g.length - 1));

function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 12);
}

describe('verl (verl/trainer/ppo/core_algos.py)', () => {
  it("adv_estimator 'grpo', norm_adv_by_std_in_grpo true, epsilon 1e-6: GRPO_PRESETS.verl", () => {
    const verl = groups(R).flatMap((g) => g.map((x) => (x - mean(g)) / (std1(g) + 1e-6)));
    expectClose(grpoWeights(R, { ...GRPO_PRESETS.verl, groupSize: N }), verl);
  });
  it("adv_estimator 'grpo', norm_adv_by_std_in_grpo false (Dr. GRPO): normalize 'none'", () => {
    const verl = groups(R).flatMap((g) => g.map((x) => x - mean(g)));
    expectClose(grpoWeights(R, { normalize: 'none', oneSampleGroups: 'zero-mean-unit-std', groupSize: N }), verl);
  });
  it("adv_estimator 'rloo': rlooWeights", () => {
    const verl = groups(R).flatMap((g) => g.map((x) => (x * N) / (N - 1) - (mean(g) * N) / (N - 1)));
    expectClose(rlooWeights(R, { groupSize: N }), verl);
  });
  it("adv_estimator 'grpo_passk', norm_adv_by_std_in_grpo false: maxAtKWeights at k = n with 'loo-1'", () => {
    const verl = groups(R).flatMap((g) => {
      const sorted = [...g].sort((a, b) => b - a);
      const top = g.indexOf(sorted[0]!);
      return g.map((_, i) => (i === top ? sorted[0]! - sorted[1]! : 0));
    });
    expectClose(maxAtKWeights(R, N, { baseline: 'loo-1', groupSize: N }), verl);
  });
});

describe('TRL GRPOTrainer (trl/trainer/grpo_trainer.py)', () => {
  it("scale_rewards 'group' (default): GRPO_PRESETS.trl (std ddof 1, + 1e-4)", () => {
    const trl = groups(R).flatMap((g) => g.map((x) => (x - mean(g)) / (std1(g) + 1e-4)));
    expectClose(grpoWeights(R, { ...GRPO_PRESETS.trl, groupSize: N }), trl);
  });
  it("scale_rewards 'none': normalize 'none'", () => {
    const trl = groups(R).flatMap((g) => g.map((x) => x - mean(g)));
    expectClose(grpoWeights(R, { normalize: 'none', groupSize: N }), trl);
  });
});

describe('OpenRLHF (openrlhf/trainer/ppo_utils/experience_maker.py)', () => {
  it("estimator 'rloo': r − (Σ − r)/(n − 1) is rlooWeights", () => {
    const o = groups(R).flatMap((g) => g.map((x) => x - (g.reduce((s, y) => s + y, 0) - x) / (N - 1)));
    expectClose(rlooWeights(R, { groupSize: N }), o);
  });
  it("estimator 'group_norm': (r − mean)/(std + 1e-9) is grpoWeights with eps 1e-9", () => {
    const o = groups(R).flatMap((g) => g.map((x) => (x - mean(g)) / (std1(g) + 1e-9)));
    expectClose(grpoWeights(R, { eps: 1e-9, groupSize: N }), o);
  });
  it("estimator 'dr_grpo' (and 'reinforce_baseline' before its batch whitening): r − mean", () => {
    const o = groups(R).flatMap((g) => g.map((x) => x - mean(g)));
    expectClose(grpoWeights(R, { normalize: 'none', groupSize: N }), o);
  });
});

describe('the same trainer on a k-sample objective', () => {
  it("scale 'mean' keeps a mean-form trainer's magnitudes: pass@1 'loo' in mean form is RLOO", () => {
    const bin = R.map((x) => (x >= 0.5 ? 1 : 0));
    expectClose(passAtKWeights(bin, 1, { baseline: 'loo', scale: 'mean', groupSize: N }), Array.from(rlooWeights(bin, { groupSize: N })));
  });
});
