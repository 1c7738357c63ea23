/**
 * The language-model demo (demo/lm/): the training loop's gradient is −∇ of the intended objective
 * (exact enumeration on a tiny instance), runs are reproducible from their seed, no tensors leak
 * across steps, and the --quick run shows the directions the full run shows on every seed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupTfjs } from '../../demo/lm/backend.js';
import { LM_CONFIG, TinyLM, initCheckpoint, type ModelConfig } from '../../demo/lm/model.js';
import { OBJECTIVES, MIX_PASS_K, type GroupData, type ObjectiveId } from '../../demo/lm/objectives.js';
import { fineTune, makeBatch, ppoLoss, ppoUpdate, disposeBatch, type PpoConfig } from '../../demo/lm/ppo.js';
import { pretrain } from '../../demo/lm/pretrain.js';
import { mulberry32 } from '../../demo/lm/rng.js';
import type { Samples } from '../../demo/lm/sampler.js';
import { splitPrompts } from '../../demo/lm/task.js';
import { tuples } from '../oracle/rational.js';

// ---------------------------------------------------------------------------------------------------
// A tiny instance: vocabulary {end, a, b}, a one-token prompt, completions of at most two tokens.
// The sequences are "end" (length 1) and x·y for x ∈ {a, b}, y ∈ {end, a, b} (length 2): 7 in all.

const TINY: ModelConfig = { vocab: 3, context: 2, dModel: 8, heads: 2, ff: 12, layers: 2 };
const SEQUENCES: [number, number][] = [[0, 0], ...[1, 2].flatMap((x) => [0, 1, 2].map((y) => [x, y] as [number, number]))];
const LENGTH = (s: [number, number]): number => (s[0] === 0 ? 1 : 2);
/** The checker: several sequences are correct. */
const REWARD = [0, 1, 0, 0, 0, 0, 1];
/** Verifier scores without ties (best-of-N picks the top score); it over-rates the wrong sequence 3. */
const SCORE = [0.1, 0.7, 0.2, 0.9, 0.3, 0.4, 0.6];
const N_SAMPLES = 3;
const K = 2;

function tinySamples(tuple: number[]): Samples {
  const R = tuple.length;
  const completions = new Int32Array(R * 2);
  const mask = new Float32Array(R * 2);
  tuple.forEach((s, i) => {
    const seq = SEQUENCES[s] as [number, number];
    completions.set(seq, i * 2);
    for (let t = 0; t < LENGTH(seq); t++) mask[i * 2 + t] = 1;
  });
  return { rows: R, promptLength: 1, completionLength: 2, prompts: new Int32Array(R).fill(1), completions, mask, answers: tuple.map(String), lengths: Int32Array.from(tuple.map((s) => LENGTH(SEQUENCES[s] as [number, number]))) };
}

/** π(sequence) of all 7 sequences as a differentiable tensor [7]. */
function sequenceProbs(model: TinyLM): tf.Tensor1D {
  const s = tinySamples(SEQUENCES.map((_, i) => i));
  const prompts = tf.tensor2d(s.prompts, [7, 1], 'int32');
  const completions = tf.tensor2d(s.completions, [7, 2], 'int32');
  const mask = tf.tensor2d(s.mask, [7, 2]);
  return tf.exp(tf.sum(tf.mul(model.completionLogProbs(prompts, completions), mask), 1)) as tf.Tensor1D;
}

