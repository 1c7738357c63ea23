/**
 * Unbiasedness by exact enumeration (docs/estimators/weights.md#what-proven-means): a categorical policy π = softmax(θ) over m outcomes.
 * Both sides are exact expectations (sums over all tuples), computed in float64; they must agree to
 * ~1e-12, far below any sampling noise.
 */
import { tuples } from './rational.js';

export function softmax(theta: readonly number[]): number[] {
  const mx = Math.max(...theta);
  const e = theta.map((t) => Math.exp(t - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/**
 * E over n i.i.d. samples y ~ π of Σ_i w_i(y) ∇_θ log π(y_i), where ∇_θ log π(y) = e_y − π.
 * `weights(tuple)` returns the estimator's per-sample weights for that tuple of outcomes.
 */
export function expectedEstimatorGradient(
  theta: readonly number[],
  n: number,
  weights: (tuple: number[]) => ArrayLike<number>,
): number[] {
  const pi = softmax(theta);
  const m = theta.length;
  const grad = new Array<number>(m).fill(0);
  for (const t of tuples(m, n)) {
    let p = 1;
    for (const y of t) p *= pi[y]!;
    const w = weights(t);
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      if (wi === 0) continue;
      const y = t[i]!;
      for (let a = 0; a < m; a++) grad[a]! += p * wi * ((a === y ? 1 : 0) - pi[a]!);
    }
  }
  return grad;
}

/**
 * The exact gradient of J(θ) = E_{y_1..y_k ~ π} f(y_1..y_k):
 * ∇J = Σ_tuples Π π(y_j) · f(tuple) · Σ_j (e_{y_j} − π).
 */
export function exactObjectiveGradient(theta: readonly number[], k: number, f: (tuple: number[]) => number): number[] {
  const pi = softmax(theta);
  const m = theta.length;
  const grad = new Array<number>(m).fill(0);
  for (const t of tuples(m, k)) {
    let p = 1;
    for (const y of t) p *= pi[y]!;
    const v = f(t);
    if (v === 0) continue;
    for (const y of t) for (let a = 0; a < m; a++) grad[a]! += p * v * ((a === y ? 1 : 0) - pi[a]!);
  }
  return grad;
}

/** The objective value J(θ) itself (for finite-difference cross-checks). */
export function exactObjective(theta: readonly number[], k: number, f: (tuple: number[]) => number): number {
  const pi = softmax(theta);
  let j = 0;
  for (const t of tuples(theta.length, k)) {
    let p = 1;
    for (const y of t) p *= pi[y]!;
    j += p * f(t);
  }
  return j;
}

/** Largest absolute difference between two gradient vectors. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
