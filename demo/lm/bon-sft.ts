/**
 * The BoN-SFT row (Chow et al., arXiv 2412.15287): imitation of expert demonstrations under the
 * best-of-N policy. Each step the expert demonstration of every prompt is the intended answer; its
 * verifier score and the policy samples' scores go to the library's `bestOfNSftWeights`, and the update
 * minimises the library's `policyGradientLoss` over the n samples and the expert of each group
 * (weights [B, n + 1]): −(1/B) Σ_b [expert_b log π(y*_b) + Σ_i w_i log π(y_i)], whose expected gradient
 * is −∇ of the mean log π_BoN(y*). No PPO ratio here: the expert rows are not the policy's samples.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bestOfNSftWeights } from '../../src/index.js';
import { policyGradientLoss } from '../../src/tfjs/index.js';
import type { TinyLM } from './model.js';
import type { PpoConfig, Rollout } from './ppo.js';
import type { Rng } from './rng.js';
import { expertCompletion, verifierScore, type Op, type Prompt } from './task.js';
import { MAX_COMPLETION, PROMPT_LENGTH, completionText } from './tokenizer.js';

export const BON_SFT_LABEL = 'BoN-SFT (expert demos)';

export function bonSftUpdate(cfg: PpoConfig, expertRng: Rng) {
  return (model: TinyLM, _ref: TinyLM, optimizer: tf.Optimizer, roll: Rollout): void => {
    const { samples, data, prompts, intents } = roll;
    const n = data.n;
    const B = data.groups;
    const expert = prompts.map((p, b) => expertCompletion(p, intents[b] as Op));
    const expertScores = prompts.map((p: Prompt, b) => {
      const text = completionText(expert[b] as number[]).text;
      return verifierScore(p, text, 1, expertRng);
    });
    const w = bestOfNSftWeights(data.scores, expertScores, cfg.k, { groupSize: n });
    // Rows per group: its n samples, then its expert demonstration.
    const R = B * (n + 1);
    const promptRows = new Int32Array(R * PROMPT_LENGTH);
    const completionRows = new Int32Array(R * MAX_COMPLETION);
    const mask = new Float32Array(R * MAX_COMPLETION);
    const weights = new Float32Array(R);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j <= n; j++) {
        const row = b * (n + 1) + j;
        promptRows.set((prompts[b] as Prompt).tokens, row * PROMPT_LENGTH);
        if (j < n) {
          const src = b * n + j;
          completionRows.set(samples.completions.subarray(src * MAX_COMPLETION, (src + 1) * MAX_COMPLETION), row * MAX_COMPLETION);
          mask.set(samples.mask.subarray(src * MAX_COMPLETION, (src + 1) * MAX_COMPLETION), row * MAX_COMPLETION);
          weights[row] = w.samples[src] as number;
        } else {
          const e = expert[b] as number[];
          completionRows.set(e, row * MAX_COMPLETION);
          const len = completionText(e).length;
          for (let t = 0; t < len; t++) mask[row * MAX_COMPLETION + t] = 1;
          weights[row] = w.expert[b] as number;
        }
      }
    }
    const t = {
      prompts: tf.tensor2d(promptRows, [R, PROMPT_LENGTH], 'int32'),
      completions: tf.tensor2d(completionRows, [R, MAX_COMPLETION], 'int32'),
      mask: tf.tensor2d(mask, [R, MAX_COMPLETION]),
      weights: tf.tensor2d(weights, [B, n + 1]),
    };
    try {
      for (let e = 0; e < cfg.epochs; e++) {
        tf.tidy(() => {
          optimizer.minimize(
            () =>
              policyGradientLoss({
                logProbs: model.completionLogProbs(t.prompts, t.completions),
                weights: t.weights,
                mask: t.mask,
                normalize: 'group',
                check: false,
              }),
            false,
            model.variables(),
          );
        });
      }
    } finally {
      tf.dispose([t.prompts, t.completions, t.mask, t.weights]);
    }
  };
}