/** The exact objectives as functions of the 7 sequence probabilities (differentiable). */
const EXACT: Record<Exclude<ObjectiveId, 'grpo'>, (p: tf.Tensor1D) => tf.Scalar> = {
  rloo: (p) => tf.sum(tf.mul(p, tf.tensor1d(REWARD))),
  passk: (p) => tf.sub(tf.scalar(1), tf.pow(tf.sub(tf.scalar(1), tf.sum(tf.mul(p, tf.tensor1d(REWARD)))), tf.scalar(K))),
  mix: (p) => {
    const c = tf.sum(tf.mul(p, tf.tensor1d(REWARD)));
    return tf.add(tf.mul(tf.scalar(1 - MIX_PASS_K), c), tf.mul(tf.scalar(MIX_PASS_K), tf.sub(tf.scalar(1), tf.pow(tf.sub(tf.scalar(1), c), tf.scalar(K)))));
  },
  // maj@2: two equal answers win; two different answers tie and score the mean of their rewards.
  maj: (p) => {
    const r = tf.tensor1d(REWARD);
    const c = tf.sum(tf.mul(p, r));
    const same = tf.sum(tf.mul(tf.square(p), r));
    // Σ_{a≠b} p_a p_b (r_a + r_b)/2 = c − Σ_a p_a² r_a.
    return tf.add(same, tf.sub(c, same));
  },
  // BoN@2: the reward of the higher-scored of two samples.
  bon: (p) => {
    const pairs: number[] = [];
    for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) pairs.push(REWARD[(SCORE[a] as number) >= (SCORE[b] as number) ? a : b] as number);
    const outer = tf.reshape(tf.mul(tf.reshape(p, [7, 1]), tf.reshape(p, [1, 7])), [49]);
    return tf.sum(tf.mul(outer, tf.tensor1d(pairs)));
  },
};

const PPO: PpoConfig = {
  steps: 1,
  promptsPerStep: 1,
  samplesPerPrompt: N_SAMPLES,
  k: K,
  epochs: 1,
  learningRate: 1e-3,
  clipEpsilon: 0.2,
  klCoef: 0.05,
  evalEvery: 1,
  curveSamples: 8,
  finalSamples: 8,
};

describe('LM demo: the training loop optimises the intended objective', () => {
  beforeAll(async () => {
    await setupTfjs('wasm', () => {});
  });

  it.each(['rloo', 'passk', 'maj', 'bon', 'mix'] as const)(
    '%s: E[∇ ppoLoss] over all 7³ sample tuples = −n·∇(exact objective), at the start of a PPO step',
    (id) => {
      const objective = OBJECTIVES.find((o) => o.id === id);
      if (objective === undefined) throw new Error(id);
      const ckpt = initCheckpoint(TINY, mulberry32(42));
      // Larger initial logits than the default init, so the sequence probabilities are far from uniform.
      for (const { values } of ckpt.values()) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * 3;
      const model = new TinyLM(TINY, ckpt, true);
      const ref = new TinyLM(TINY, ckpt, false);
      const vars = model.variables();
      const probs = tf.tidy(() => sequenceProbs(model).dataSync());
      // Every n-tuple of sequences is one group of a single batch (343 groups × 3 samples). The
      // objective's weights come from one call on that batch, as in training. At the start of a PPO
      // step (ratio 1, reference = current policy) the loss's gradient is linear in each group's
      // weights, so scaling group g's weights by B·P(tuple g) turns the batch's 'group'-normalised
      // gradient (1/B)·Σ_g ∇loss_g into the exact expectation Σ_g P(g)·∇loss_g.
      const all = [...tuples(7, N_SAMPLES)];
      const B = all.length;
      const flat = all.flat();
      const data: GroupData = {
        groups: B,
        n: N_SAMPLES,
        rewards: Float32Array.from(flat.map((s) => REWARD[s] as number)),
        scores: Float32Array.from(flat.map((s) => SCORE[s] as number)),
        answers: flat.map(String),
      };
      const pTuple = all.map((t) => t.reduce((acc, s) => acc * (probs[s] as number), 1));
      const raw = objective.weights(data, K);
      const scaled = tf.tidy(() => tf.mul(raw, tf.tensor2d(pTuple.map((p) => B * p), [B, 1])) as tf.Tensor2D);
      raw.dispose();
      const batch = makeBatch(model, ref, tinySamples(flat), scaled);
      const { grads } = tf.variableGrads(() => ppoLoss(model, batch, PPO), vars);
      const expected = vars.map((v) => Float64Array.from((grads[v.name] as tf.Tensor).dataSync()));
      tf.dispose(Object.values(grads));
      disposeBatch(batch);
      const compare = (objectiveFn: (p: tf.Tensor1D) => tf.Scalar): { maxDiff: number; maxAbs: number } => {
        const { grads: exact } = tf.variableGrads(() => tf.mul(tf.scalar(-N_SAMPLES), objectiveFn(sequenceProbs(model))) as tf.Scalar, vars);
        let maxDiff = 0;
        let maxAbs = 0;
        vars.forEach((v, j) => {
          const g = (exact[v.name] as tf.Tensor).dataSync();
          const acc = expected[j] as Float64Array;
          for (let i = 0; i < g.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((acc[i] as number) - (g[i] as number)));
            maxAbs = Math.max(maxAbs, Math.abs(g[i] as number));
          }
        });
        tf.dispose(Object.values(exact));
        return { maxDiff, maxAbs };
      };
      const own = compare(EXACT[id]);
      // The k-sample objectives really differ from the mean reward here (maj@2 with ties averaged is
      // the mean reward, so it is compared with its own formula only).
      const other = id === 'rloo' || id === 'maj' ? undefined : compare(EXACT.rloo);
      model.dispose();
      ref.dispose();
      expect(own.maxAbs).toBeGreaterThan(1e-3);
      // float32 gradients of magnitude ~3e-3 agree to ~1e-9 (measured); 1e-5 relative leaves room.
      expect(own.maxDiff).toBeLessThan(1e-5 * own.maxAbs);
      if (other !== undefined) expect(other.maxDiff).toBeGreaterThan(0.05 * own.maxAbs);
    },
  );
});

