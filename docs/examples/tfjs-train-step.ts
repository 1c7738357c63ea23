/**
 * One pass@k training step with TensorFlow.js (docs/tfjs.md). A toy policy: per prompt and position,
 * logits over a vocabulary of V tokens; token 0 ends a completion. The verifier accepts a completion
 * that contains the prompt's target token. Run it (from the repository root, after `npm run build`):
 *
 *   npx esbuild docs/examples/tfjs-train-step.ts --bundle --platform=node --format=esm \
 *     --main-fields=module,main --outfile=.tmp/tfjs-train-step.mjs && node .tmp/tfjs-train-step.mjs
 *
 * (bundled because `@tensorflow/tfjs-core/dist/register_all_gradients` is an ES module build with
 * extension-less imports: bundlers load it, plain Node does not.)
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (@tensorflow/tfjs does this for you).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { maxAtK } from 'inference-aware-rl';
import { passAtKWeights, policyGradientLoss } from 'inference-aware-rl/tfjs';

const B = 4; // prompts
const N = 8; // samples per prompt
const T = 6; // max completion length
const V = 10; // vocabulary; token 0 = end of completion
const K = 4; // we train for pass@4

await tf.setBackend('cpu');
const logits = tf.variable(tf.zeros([B, T, V]), true, 'policy');
const optimizer = tf.train.adam(0.1);

/** Samples N completions per prompt: tokens [B·N, T] and the 0/1 padding mask [B·N, T]. */
function sample(seed: number): { tokens: number[][]; mask: number[][] } {
  const probs = tf.tidy(() => tf.reshape(tf.softmax(logits), [B * T, V]));
  const draws: number[][] = []; // [B·T][N]
  const flat = tf.tidy(() => tf.multinomial(probs, N, seed, true).arraySync() as number[][]);
  probs.dispose();
  for (const row of flat) draws.push(row);
  const tokens: number[][] = [];
  const mask: number[][] = [];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      const seq: number[] = [];
      const m: number[] = [];
      let ended = false;
      for (let t = 0; t < T; t++) {
        const y = draws[b * T + t]![i]!;
        seq.push(ended ? 0 : y);
        m.push(ended ? 0 : 1); // the end token itself counts, what follows is padding
        if (y === 0) ended = true;
      }
      tokens.push(seq);
      mask.push(m);
    }
  }
  return { tokens, mask };
}

/** The verifier: prompt b's completion is correct when it contains token b + 1 (before ending). */
const reward = (b: number, seq: number[], m: number[]) => (seq.some((y, t) => m[t] === 1 && y === b + 1) ? 1 : 0);

/** Per-token log-probs [B·N, T] of the sampled tokens under the current policy (differentiable). */
function logProbsOf(tokens: tf.Tensor2D): tf.Tensor2D {
  const logPi = tf.logSoftmax(logits); // [B, T, V]
  const perPrompt = tf.reshape(tf.tile(tf.expandDims(logPi, 1), [1, N, 1, 1]), [B * N, T, V]);
  return tf.sum(tf.mul(perPrompt, tf.oneHot(tokens, V)), 2) as tf.Tensor2D;
}

function step(seed: number, print: boolean): number {
  const { tokens, mask } = sample(seed);
  const rewardRows = tokens.map((seq, r) => reward(Math.floor(r / N), seq, mask[r]!));
  const rewards = tf.tensor2d(rewardRows, [B, N]);
  const weights = passAtKWeights(rewards, K); // [B, N], sum form, baseline 'loo-1', no gradient
  const tokensT = tf.tensor2d(tokens, [B * N, T], 'int32');
  const maskT = tf.tensor2d(mask, [B * N, T]);
  const loss = optimizer.minimize(
    () => policyGradientLoss({ logProbs: logProbsOf(tokensT), weights, mask: maskT, normalize: 'group' }),
    true,
    [logits],
  )!;
  const passK = maxAtK(rewardRows, K, { groupSize: N }); // unbiased pass@4 per prompt, from the same samples
  if (print) {
    console.log('rewards [B, N]    ', JSON.stringify(rewards.arraySync()));
    console.log('weights row 0     ', JSON.stringify((weights.arraySync()[0] ?? []).map((w) => +w.toFixed(4))));
    console.log('pass@4 per prompt ', JSON.stringify(Array.from(passK, (p) => +p.toFixed(4))));
    console.log('loss              ', loss.dataSync()[0]);
  }
  const mean = passK.reduce((a, b) => a + b, 0) / B;
  tf.dispose([rewards, weights, tokensT, maskT, loss]);
  return mean;
}

console.log('--- one training step ---');
step(1, true);
console.log('tensors alive after the step:', tf.memory().numTensors, '(the policy variable and Adam state)');
console.log('--- 60 more steps: mean pass@4 estimate over prompts ---');
for (let s = 2; s <= 61; s++) {
  const p = step(s, false);
  if (s % 15 === 1) console.log(`step ${s - 1}: pass@4 ≈ ${p.toFixed(3)}`);
}
console.log('tensors alive after 61 steps:', tf.memory().numTensors);
