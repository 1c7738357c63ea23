/**
 * RL fine-tuning with PPO: each step samples n completions for each of B training prompts from the
 * current policy, scores them (checker and verifier), turns them into per-sample weights with the
 * objective's library call, and takes `epochs` Adam steps on the library's `ppoClipLoss` (clipped
 * ratio to the sampling policy, k3 KL penalty to the frozen base model) over the same batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ppoClipLoss } from '../../src/tfjs/index.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { TinyLM, type Checkpoint, type ModelConfig } from './model.js';
import type { GroupData, Objective } from './objectives.js';
import { mulberry32, type Rng } from './rng.js';
import { sampleCompletions, sampleTensors, type Samples } from './sampler.js';
import { apply, check, drawIntent, verifierScore, type Op, type Prompt } from './task.js';

export interface PpoConfig {
  steps: number;
  promptsPerStep: number;
  samplesPerPrompt: number;
  /** The inference budget of the k-sample objectives (and of the evaluation). */
  k: number;
  /** Optimisation passes over each sampled batch. */
  epochs: number;
  learningRate: number;
  clipEpsilon: number;
  /** β of the k3 KL penalty to the base model. */
  klCoef: number;
  /** Evaluate on held-out prompts every this many steps (learning curves). */
  evalEvery: number;
  /** Samples per held-out prompt for the curve points (the final evaluation uses `finalSamples`). */
  curveSamples: number;
  finalSamples: number;
  onStep?: (step: number) => void;
}

/** One sampled batch with everything the PPO loss needs. Tensors are owned by the batch. */
export interface PpoBatch {
  prompts: tf.Tensor2D;
  completions: tf.Tensor2D;
  mask: tf.Tensor2D;
  /** Per-token log-probs under the policy that sampled (no gradient). */
  oldLogProbs: tf.Tensor2D;
  /** Per-token log-probs under the frozen reference. */
  refLogProbs: tf.Tensor2D;
  /** Per-sample weights [B, n]. */
  weights: tf.Tensor2D;
}

export function disposeBatch(b: PpoBatch): void {
  tf.dispose([b.prompts, b.completions, b.mask, b.oldLogProbs, b.refLogProbs, b.weights]);
}

/** Builds a batch from samples and their weights (takes ownership of `weights`). */
export function makeBatch(model: TinyLM, ref: TinyLM, s: Samples, weights: tf.Tensor2D): PpoBatch {
  const t = sampleTensors(s);
  const oldLogProbs = model.completionLogProbs(t.prompts, t.completions);
  const refLogProbs = ref.completionLogProbs(t.prompts, t.completions);
  return { ...t, oldLogProbs, refLogProbs, weights };
}

/**
 * The PPO loss of the current parameters on a batch: `ppoClipLoss` over per-token log-probs with the
 * padding mask, `normalize: 'group'` (the mean over prompts of the per-group sum).
 */
export function ppoLoss(model: TinyLM, b: PpoBatch, cfg: Pick<PpoConfig, 'clipEpsilon' | 'klCoef'>): tf.Scalar {
  return ppoClipLoss({
    logProbs: model.completionLogProbs(b.prompts, b.completions),
    oldLogProbs: b.oldLogProbs,
    refLogProbs: b.refLogProbs,
    weights: b.weights,
    mask: b.mask,
    clipEpsilon: cfg.clipEpsilon,
    klCoef: cfg.klCoef,
    klEstimator: 'k3',
    normalize: 'group',
    check: false,
  });
}

/** Draws a step's prompts and intents, samples n completions each, and scores them. */
export interface Rollout {
  samples: Samples;
  data: GroupData;
  prompts: Prompt[];
  /** The intended operator of each prompt's episode. */
  intents: Op[];
}