// ---------------------------------------------------------------------------------------------------

function smallRun(seed: number) {
  const cfg = { ...LM_CONFIG };
  const ckpt = pretrain(cfg, seed, { steps: 4, batch: 16, learningRate: 3e-3 });
  const split = splitPrompts(mulberry32(seed), 24);
  const ppo: PpoConfig = { ...PPO, steps: 5, promptsPerStep: 2, samplesPerPrompt: 8, k: 4, epochs: 2, evalEvery: 2, curveSamples: 4, finalSamples: 8 };
  const passk = OBJECTIVES.find((o) => o.id === 'passk');
  if (passk === undefined) throw new Error('passk');
  return fineTune(cfg, ckpt, 'pass@k', split.train.slice(0, 12), split.test.slice(0, 6), seed, ppo, ppoUpdate(passk, ppo));
}

describe('LM demo: reproducible and leak-free', () => {
  beforeAll(async () => {
    await setupTfjs('wasm', () => {});
  });

  it('the same seed gives the same numbers; another seed gives others', () => {
    const a = smallRun(3);
    const b = smallRun(3);
    const c = smallRun(4);
    expect(JSON.stringify(b.final)).toBe(JSON.stringify(a.final));
    expect(JSON.stringify(b.curve)).toBe(JSON.stringify(a.curve));
    expect(JSON.stringify(c.final)).not.toBe(JSON.stringify(a.final));
  }, 60_000);

  it('tf.memory().numTensors is constant across steps after the first, and back to its start after a run', () => {
    const before = tf.memory().numTensors;
    const run = smallRun(5);
    // The optimizer creates its moment variables on the first step; from then on nothing accumulates.
    const after = run.tensorsAfterStep.slice(1);
    expect(new Set(after).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------

interface Row {
  method: string;
  pass1: [number, number];
  passK: [number, number];
  kl: [number, number];
}

describe('npm run demo -- --lm --quick', () => {
  let rows: Row[] = [];
  beforeAll(() => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'demo/bandit/run.ts', '--lm', '--quick', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    rows = (JSON.parse(out) as { summaries: Row[] }).summaries;
  }, 600_000); // ≈ 31 CPU-seconds; minutes of wall time on a loaded shared machine
  const row = (label: string): Row => {
    const r = rows.find((s) => s.method === label);
    if (r === undefined) throw new Error(`no row ${label} in ${rows.map((s) => s.method).join(', ')}`);
    return r;
  };

  it('pass@k fine-tuning keeps a higher pass@8 than mean-reward fine-tuning, closer to the base model (lower KL)', () => {
    const passk = row('pass@k (loo-1)');
    const rloo = row('mean reward (RLOO)');
    expect(passk.passK[0]).toBeGreaterThan(rloo.passK[0]);
    expect(passk.kl[0]).toBeLessThan(rloo.kl[0]);
    expect(rloo.pass1[0]).toBeGreaterThan(passk.pass1[0]);
  });
});
