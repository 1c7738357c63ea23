/**
 * The tfjs losses and weight helpers at the edges of float32, on the cpu and wasm backends: a zero
 * weight contributes exactly zero whatever its ratio; exponents beyond float32 are reported by
 * `check: true` with the token and, unchecked, capped so the loss stays finite; weights beyond ±3.4e38
 * are a typed error naming the group, never ±Infinity in the tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/index.js';
import { maxAtKWeights, policyGradientLoss, ppoClipLoss, rlooWeights } from '../../src/tfjs/index.js';
import { BACKENDS, useBackend } from './setup.js';

function valueAndGrad(f: (x: tf.Tensor) => tf.Scalar, lp: number[][]): { value: number; grad: number[] } {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(lp));
    return { value: value.dataSync()[0]!, grad: Array.from(grad.dataSync()) };
  });
}

describe.each(BACKENDS)('float32 edges on the tfjs %s backend', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  // 2 prompts × 2 samples, 3 tokens. Row 1 (weight 0) has a token with lp − oldLp = 100 (e^100 is not a
  // float32); rows 2–3 have padding with garbage log-probs.
  const lp = [
    [-0.5, -1, -2],
    [-0.2, 99.7, -0.1],
    [-1.5, -0.1, -0.4],
    [-0.7, 1e30, -1e30],
  ];
  const old = [
    [-0.4, -1.1, -2],
    [-0.2, -0.3, -0.1],
    [-1.5, -0.2, -0.3],
    [-0.6, -5, 3],
  ];
  const mask = [
    [1, 1, 1],
    [1, 1, 1],
    [1, 1, 0],
    [1, 0, 0],
  ];
  const w = [
    [0.5, 0],
    [-0.25, 0.25],
  ];

  it('ppoClipLoss: a zero weight contributes exactly 0 whatever the ratio (no 0·∞ NaN), value and gradient', () => {
    for (const check of [true, false]) {
      const run = (lps: number[][]) =>
        valueAndGrad(
          (x) =>
            ppoClipLoss({ logProbs: x, oldLogProbs: tf.tensor2d(old), weights: tf.tensor2d(w), mask: tf.tensor2d(mask), normalize: 'sum', check }),
          lps,
        );
      const a = run(lp);
      // The same batch with row 1's wild token made tame: nothing may change, bit for bit.
      const tame = lp.map((r) => r.slice());
      tame[1]![1] = -0.3;
      const b = run(tame);
      expect(Number.isFinite(a.value)).toBe(true);
      expect(a.value).toBe(b.value);
      expect(a.grad).toEqual(b.grad);
      expect(a.grad.slice(3, 6).every((g) => g === 0)).toBe(true);
    }
  });

  it('policyGradientLoss: a zero weight contributes exactly 0 and padding garbage never leaks', () => {
    const a = valueAndGrad((x) => policyGradientLoss({ logProbs: x, weights: tf.tensor2d(w), mask: tf.tensor2d(mask) }), lp);
    expect(Number.isFinite(a.value)).toBe(true);
    expect(a.grad.slice(3, 6).every((g) => g === 0)).toBe(true);
  });

  it('check: true names the token whose ratio (negative weight) or k3 KL exponent would overflow float32', () => {
    const bad = lp.map((r) => r.slice());
    bad[2]![1] = 95; // row 2 has weight −0.25: ρ = e^95.2 is beyond float32
    expect(() =>
      tf.tidy(() => ppoClipLoss({ logProbs: tf.tensor2d(bad), oldLogProbs: tf.tensor2d(old), weights: tf.tensor2d(w), mask: tf.tensor2d(mask) })),
    ).toThrow(DomainError);
    expect(() =>
      tf.tidy(() => ppoClipLoss({ logProbs: tf.tensor2d(bad), oldLogProbs: tf.tensor2d(old), weights: tf.tensor2d(w), mask: tf.tensor2d(mask) })),
    ).toThrow(/at \[2, 1\]/);
    const ref = lp.map((r) => r.map((x) => (Math.abs(x) > 1e3 ? 0 : x)));
    ref[0]![2] = -2 + 100; // ref − lp = 100: e^100 − 101 is beyond float32
    const tame = lp.map((r) => r.slice());
    tame[1]![1] = -0.3;
    const kl = (check: boolean) =>
      tf.tidy(() =>
        ppoClipLoss({
          logProbs: tf.tensor2d(tame),
          oldLogProbs: tf.tensor2d(old),
          weights: tf.tensor2d(w),
          mask: tf.tensor2d(mask),
          klCoef: 0.1,
          refLogProbs: tf.tensor2d(ref),
          check,
        }).dataSync()[0]!,
      );
    expect(() => kl(true)).toThrow(/refLogProbs − logProbs must be ≤ 88 .* at \[0, 2\]/);
    // Unchecked, the exponent is capped (documented): finite, not Infinity or NaN.
    expect(Number.isFinite(kl(false))).toBe(true);
  });

  it('weight helpers: finite weights of rewards near ±3.4e38 come back finite; unrepresentable ones throw naming the group', () => {
    const near = tf.tensor2d([
      [0.5, 0.25, 0.75],
      [3e38, 2.9e38, 3.1e38],
    ]);
    const ok = maxAtKWeights(near, 2, { baseline: 'loo-1' });
    expect(Array.from(ok.dataSync()).every(Number.isFinite)).toBe(true);
    ok.dispose();
    const wide = tf.tensor2d([
      [0.5, 0.25, 0.75],
      [3.3e38, -3.3e38, 0],
    ]);
    // loo-1 weight of the top sample of group 1: (2/3)·6.6e38/… > 3.4e38.
    expect(() => maxAtKWeights(wide, 2, { baseline: 'loo-1', scale: 'mean' })).toThrow(DomainError);
    expect(() => maxAtKWeights(wide, 2, { baseline: 'loo-1', scale: 'mean' })).toThrow(/group 1/);
    expect(() => rlooWeights(wide, { scale: 'mean' } as never)).not.toThrow(/Infinity/);
    near.dispose();
    wide.dispose();
  });
});
