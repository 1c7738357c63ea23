/**
 * Token-by-token sampling of completions on the host from the model's next-token distributions, with
 * the demo's seeded PRNG (so the same seed gives the same samples), and the padding mask: 1 on a
 * completion's tokens up to and including its end token, 0 after it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TinyLM } from './model.js';
import type { Rng } from './rng.js';
import { EOS, MAX_COMPLETION, PROMPT_LENGTH, completionText } from './tokenizer.js';

/** R = B·n sampled completions, rows grouped by prompt (rows b·n … b·n + n − 1 are prompt b's). */
export interface Samples {
  /** Rows. */
  rows: number;
  /** Tokens per prompt and per completion (PROMPT_LENGTH and MAX_COMPLETION for sampled rows). */
  promptLength: number;
  completionLength: number;
  /** Prompt tokens, row-major [R, PROMPT_LENGTH]. */
  prompts: Int32Array;
  /** Completion tokens, row-major [R, MAX_COMPLETION], EOS after the end. */
  completions: Int32Array;
  /** 0/1 mask [R, MAX_COMPLETION]. */
  mask: Float32Array;
  /** Answer text of each row (before its end token). */
  answers: string[];
  /** Length in tokens of each row (including the end token). */
  lengths: Int32Array;
}

/** Draws n completions for each prompt (token ids of length PROMPT_LENGTH). */
export function sampleCompletions(model: TinyLM, promptTokens: readonly number[][], n: number, rng: Rng): Samples {
  const R = promptTokens.length * n;
  const prompts = new Int32Array(R * PROMPT_LENGTH);
  promptTokens.forEach((p, b) => {
    for (let i = 0; i < n; i++) prompts.set(p, (b * n + i) * PROMPT_LENGTH);
  });
  const completions = new Int32Array(R * MAX_COMPLETION).fill(EOS);
  const done = new Uint8Array(R);
  const V = model.cfg.vocab;
  for (let t = 0; t < MAX_COMPLETION; t++) {
    const L = PROMPT_LENGTH + t;
    const prefix = new Int32Array(R * L);
    for (let r = 0; r < R; r++) {
      prefix.set(prompts.subarray(r * PROMPT_LENGTH, (r + 1) * PROMPT_LENGTH), r * L);
      prefix.set(completions.subarray(r * MAX_COMPLETION, r * MAX_COMPLETION + t), r * L + PROMPT_LENGTH);
    }
    const logp = tf.tidy(() => {
      const input = tf.tensor2d(prefix, [R, L], 'int32');
      return model.nextTokenLogProbs(input);
    });
    const values = logp.dataSync() as Float32Array;
    logp.dispose();
    for (let r = 0; r < R; r++) {
      if (done[r] === 1) continue;
      // Inverse-CDF draw from the float32 distribution, in float64.
      let u = rng();
      let token = V - 1;
      for (let v = 0; v < V; v++) {
        u -= Math.exp(values[r * V + v] as number);
        if (u < 0) {
          token = v;
          break;
        }
      }
      completions[r * MAX_COMPLETION + t] = token;
      if (token === EOS) done[r] = 1;
    }
  }
  const mask = new Float32Array(R * MAX_COMPLETION);
  const answers: string[] = [];
  const lengths = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    const { text, length } = completionText(completions.subarray(r * MAX_COMPLETION, (r + 1) * MAX_COMPLETION));
    answers.push(text);
    lengths[r] = length;
    for (let t = 0; t < length; t++) mask[r * MAX_COMPLETION + t] = 1;
  }
  return { rows: R, promptLength: PROMPT_LENGTH, completionLength: MAX_COMPLETION, prompts, completions, mask, answers, lengths };
}

/** The samples' tensors: prompts and completions int32, mask float32 (caller disposes). */
export function sampleTensors(s: Samples): { prompts: tf.Tensor2D; completions: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    prompts: tf.tensor2d(s.prompts, [s.rows, s.promptLength], 'int32'),
    completions: tf.tensor2d(s.completions, [s.rows, s.completionLength], 'int32'),
    mask: tf.tensor2d(s.mask, [s.rows, s.completionLength], 'float32'),
  };
}
