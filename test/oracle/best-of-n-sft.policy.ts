/**
 * Exact enumeration helpers for BoN-SFT and BoN-RL on the selected sample over a small softmax policy:
 * the exact gradients of their objectives and the exact expectation of each estimator over all tuples.
 * Shared by test/oracle/best-of-n-sft.oracle.test.ts and scripts/best-of-n-sft-bias.ts (the docs' tables).
 */
import { bestOfNSftWeights, bonRlSelectedWeights } from '../../src/index.js';
import { softmax } from './policy.js';
import { tuples } from './rational.js';

/** The exact gradients of the BoN-SFT objectives for one expert (y*, v*) under π = softmax(θ). */
export function sftTargets(theta: readonly number[], sc: readonly number[], ystar: number, vstar: number, N: number) {
  const pi = softmax(theta);
  const M = pi.length;
  let fLt = 0;
  let fLe = 0;
  const gLt = new Array<number>(M).fill(0);
  const gLe = new Array<number>(M).fill(0);
  for (let y = 0; y < M; y++) {
    const below = sc[y]! < vstar;
    const atMost = sc[y]! <= vstar;
    if (below) fLt += pi[y]!;
    if (atMost) fLe += pi[y]!;
    for (let a = 0; a < M; a++) {
      const g = pi[y]! * ((a === y ? 1 : 0) - pi[a]!);
      if (below) gLt[a]! += g;
      if (atMost) gLe[a]! += g;
    }
  }
  // h = π_BoN(y*)/π(y*) = Σ_{j<N} F_≤^j F_<^{N−1−j}, a polynomial in (F_<, F_≤).
  let h = 0;
  let dLe = 0;
  let dLt = 0;
  for (let j = 0; j < N; j++) {
    h += fLe ** j * fLt ** (N - 1 - j);
    if (j > 0) dLe += j * fLe ** (j - 1) * fLt ** (N - 1 - j);
    if (N - 1 - j > 0) dLt += (N - 1 - j) * fLe ** j * fLt ** (N - 2 - j);
  }
  const gStar = pi.map((p, a) => (a === ystar ? 1 : 0) - p);
  const gh = gLt.map((g, a) => dLt * g + dLe * gLe[a]!);
  return {
    pi,
    fLt,
    gStar,
    /** ∇ of the best-of-N term log h. */
    bonTerm: gh.map((g) => g / h),
    /** ∇log π_BoN(y*). */
    logGrad: gStar.map((g, a) => g + gh[a]! / h),
    /** ∇π_BoN(y*)/π(y*) with π(y*) held fixed: h ∇log π(y*) + ∇h. */
    likGrad: gStar.map((g, a) => h * g + gh[a]!),
    h,
  };
}

/** E over all n-tuples of expert·∇log π(y*) + Σ_i w_i ∇log π(y_i). */
export function expectedSftGradient(
  pi: readonly number[],
  gStar: readonly number[],
  sc: readonly number[],
  vstar: number,
  n: number,
  N: number,
  opts: Parameters<typeof bestOfNSftWeights>[3],
): number[] {
  const M = pi.length;
  const grad = new Array<number>(M).fill(0);
  for (const t of tuples(M, n)) {
    let p = 1;
    for (const y of t) p *= pi[y]!;
    const { expert, samples } = bestOfNSftWeights(
      t.map((y) => sc[y]!),
      [vstar],
      N,
      opts,
    );
    for (let a = 0; a < M; a++) grad[a]! += p * expert[0]! * gStar[a]!;
    for (let i = 0; i < n; i++) {
      const w = samples[i]!;
      if (w === 0) continue;
      for (let a = 0; a < M; a++) grad[a]! += p * w * ((a === t[i] ? 1 : 0) - pi[a]!);
    }
  }
  return grad;
}

/**
 * E over N-tuples of w(R_sel, p or p̂)·∇log π(y_sel), y_sel = a correct sample when there is one (the
 * first; by symmetry any rule among the correct ones gives the same expectation), else the first.
 */
export function expectedSelected(theta: readonly number[], correct: readonly number[], N: number, form: 'binary' | 'positive', estimated: boolean): number[] {
  const pi = softmax(theta);
  const M = pi.length;
  const p = pi.reduce((s, x, y) => s + (correct[y] ? 0 : x), 0);
  const grad = new Array<number>(M).fill(0);
  for (const t of tuples(M, N)) {
    let pr = 1;
    for (const y of t) pr *= pi[y]!;
    const first = t.find((y) => correct[y] === 1);
    const sel = first ?? t[0]!;
    const R = first === undefined ? 0 : 1;
    const failures = t.filter((y) => correct[y] === 0).length;
    const w = bonRlSelectedWeights([R], N, estimated ? { failures: [failures], form } : { failureProbs: [p], form })[0]!;
    for (let a = 0; a < M; a++) grad[a]! += pr * w * ((a === sel ? 1 : 0) - pi[a]!);
  }
  return grad;
}

export function exactPassGradient(theta: readonly number[], correct: readonly number[], N: number): number[] {
  const pi = softmax(theta);
  const p = pi.reduce((s, x, y) => s + (correct[y] ? 0 : x), 0);
  // ∇(1 − p^N) = −N p^{N−1} ∇p, ∇p = Σ_{incorrect} π(y)(e_y − π)
  return pi.map((_, a) => {
    let dp = 0;
    for (let y = 0; y < pi.length; y++) if (!correct[y]) dp += pi[y]! * ((a === y ? 1 : 0) - pi[a]!);
    return -N * p ** (N - 1) * dp;
  });
}

/** ⟨E[estimate], ∇J⟩/⟨∇J, ∇J⟩: 1 for an unbiased estimator. */
export function projection(est: readonly number[], exact: readonly number[]): number {
  let a = 0;
  let b = 0;
  for (let i = 0; i < est.length; i++) {
    a += est[i]! * exact[i]!;
    b += exact[i]! * exact[i]!;
  }
  return a / b;
}

