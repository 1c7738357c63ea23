/**
 * Benchmark: the share of a full tfjs loss-and-gradient step spent computing the k-sample
 * weights, for B = 64 groups × n = 16 samples × T = 256 tokens (target ≤ 10%), on the tfjs cpu and wasm
 * backends. The step is the bare loss and its gradient with respect to the per-token log-probs (no
 * model), so the share is an upper bound on the share in a real step, whose model forward/backward
 * costs far more. Results: bench/results/tfjs-cpu.json and tfjs-wasm.json. See docs/tfjs.md.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { passAtKWeights, policyGradientLoss, ppoClipLoss } from '../src/tfjs/index.js';
import { runBench, type BenchGroup } from './harness.js';

/** A small deterministic PRNG, so every run times the same inputs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

interface Inputs {
  rewards: tf.Tensor2D;
  logProbs: tf.Tensor2D;
  oldLogProbs: tf.Tensor2D;
  refLogProbs: tf.Tensor2D;
  mask: tf.Tensor2D;
  weights: tf.Tensor2D;
}

function makeInputs(groups: number, n: number, tokens: number): Inputs {
  const rand = lcg(7);
  const rows = groups * n;
  const rewards = Float32Array.from({ length: rows }, () => (rand() < 0.3 ? 1 : 0));
  const lp = Float32Array.from({ length: rows * tokens }, () => -5 * rand());
  const old = lp.map((x) => x + 0.2 * (rand() - 0.5));
  const ref = lp.map((x) => x + 0.2 * (rand() - 0.5));
  // Ragged completions: each row's length is uniform in [T/8, T], the rest is padding.
  const mask = new Float32Array(rows * tokens);
  for (let r = 0; r < rows; r++) {
    const len = Math.max(1, Math.ceil(tokens * (0.125 + 0.875 * rand())));
    mask.fill(1, r * tokens, r * tokens + len);
  }
  const rewardsT = tf.tensor2d(rewards, [groups, n]);
  return {
    rewards: rewardsT,
    logProbs: tf.tensor2d(lp, [rows, tokens]),
    oldLogProbs: tf.tensor2d(old, [rows, tokens]),
    refLogProbs: tf.tensor2d(ref, [rows, tokens]),
    mask: tf.tensor2d(mask, [rows, tokens]),
    weights: passAtKWeights(rewardsT, 4),
  };
}

function groupsFor(backend: string, x: Inputs, k: number, shape: string): BenchGroup[] {
  const pgStep = (weights: tf.Tensor2D) =>
    tf.valueAndGrad((lp: tf.Tensor) => policyGradientLoss({ logProbs: lp, weights, mask: x.mask, normalize: 'token' }))(x.logProbs);
  const ppoStep = (weights: tf.Tensor2D) =>
    tf.valueAndGrad((lp: tf.Tensor) =>
      ppoClipLoss({
        logProbs: lp,
        oldLogProbs: x.oldLogProbs,
        weights,
        mask: x.mask,
        normalize: 'token',
        klCoef: 0.04,
        refLogProbs: x.refLogProbs,
      }),
    )(x.logProbs);
  /** Reads the loss (one float) and checks the gradient's shape: the result the harness consumes. */
  const consume = (r: { value: tf.Scalar; grad: tf.Tensor }) => [r.value.dataSync()[0], r.grad.shape[0]];
  const checkStep = (res: unknown) => {
    const [loss, rows] = res as [number, number];
    if (!Number.isFinite(loss) || rows !== x.logProbs.shape[0]) throw new Error(`bad step result ${String(res)}`);
  };
  const checkWeights = (res: unknown) => {
    if ((res as number[]).length !== 2 || !Number.isFinite((res as number[])[0])) throw new Error('bad weights');
  };
  const weightsOnly = () =>
    tf.tidy(() => {
      const w = passAtKWeights(x.rewards, k);
      return [w.dataSync()[0], w.size];
    });
  const rows = x.logProbs.shape[0];
  const tokens = x.logProbs.shape[1];
  return [
    {
      title: `tfjs ${backend}: pass@${k} policy-gradient step, ${shape}`,
      baseline: 'full step',
      elements: rows * tokens,
      cases: [
        {
          name: 'full step',
          fn: () => tf.tidy(() => consume(pgStep(passAtKWeights(x.rewards, k)))),
          check: checkStep,
          note: 'passAtKWeights + policyGradientLoss (token mean, checked inputs) + its gradient',
        },
        {
          name: 'weights only',
          fn: weightsOnly,
          check: checkWeights,
          note: 'passAtKWeights: rewards dataSync → host estimator → upload; its ratio is the share of the step',
        },
        { name: 'loss + gradient only', fn: () => tf.tidy(() => consume(pgStep(x.weights))), check: checkStep },
        {
          name: 'loss + gradient, check: false',
          fn: () =>
            tf.tidy(() =>
              consume(
                tf.valueAndGrad((lp: tf.Tensor) =>
                  policyGradientLoss({ logProbs: lp, weights: x.weights, mask: x.mask, normalize: 'token', check: false }),
                )(x.logProbs),
              ),
            ),
          check: checkStep,
        },
      ],
    },
    {
      title: `tfjs ${backend}: pass@${k} PPO-clip + k3 KL step, ${shape}`,
      baseline: 'full step',
      elements: rows * tokens,
      cases: [
        { name: 'full step', fn: () => tf.tidy(() => consume(ppoStep(passAtKWeights(x.rewards, k)))), check: checkStep },
        { name: 'weights only', fn: weightsOnly, check: checkWeights },
      ],
    },
  ];
}

export default async function tfjsBench(opts: { quick: boolean }): Promise<void> {
  const [groups, n, tokens] = opts.quick ? [4, 4, 16] : [64, 16, 256];
  const k = 4;
  const shape = `B=${groups} × n=${n} × T=${tokens}`;
  // The wasm backend's threaded build spawns workers from blob: URLs, which Node refuses.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  for (const backend of ['wasm', 'cpu']) {
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
    await tf.ready();
    const x = makeInputs(groups, n, tokens);
    const report = await runBench(`tfjs-${backend}`, groupsFor(backend, x, k, shape), { quick: opts.quick });
    for (const g of report.groups) {
      const step = g.cases.find((c) => c.name === 'full step');
      const w = g.cases.find((c) => c.name === 'weights only');
      if (step !== undefined && w !== undefined) {
        console.log(`${g.title}: weights = ${(100 * (w.medianMs / step.medianMs)).toFixed(2)}% of the step`);
      }
    }
    tf.dispose(Object.values(x));
  }
}
