/**
 * Held-out evaluation with the library's unbiased estimators: S samples per prompt, pass@1, pass@k,
 * maj@k and BoN@k (the biased verifier picks), pass@k for k = 1 … S, and the KL divergence to the
 * reference model. A `?` prompt is scored under each hidden operator with the same samples and the
 * results weighted by the operator's probability, so its numbers are exact expectations over the hidden
 * intent (no extra noise from drawing it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { bestOfNAtK, majorityAtK, passAtK } from '../../src/index.js';
import type { TinyLM } from './model.js';
import { normal, type Rng } from './rng.js';
import { sampleCompletions, sampleTensors } from './sampler.js';
import { HIDDEN_OP_PROBS, OPS, PROMPT_KINDS, apply, check, type Op, type Prompt, type PromptKind } from './task.js';
import { VERIFIER_BIAS, VERIFIER_NOISE } from './task.js';

export interface Metrics {
  pass1: number;
  passK: number;
  majK: number;
  bonK: number;
}

export interface Evaluation extends Metrics {
  /** pass@k for each k of `ks`. */
  passCurve: number[];
  ks: number[];
  /** KL(π ‖ π_ref) per completion, nats (exact over the vocabulary at each sampled position). */
  kl: number;
  /** The metrics per prompt kind. */
  byKind: Record<PromptKind, Metrics>;
  /** Share of samples on `?` prompts that answer with each operator's value (+, *, −), then anything else. */
  opShare: number[];
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return xs.length === 0 ? Number.NaN : s / xs.length;
}

/** Exact per-position KL(π ‖ π_ref) summed over each completion's tokens, averaged over completions. */
export function klToReference(model: TinyLM, ref: TinyLM, t: { prompts: tf.Tensor2D; completions: tf.Tensor2D; mask: tf.Tensor2D }): number {
  const kl = tf.tidy(() => {
    const lp = model.completionLogProbsFull(t.prompts, t.completions);
    const lq = ref.completionLogProbsFull(t.prompts, t.completions);
    const perPosition = tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), 2);
    return tf.div(tf.sum(tf.mul(perPosition, t.mask)), tf.scalar(t.prompts.shape[0]));
  });
  const v = kl.dataSync()[0] as number;
  kl.dispose();
  return v;
}

export function evaluate(model: TinyLM, ref: TinyLM, prompts: readonly Prompt[], samples: number, k: number, rng: Rng): Evaluation {
  const s = sampleCompletions(model, prompts.map((p) => p.tokens), samples, rng);
  const tensors = sampleTensors(s);
  const kl = klToReference(model, ref, tensors);
  tf.dispose([tensors.prompts, tensors.completions, tensors.mask]);
  const noise = Float64Array.from({ length: s.rows }, () => VERIFIER_NOISE * normal(rng));
  const ks = [1, 2, 4, 8, 16, 32].filter((x) => x <= samples);
  // One group per (prompt, intent): rewards, scores and answers of its S samples.
  const rewards: number[] = [];
  const scores: number[] = [];
  const answers: string[] = [];
  const groupKind: PromptKind[] = [];
  const groupWeight: number[] = [];
  const opCount = [0, 0, 0, 0];
  prompts.forEach((p, b) => {
    const intents: [Op, number][] = p.kind === '?' ? OPS.map((op, i) => [op, HIDDEN_OP_PROBS[i] as number]) : [[p.kind, 1]];
    for (const [op, w] of intents) {
      const intended = apply(op, p.x, p.y);
      for (let i = 0; i < samples; i++) {
        const a = s.answers[b * samples + i] as string;
        const r = check(a, intended);
        const overRated = /^-?[0-9]+$/.test(a) && Number(a) === p.x - p.y;
        rewards.push(r);
        scores.push(r + (overRated ? VERIFIER_BIAS : 0) + (noise[b * samples + i] as number));
        answers.push(a);
      }
      groupKind.push(p.kind);
      groupWeight.push(w);
    }
    if (p.kind === '?') {
      for (let i = 0; i < samples; i++) {
        const a = s.answers[b * samples + i] as string;
        const j = OPS.findIndex((op) => /^-?[0-9]+$/.test(a) && Number(a) === apply(op, p.x, p.y));
        opCount[j < 0 ? 3 : j] = (opCount[j < 0 ? 3 : j] as number) + 1;
      }
    }
  });
  const G = groupKind.length;
  const ns = new Float64Array(G).fill(samples);
  const cs = new Float64Array(G);
  for (let g = 0; g < G; g++) for (let i = 0; i < samples; i++) cs[g] = (cs[g] as number) + (rewards[g * samples + i] as number);
  const opts = { groupSize: samples };
  const perGroup = {
    pass1: passAtK(ns, cs, 1),
    passK: passAtK(ns, cs, k),
    majK: majorityAtK(answers, rewards, k, opts),
    bonK: bestOfNAtK(scores, rewards, k, opts),
  };
  const curve = ks.map((kk) => passAtK(ns, cs, kk));
  // Weighted mean within each kind (the intents of a `?` prompt), then the mean over kinds.
  const kindMean = (values: ArrayLike<number>, kind: PromptKind): number => {
    let sw = 0;
    let sv = 0;
    for (let g = 0; g < G; g++) {
      if (groupKind[g] !== kind) continue;
      sw += groupWeight[g] as number;
      sv += (groupWeight[g] as number) * (values[g] as number);
    }
    return sv / sw;
  };
  const overall = (values: ArrayLike<number>): number => mean(PROMPT_KINDS.map((kind) => kindMean(values, kind)));
  const byKind = Object.fromEntries(
    PROMPT_KINDS.map((kind) => [
      kind,
      { pass1: kindMean(perGroup.pass1, kind), passK: kindMean(perGroup.passK, kind), majK: kindMean(perGroup.majK, kind), bonK: kindMean(perGroup.bonK, kind) },
    ]),
  ) as Record<PromptKind, Metrics>;
  const totalQ = opCount.reduce((a, b) => a + b, 0);
  return {
    pass1: overall(perGroup.pass1),
    passK: overall(perGroup.passK),
    majK: overall(perGroup.majK),
    bonK: overall(perGroup.bonK),
    passCurve: curve.map(overall),
    ks,
    kl,
    byKind,
    opShare: opCount.map((c) => c / Math.max(1, totalQ)),
  };
}