export function rollout(model: TinyLM, train: readonly Prompt[], cfg: Pick<PpoConfig, 'promptsPerStep' | 'samplesPerPrompt'>, rng: Rng): Rollout {
  const prompts = Array.from({ length: cfg.promptsPerStep }, () => train[Math.floor(rng() * train.length)] as Prompt);
  const ops = prompts.map((p) => drawIntent(p, rng));
  const intents = prompts.map((p, b) => apply(ops[b] as Op, p.x, p.y));
  const n = cfg.samplesPerPrompt;
  const samples = sampleCompletions(model, prompts.map((p) => p.tokens), n, rng);
  const rewards = new Float32Array(samples.rows);
  const scores = new Float32Array(samples.rows);
  for (let r = 0; r < samples.rows; r++) {
    const b = Math.floor(r / n);
    const a = samples.answers[r] as string;
    rewards[r] = check(a, intents[b] as number);
    scores[r] = verifierScore(prompts[b] as Prompt, a, rewards[r] as number, rng);
  }
  return { samples, data: { groups: prompts.length, n, rewards, scores, answers: samples.answers }, prompts, intents: ops };
}

export interface CurvePoint {
  step: number;
  pass1: number;
  passK: number;
  majK: number;
  bonK: number;
  kl: number;
}

export interface RunResult {
  label: string;
  seed: number;
  final: Evaluation;
  curve: CurvePoint[];
  /** tf.memory().numTensors after each step (leak check). */
  tensorsAfterStep: number[];
}

/**
 * A fine-tuning run from the checkpoint. `update` performs one step's optimisation on the sampled data
 * (PPO for the RL objectives; the BoN-SFT row plugs in its own).
 */
export function fineTune(
  cfgModel: ModelConfig,
  base: Checkpoint,
  label: string,
  train: readonly Prompt[],
  test: readonly Prompt[],
  seed: number,
  cfg: PpoConfig,
  update: (model: TinyLM, ref: TinyLM, optimizer: tf.Optimizer, roll: Rollout) => void,
): RunResult {
  const model = new TinyLM(cfgModel, base, true);
  const ref = new TinyLM(cfgModel, base, false);
  const optimizer = tf.train.adam(cfg.learningRate);
  // The same prompt and sampling stream for every objective of one seed; a separate evaluation stream.
  const rng = mulberry32(seed * 1_000_003 + 5);
  const evalRng = mulberry32(seed * 31 + 11);
  const curve: CurvePoint[] = [];
  const tensorsAfterStep: number[] = [];
  const record = (step: number): void => {
    const e = evaluate(model, ref, test, cfg.curveSamples, cfg.k, evalRng);
    curve.push({ step, pass1: e.pass1, passK: e.passK, majK: e.majK, bonK: e.bonK, kl: e.kl });
  };
  try {
    record(0);
    for (let step = 1; step <= cfg.steps; step++) {
      const roll = rollout(model, train, cfg, rng);
      update(model, ref, optimizer, roll);
      tensorsAfterStep.push(tf.memory().numTensors);
      if (step % cfg.evalEvery === 0 || step === cfg.steps) record(step);
      cfg.onStep?.(step);
    }
    const final = evaluate(model, ref, test, cfg.finalSamples, cfg.k, mulberry32(seed * 131 + 7));
    return { label, seed, final, curve, tensorsAfterStep };
  } finally {
    model.dispose();
    ref.dispose();
    optimizer.dispose();
  }
}

/** The PPO update of an RL objective: weights from the library, then `epochs` passes of ppoClipLoss. */
export function ppoUpdate(objective: Objective, cfg: PpoConfig) {
  return (model: TinyLM, ref: TinyLM, optimizer: tf.Optimizer, roll: Rollout): void => {
    const weights = objective.weights(roll.data, cfg.k);
    const batch = makeBatch(model, ref, roll.samples, weights);
    try {
      for (let e = 0; e < cfg.epochs; e++) {
        tf.tidy(() => {
          optimizer.minimize(() => ppoLoss(model, batch, cfg), false, model.variables());
        });
      }
    } finally {
      disposeBatch(batch);
    }
  };
}
