/**
 * The tfjs losses against their float64 definitions (test/tfjs/setup.ts), their gradients against
 * finite differences, padding, leaks and typed errors — on the cpu and wasm backends.
 *
 * Tolerances. tfjs has no float64 dtype, so every tfjs loss runs in float32 (unit roundoff
 * u = 2^-24 ≈ 6e-8). Two finite-difference checks:
 * - float64: central differences (h = 1e-6, error ~1e-9) of the independent float64 reference; tf.grad
 *   must match to 2e-5·(1 + |g|): float32 rounding of ρ = exp(lp − old) and of ν·w (a few u each).
 * - float32: central differences of the tfjs loss itself with h = 1e-2. Truncation h²/6·|ℓ'''| ≤ 2e-5
 *   (|ℓ'''| ≤ e^{0.3}·|w| ≤ 1.4 here) plus rounding ≈ (R·T·u·max|ℓ|)/(2h) ≤ 36·6e-8·3/0.02 ≈ 3e-4;
 *   we allow 1e-3. PPO inputs keep every ratio ≥ 2h (in log space) away from the clip kinks so that
 *   the difference quotient does not straddle one.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import {
  estimatorLoss,
  imitationLoss,
  passAtKLoss,
  passAtKWeights,
  policyGradientLoss,
  ppoClipLoss,
  type LossNormalization,
} from '../../src/tfjs/index.js';
import { BACKENDS, fdGradient, refPolicyLoss, refPpoLoss, refScale, useBackend, type Normalize } from './setup.js';

const NORMALIZATIONS: Normalize[] = ['group', 'sum', 'sequence', 'token', 'constant'];
const f32 = (x: number) => Math.fround(x);

interface Case {
  groups: number;
  n: number;
  lp: number[][];
  w: number[];
  mask: number[][];
  normalize: Normalize;
}

/** Random batches: B ≤ 3 groups of n ≤ 3 samples of T ≤ 4 tokens, float32-representable values. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({ groups: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 1, max: 3 }), tokens: fc.integer({ min: 1, max: 4 }) })
  .chain(({ groups, n, tokens }) => {
    const rows = groups * n;
    const val = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(f32);
    return fc.record({
      groups: fc.constant(groups),
      n: fc.constant(n),
      lp: fc.array(fc.array(val(-3, 0), { minLength: tokens, maxLength: tokens }), { minLength: rows, maxLength: rows }),
      w: fc.array(val(-1, 1), { minLength: rows, maxLength: rows }),
      mask: fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: tokens, maxLength: tokens }), {
        minLength: rows,
        maxLength: rows,
      }),
      normalize: fc.constantFrom(...NORMALIZATIONS),
    });
  });

function tensors(c: Case) {
  return {
    logProbs: tf.tensor2d(c.lp),
    weights: tf.tensor2d(c.w, [c.groups, c.n]),
    mask: tf.tensor2d(c.mask),
  };
}

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, r) => row.forEach((x, t) => (d = Math.max(d, Math.abs(x - b[r]![t]!)))));
  return d;
}

/** Central differences of a tfjs loss of the log-probs, evaluated in float32. */
function fd32(loss: (lp: tf.Tensor) => tf.Scalar, lp: number[][], h: number): number[][] {
  return fdGradient((x) => tf.tidy(() => loss(tf.tensor2d(x)).dataSync()[0]!), lp, h);
}

