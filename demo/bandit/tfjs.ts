/**
 * The demo's pass@k run trained through the tfjs adapter instead of the plain-TS gradient: the policy's
 * parameters are tfjs variables, the weights come from `passAtKWeights` (a [B, n] tensor) and the update
 * minimises `policyGradientLoss` with tfjs's Adam. Same task, prompts, sampling stream and step size as
 * the plain run, so its numbers should match the plain pass@k row up to float32 rounding.
 */
import '@tensorflow/tfjs-backend-cpu';
import {
  add,
  customGrad,
  exp,
  gather,
  logSoftmax,
  matMul,
  mul,
  oneHot,
  reshape,
  setBackend,
  sub,
  sum,
  tensor1d,
  tensor2d,
  tidy,
  train,
  variable,
  type GradSaveFunc,
  type Scalar,
  type Tensor,
  type Tensor2D,
} from '@tensorflow/tfjs-core';
import { passAtKWeights, policyGradientLoss } from '../../src/tfjs/index.js';
import { TASK, evaluate, mulberry32, samplePrompts, type Prompt, type RunResult, type Task, type TrainConfig } from './core.js';

/**
 * log π(y_i | x_p) of every sample as an [R, 1] tensor (R = B·n, rows grouped by prompt), for the
 * softmax-linear policy softmax(x W + b). Node's tfjs-core bundle registers no gradients (the adapter's
 * losses bring their own), so this op writes its gradient out too: ∂/∂z_p = Σ_{i∈p} dy_i (e_{y_i} − π_p),
 * then dW = xᵀ dZ and db = Σ_p dZ.
 */
function sampleLogProbs(x: Tensor2D, rows: Tensor, picked: Tensor, n: number): (W: Tensor, b: Tensor) => Tensor {
  const [B] = x.shape;
  const M = picked.shape[1] as number;
  return customGrad((W: Tensor | GradSaveFunc, b: Tensor | GradSaveFunc, save: Tensor | GradSaveFunc) => {
    const logp = logSoftmax(add(matMul(x, W as Tensor), b as Tensor));
    (save as GradSaveFunc)([logp]);
    return {
      value: sum(mul(gather(logp, rows), picked), 1, true),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const probs = gather(exp(saved[0] as Tensor), rows);
        const dZ = sum(reshape(mul(dy, sub(picked, probs)), [B, n, M]), 1);
        return [matMul(x, dZ, true, false), sum(dZ, 0)];
      },
    };
  }) as (W: Tensor, b: Tensor) => Tensor;
}

export async function trainWithTfjs(task: Task, seed: number, cfg: TrainConfig): Promise<RunResult> {
  await setBackend('cpu');
  const M = TASK.answers;
  const F = task.features;
  const n = TASK.samplesPerPrompt;
  // theta0 holds W row-major as [answer][feature]; tfjs multiplies x [B, F] by W [F, M].
  const w0 = new Float32Array(F * M);
  for (let y = 0; y < M; y++) for (let j = 0; j < F; j++) w0[j * M + y] = task.theta0[y * F + j] as number;
  const W = variable(tensor2d(w0, [F, M]), true, `demo_W_${seed}`);
  const b = variable(tensor1d(Float32Array.from(task.theta0.subarray(M * F))), true, `demo_b_${seed}`);
  const optimizer = train.adam(TASK.learningRate, 0.9, 0.999, 1e-8);
  const rng = mulberry32(seed * 1_000_003 + 5);
  const evalRng = mulberry32(seed * 31 + 11);
  const theta = new Float64Array(task.theta0.length);
  const readTheta = (): Float64Array => {
    const wv = W.dataSync();
    const bv = b.dataSync();
    for (let y = 0; y < M; y++) for (let j = 0; j < F; j++) theta[y * F + j] = wv[j * M + y] as number;
    for (let y = 0; y < M; y++) theta[M * F + y] = bv[y] as number;
    return theta;
  };
  const curve: RunResult['curve'] = [];
  const record = (step: number): void => {
    const e = evaluate(readTheta(), task, cfg.k, evalRng, 16);
    curve.push({ step, pass1: e.pass1, passK: e.passK });
  };
  record(0);
  try {
    for (let step = 1; step <= cfg.steps; step++) {
      const prompts = Array.from({ length: TASK.promptsPerStep }, () => task.train[Math.floor(rng() * task.train.length)] as Prompt);
      // Sampling happens on the host from the current parameters (an LLM trainer's rollout phase).
      const batch = samplePrompts(readTheta(), task, prompts, n, rng);
      tidy(() => {
        const B = prompts.length;
        const x = tensor2d(Float32Array.from(prompts.flatMap((p) => [...p.x])), [B, F]);
        const rewards = tensor2d(Float32Array.from(batch.rewards), [B, n]);
        const weights = passAtKWeights(rewards, cfg.k, { baseline: 'loo-1' });
        const rows = tensor1d(Int32Array.from({ length: B * n }, (_, i) => Math.floor(i / n)), 'int32');
        const picked = oneHot(tensor1d(batch.answers, 'int32'), M);
        const forward = sampleLogProbs(x, rows, picked, n);
        optimizer.minimize(() => {
          // log π(y_i | x_p) for every sample, as the [R, T = 1] "token" log-probs the adapter expects.
          const logProbs = forward(W, b);
          // 'group' = (1/B) Σ_p Σ_i w_i log π: the same estimator as the plain-TS gradient.
          return policyGradientLoss({ logProbs, weights, normalize: 'group', check: false }) as Scalar;
        }, false, [W, b]);
      });
      if (step % cfg.evalEvery === 0 || step === cfg.steps) record(step);
      cfg.onStep?.(step);
    }
    return { method: 'pass@k via tfjs', seed, final: evaluate(readTheta(), task, cfg.k, mulberry32(seed * 131 + 7)), curve };
  } finally {
    W.dispose();
    b.dispose();
    optimizer.dispose();
  }
}
