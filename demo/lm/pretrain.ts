/**
 * Pretraining: supervised next-token learning (cross-entropy on the completion tokens, masked after the
 * end token) on the synthetic arithmetic corpus of ./task.ts, from a seeded initialisation. The result
 * is the base model every objective is fine-tuned from.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TinyLM, initCheckpoint, type Checkpoint, type ModelConfig } from './model.js';
import { mulberry32 } from './rng.js';
import { corpusLine } from './task.js';
import { EOS, MAX_COMPLETION, PROMPT_LENGTH } from './tokenizer.js';

export interface PretrainConfig {
  steps: number;
  batch: number;
  learningRate: number;
  onStep?: (step: number, loss: number) => void;
}

export function pretrain(cfg: ModelConfig, seed: number, pc: PretrainConfig): Checkpoint {
  const model = new TinyLM(cfg, initCheckpoint(cfg, mulberry32(seed * 7_919 + 1)), true);
  const rng = mulberry32(seed * 104_729 + 3);
  const optimizer = tf.train.adam(pc.learningRate);
  try {
    for (let step = 1; step <= pc.steps; step++) {
      const prompts = new Int32Array(pc.batch * PROMPT_LENGTH);
      const completions = new Int32Array(pc.batch * MAX_COMPLETION);
      const mask = new Float32Array(pc.batch * MAX_COMPLETION);
      for (let i = 0; i < pc.batch; i++) {
        const ex = corpusLine(rng);
        prompts.set(ex.prompt, i * PROMPT_LENGTH);
        completions.set(ex.completion, i * MAX_COMPLETION);
        for (let t = 0; t < MAX_COMPLETION; t++) {
          mask[i * MAX_COMPLETION + t] = 1;
          if (ex.completion[t] === EOS) break;
        }
      }
      const loss = tf.tidy(() => {
        const p = tf.tensor2d(prompts, [pc.batch, PROMPT_LENGTH], 'int32');
        const c = tf.tensor2d(completions, [pc.batch, MAX_COMPLETION], 'int32');
        const m = tf.tensor2d(mask, [pc.batch, MAX_COMPLETION]);
        const value = optimizer.minimize(() => tf.div(tf.neg(tf.sum(tf.mul(model.completionLogProbs(p, c), m))), tf.sum(m)) as tf.Scalar, true, model.variables());
        if (value === null) throw new Error('optimizer.minimize returned no loss');
        return value;
      });
      const value = pc.onStep === undefined ? 0 : (loss.dataSync()[0] ?? Number.NaN);
      loss.dispose();
      pc.onStep?.(step, value);
    }
    return model.checkpoint();
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