describe.each(BACKENDS)('on the tfjs %s backend', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('policyGradientLoss({ logProbs, weights, mask, normalize }) equals −Σ ν_s m w_s lp for every normalisation', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const got = tf.tidy(() => policyGradientLoss({ ...tensors(c), normalize: c.normalize }).dataSync()[0]!);
        const want = refPolicyLoss(c.lp, c.w, c.mask, c.groups, c.normalize);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
      }),
      { numRuns: 40 },
    );
  });

  it('tf.grad(policyGradientLoss) equals −ν_s m w_s and finite differences in float64 and float32', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const t = tensors(c);
        const loss = (lp: tf.Tensor) => policyGradientLoss({ logProbs: lp, weights: t.weights, mask: t.mask, normalize: c.normalize });
        const g = tf.tidy(() => tf.grad(loss)(t.logProbs).arraySync() as number[][]);
        const nu = refScale(c.mask, c.groups, c.normalize);
        const closed = c.mask.map((m, r) => m.map((x) => (x === 1 ? -nu[r]! * c.w[r]! : 0)));
        const fd64 = fdGradient((x) => refPolicyLoss(x, c.w, c.mask, c.groups, c.normalize), c.lp, 1e-6);
        const fd = fd32(loss, c.lp, 1e-2);
        tf.dispose(t);
        expect(maxDiff(g, closed)).toBeLessThanOrEqual(1e-6);
        expect(maxDiff(g, fd64)).toBeLessThanOrEqual(2e-5);
        expect(maxDiff(g, fd)).toBeLessThanOrEqual(1e-3);
      }),
      { numRuns: 20 },
    );
  });

  it('ppoClipLoss({ logProbs, oldLogProbs, weights, mask, clipEpsilon, klCoef, refLogProbs, klEstimator }) equals the PPO formula and tf.grad equals finite differences', () => {
    const epsLow = 0.2;
    const epsHigh = 0.28;
    const kinks = [Math.log(1 - epsLow), Math.log(1 + epsHigh)];
    fc.assert(
      fc.property(
        caseArb,
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.constantFrom('k1' as const, 'k3' as const),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (c, spread, klCoef, kl, seed) => {
          // old = lp − δ with log-ratios δ spread over both sides of the trust region, away from kinks.
          let s = seed;
          const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
          const delta = c.lp.map((row) =>
            row.map(() => {
              let d = (rand() * 2 - 1) * 0.6 + spread * 0.1;
              if (kinks.some((k) => Math.abs(d - k) < 0.03)) d += 0.07;
              return d;
            }),
          );
          const old = c.lp.map((row, r) => row.map((x, t) => f32(x - delta[r]![t]!)));
          const ref = c.lp.map((row) => row.map((x) => f32(x + (rand() - 0.5) * 0.6)));
          const t = tensors(c);
          const oldT = tf.tensor2d(old);
          const refT = tf.tensor2d(ref);
          const opts = { epsLow, epsHigh, klCoef, kl, old, ref };
          const loss = (lp: tf.Tensor) =>
            ppoClipLoss({
              logProbs: lp,
              oldLogProbs: oldT,
              weights: t.weights,
              mask: t.mask,
              normalize: c.normalize as LossNormalization,
              clipEpsilon: epsLow,
              clipEpsilonHigh: epsHigh,
              klCoef,
              refLogProbs: refT,
              klEstimator: kl,
            });
          const value = tf.tidy(() => loss(t.logProbs).dataSync()[0]!);
          const want = refPpoLoss(c.lp, c.w, c.mask, c.groups, c.normalize, opts);
          const g = tf.tidy(() => tf.grad(loss)(t.logProbs).arraySync() as number[][]);
          // Recompute old as float32 inputs see them: the reference must use the same lp − old.
          const fd64 = fdGradient((x) => refPpoLoss(x, c.w, c.mask, c.groups, c.normalize, opts), c.lp, 1e-6);
          const fd = fd32(loss, c.lp, 1e-2);
          tf.dispose([t, oldT, refT]);
          expect(Math.abs(value - want)).toBeLessThanOrEqual(2e-5 * (1 + Math.abs(want)));
          expect(maxDiff(g, fd64)).toBeLessThanOrEqual(2e-5);
          expect(maxDiff(g, fd)).toBeLessThanOrEqual(1e-3);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('imitationLoss({ logProbs, weights, mask }) equals policyGradientLoss with the same non-negative weights, gradient included', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const abs = { ...c, w: c.w.map(Math.abs) };
        const t = tensors(abs);
        const [a, b] = tf.tidy(() => {
          const fa = (lp: tf.Tensor) => imitationLoss({ logProbs: lp, weights: t.weights, mask: t.mask, normalize: c.normalize });
          const fb = (lp: tf.Tensor) => policyGradientLoss({ logProbs: lp, weights: t.weights, mask: t.mask, normalize: c.normalize });
          const va = tf.valueAndGrad(fa)(t.logProbs);
          const vb = tf.valueAndGrad(fb)(t.logProbs);
          return [
            [va.value.dataSync()[0]!, ...va.grad.dataSync()],
            [vb.value.dataSync()[0]!, ...vb.grad.dataSync()],
          ];
        });
        tf.dispose(t);
        expect(a).toEqual(b);
      }),
      { numRuns: 10 },
    );
  });

  it('policyGradientLoss ignores log-probs under mask 0, even NaN and −Infinity', () => {
    const weights = tf.tensor2d([[0.5, -1]]);
    const mask = tf.tensor2d([[1, 1, 0], [1, 0, 0]]);
    const clean = tf.tensor2d([[-1, -2, 0], [-0.5, 0, 0]]);
    const dirty = tf.tensor2d([[-1, -2, NaN], [-0.5, -Infinity, NaN]]);
    for (const normalize of NORMALIZATIONS) {
      const [a, ga] = tf.tidy(() => {
        const r = tf.valueAndGrad((lp: tf.Tensor) => policyGradientLoss({ logProbs: lp, weights, mask, normalize }))(clean);
        return [r.value.dataSync()[0], Array.from(r.grad.dataSync())];
      });
      const [b, gb] = tf.tidy(() => {
        const r = tf.valueAndGrad((lp: tf.Tensor) => policyGradientLoss({ logProbs: lp, weights, mask, normalize }))(dirty);
        return [r.value.dataSync()[0], Array.from(r.grad.dataSync())];
      });
      expect(b).toBe(a);
      expect(gb).toEqual(ga);
      expect(Number.isFinite(a)).toBe(true);
    }
    tf.dispose([weights, mask, clean, dirty]);
  });

  it("policyGradientLoss with an all-padding sequence gives it weight 0 under 'sequence' and an all-zero mask gives 0 under 'token' (no NaN)", () => {
    const weights = tf.tensor2d([[1, 1]]);
    const lp = tf.tensor2d([[-1, -3], [-2, -2]]);
    const mask = tf.tensor2d([[1, 1], [0, 0]]);
    const zero = tf.zerosLike(mask);
    const seq = tf.tidy(() => policyGradientLoss({ logProbs: lp, weights, mask, normalize: 'sequence' }).dataSync()[0]);
    expect(seq).toBeCloseTo((1 / 2) * (4 / 2), 6); // mean over 2 rows of per-row token means (2 and 0)
    const tok = tf.tidy(() => policyGradientLoss({ logProbs: lp, weights, mask: zero, normalize: 'token' }).dataSync()[0]);
    expect(tok).toBe(0);
    tf.dispose([weights, lp, mask, zero]);
  });

  it("policyGradientLoss({ normalize: 'constant', maxTokens }) divides the token sum by R·maxTokens (Dr. GRPO)", () => {
    const weights = tf.tensor2d([[1, 2]]);
    const lp = tf.tensor2d([[-1, -3], [-2, -2]]);
    const got = tf.tidy(() => policyGradientLoss({ logProbs: lp, weights, normalize: 'constant', maxTokens: 10 }).dataSync()[0]);
    expect(got).toBeCloseTo((4 + 2 * 4) / (2 * 10), 6);
    tf.dispose([weights, lp]);
  });

  it('tf.memory().numTensors is unchanged after each loss and its gradient inside tf.tidy, errors included', () => {
    const lp = tf.tensor2d([[-1, -2, -0.5], [-0.3, -1, -4], [-1, -1, -1], [-2, -0.1, -0.7]]);
    const mask = tf.tensor2d([[1, 1, 1], [1, 1, 0], [1, 0, 0], [1, 1, 1]]);
    const rewards = tf.tensor2d([[1, 0], [0, 1]]);
    const weights = tf.tensor2d([[0.5, -0.5], [0.25, 0.75]]);
    const old = tf.add(lp, 0.1);
    const calls: Array<(x: tf.Tensor) => tf.Scalar> = [
      (x) => policyGradientLoss({ logProbs: x, weights, mask }),
      (x) => imitationLoss({ logProbs: x, weights: tf.abs(weights), mask, normalize: 'token' }),
      (x) => ppoClipLoss({ logProbs: x, oldLogProbs: old, weights, mask, klCoef: 0.1, refLogProbs: old, klEstimator: 'k1' }),
      (x) => ppoClipLoss({ logProbs: x, oldLogProbs: old, weights, mask, klCoef: 0.1, refLogProbs: old, normalize: 'sequence' }),
      (x) => passAtKLoss(x, rewards, 1, { mask }),
      (x) => estimatorLoss('max@k', x, { rewards, k: 2 }, { baseline: 'none', normalize: 'constant' }),
    ];
    for (const f of calls) {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad(f)(lp);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        expect(grad.shape).toEqual(lp.shape);
      });
      expect(tf.memory().numTensors).toBe(before);
      // The same call outside tf.grad (no tape: nothing is saved for a backward pass).
      tf.tidy(() => {
        f(lp);
      });
      expect(tf.memory().numTensors).toBe(before);
    }
    const before = tf.memory().numTensors;
    const bad = tf.tensor2d([[0.5, 1, 1], [1, 1, 0], [1, 0, 0], [1, 1, 1]]);
    expect(() => tf.tidy(() => tf.grad((x: tf.Tensor) => policyGradientLoss({ logProbs: x, weights, mask: bad }))(lp))).toThrow(DomainError);
    expect(() => tf.tidy(() => passAtKLoss(lp, rewards, 3))).toThrow(DomainError);
    bad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([lp, mask, rewards, weights, old]);
  });

  describe('typed errors', () => {
    const lp = () => tf.tensor2d([[-1, -2], [-0.5, -1]]);
    const w = () => tf.tensor2d([[1, -1]]);
    const call = (f: () => unknown) => () => tf.tidy(() => void f());

    it('policyGradientLoss refuses non-tensors, wrong dtypes, ranks and shapes', () => {
      expect(call(() => policyGradientLoss({ logProbs: [[-1]] as unknown as tf.Tensor, weights: w() }))).toThrow(InvalidArgumentError);
      expect(call(() => policyGradientLoss({ logProbs: tf.tensor2d([[-1, -2]], undefined, 'int32'), weights: tf.tensor2d([[1]]) }))).toThrow(
        /logProbs must have dtype float32 \(got int32\)/,
      );
      expect(call(() => policyGradientLoss({ logProbs: tf.tensor1d([-1, -2]), weights: w() }))).toThrow(ShapeError);
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: tf.tensor2d([[1, -1, 0]]) }))).toThrow(
        /weights \[B, n\] must have B·n = R, the rows of logProbs \(got weights \[1, 3\], B·n=3, R=2\)/,
      );
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: tf.tensor1d([1, -1]) }))).toThrow(ShapeError);
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), mask: tf.ones([2, 3]) }))).toThrow(
        /mask must have the shape of logProbs \[2, 2\] \(got \[2, 3\]\)/,
      );
    });

    it('policyGradientLoss refuses masks that are not 0/1 and non-finite log-probs or weights, naming the position', () => {
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), mask: tf.tensor2d([[1, 1], [1, 0.5]]) }))).toThrow(
        /mask must contain only 0 and 1 \(got 0\.5 at \[1, 1\]\)/,
      );
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), mask: tf.tensor2d([[1, 2], [1, 1]], undefined, 'int32') }))).toThrow(
        DomainError,
      );
      expect(call(() => policyGradientLoss({ logProbs: tf.tensor2d([[-1, NaN], [-1, -1]]), weights: w() }))).toThrow(
        /logProbs must be finite \(got NaN at \[0, 1\]\)/,
      );
      expect(call(() => policyGradientLoss({ logProbs: tf.tensor2d([[-1, -1], [-Infinity, -1]]), weights: w(), mask: tf.ones([2, 2]) }))).toThrow(
        NonFiniteError,
      );
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: tf.tensor2d([[1, Infinity]]) }))).toThrow(
        /weights must be finite \(got Infinity at \[0, 1\]\)/,
      );
      // check: false skips the value checks (the caller vouches for the inputs).
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), mask: tf.tensor2d([[1, 1], [1, 0.5]]), check: false }))).not.toThrow();
    });

    it('policyGradientLoss refuses unknown options and values', () => {
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), normalise: 'token' } as never))).toThrow(
        /opts\.normalise is not an option of policyGradientLoss/,
      );
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), normalize: 'mean' as never }))).toThrow(InvalidArgumentError);
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), maxTokens: 4 }))).toThrow(/maxTokens needs normalize: 'constant'/);
      expect(call(() => policyGradientLoss({ logProbs: lp(), weights: w(), normalize: 'constant', maxTokens: 0 }))).toThrow(DomainError);
      expect(call(() => policyGradientLoss(null as never))).toThrow(InvalidArgumentError);
    });

    it('ppoClipLoss refuses bad trust regions, missing references and mismatched old log-probs', () => {
      const base = () => ({ logProbs: lp(), weights: w(), oldLogProbs: lp() });
      expect(call(() => ppoClipLoss({ ...base(), clipEpsilon: 1 }))).toThrow(/clipEpsilon must be in \(0, 1\) \(got 1\)/);
      expect(call(() => ppoClipLoss({ ...base(), clipEpsilonHigh: -0.1 }))).toThrow(DomainError);
      expect(call(() => ppoClipLoss({ ...base(), klCoef: -1, refLogProbs: lp() }))).toThrow(DomainError);
      expect(call(() => ppoClipLoss({ ...base(), klCoef: 0.1 }))).toThrow(/refLogProbs is needed when klCoef > 0/);
      expect(call(() => ppoClipLoss({ ...base(), klEstimator: 'k2' as never }))).toThrow(InvalidArgumentError);
      expect(call(() => ppoClipLoss({ ...base(), oldLogProbs: tf.zeros([2, 3]) }))).toThrow(ShapeError);
      expect(call(() => ppoClipLoss({ ...base(), oldLogProbs: tf.tensor2d([[0, 0], [NaN, 0]]) }))).toThrow(
        /oldLogProbs must be finite \(got NaN at \[1, 0\]\)/,
      );
      expect(call(() => ppoClipLoss({ logProbs: lp(), weights: w() } as never))).toThrow(InvalidArgumentError);
    });

    it('imitationLoss refuses negative weights', () => {
      expect(call(() => imitationLoss({ logProbs: lp(), weights: w() }))).toThrow(/weights must be ≥ 0 \(got -1 at \[0, 1\]\)/);
    });

    it('passAtKLoss passes estimator errors through (k > n, non-binary rewards)', () => {
      expect(call(() => passAtKLoss(lp(), tf.tensor2d([[1, 0]]), 3))).toThrow(/k must be ≤ n \(got k=3, n=2 in group 0\)/);
      expect(call(() => passAtKLoss(lp(), tf.tensor2d([[1, 0.5]]), 1))).toThrow(DomainError);
      expect(call(() => passAtKLoss(lp(), tf.tensor2d([[1, 0]]), 1, { groupSize: 2 } as never))).toThrow(InvalidArgumentError);
      expect(call(() => passAtKLoss(lp(), tf.tensor2d([[1, 0]]), 1, { baselne: 'none' } as never))).toThrow(InvalidArgumentError);
    });
  });

  it('passAtKLoss(logProbs, rewards, k, opts) equals policyGradientLoss with passAtKWeights(rewards, k, opts)', () => {
    const lp = tf.tensor2d([[-1, -2], [-0.5, -1], [-0.3, -0.2], [-3, -1]]);
    const rewards = tf.tensor2d([[1, 0], [1, 1]]);
    const mask = tf.tensor2d([[1, 1], [1, 0], [1, 1], [0, 1]]);
    const a = tf.tidy(() => tf.grad((x: tf.Tensor) => passAtKLoss(x, rewards, 1, { mask, baseline: 'loo', normalize: 'token' }))(lp).arraySync());
    const b = tf.tidy(() =>
      tf.grad((x: tf.Tensor) =>
        policyGradientLoss({ logProbs: x, weights: passAtKWeights(rewards, 1, { baseline: 'loo' }), mask, normalize: 'token' }),
      )(lp).arraySync(),
    );
    expect(a).toEqual(b);
    tf.dispose([lp, rewards, mask]);
  });
});
