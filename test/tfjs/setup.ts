/**
 * Shared by the tfjs tests: the two backends that initialise offline in Node, and a float64 reference
 * of the losses written independently of the tfjs code (plain loops over the definitions in docs/tfjs.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** The tfjs backends every tfjs test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/**
 * Makes `name` the tfjs backend. The wasm backend's threaded build spawns its workers from blob: URLs,
 * which Node's Worker refuses, so threads are turned off first (the single-threaded SIMD build loads
 * from node_modules, offline).
 */
export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`tfjs backend is ${tf.getBackend()}, not ${name}`);
}

export type Normalize = 'group' | 'sum' | 'sequence' | 'token' | 'constant';

/** ν_s of the docs for every row s: the per-token coefficient before the mask and the weight. */
export function refScale(mask: number[][], groups: number, normalize: Normalize, maxTokens?: number): number[] {
  const rows = mask.length;
  const tokens = mask[0]!.length;
  const total = mask.flat().reduce((a, b) => a + b, 0);
  return mask.map((m) => {
    const len = m.reduce((a, b) => a + b, 0);
    switch (normalize) {
      case 'group':
        return 1 / groups;
      case 'sum':
        return 1;
      case 'sequence':
        return len === 0 ? 0 : 1 / (rows * len);
      case 'token':
        return total === 0 ? 0 : 1 / total;
      case 'constant':
        return 1 / (rows * (maxTokens ?? tokens));
    }
  });
}

/** float64 reference of policyGradientLoss: −Σ ν_s m w_s lp. */
export function refPolicyLoss(lp: number[][], w: number[], mask: number[][], groups: number, normalize: Normalize): number {
  const nu = refScale(mask, groups, normalize);
  let s = 0;
  lp.forEach((row, r) => row.forEach((x, t) => { if (mask[r]![t] === 1) s -= nu[r]! * w[r]! * x; }));
  return s;
}

export interface PpoRef {
  old: number[][];
  ref?: number[][];
  epsLow: number;
  epsHigh: number;
  klCoef: number;
  kl: 'k1' | 'k3';
}

/** float64 reference of ppoClipLoss, straight from the PPO formula with min and clip. */
export function refPpoLoss(lp: number[][], w: number[], mask: number[][], groups: number, normalize: Normalize, o: PpoRef): number {
  const nu = refScale(mask, groups, normalize);
  let s = 0;
  lp.forEach((row, r) =>
    row.forEach((x, t) => {
      if (mask[r]![t] !== 1) return;
      const ratio = Math.exp(x - o.old[r]![t]!);
      const clipped = Math.min(Math.max(ratio, 1 - o.epsLow), 1 + o.epsHigh);
      let term = -Math.min(ratio * w[r]!, clipped * w[r]!);
      if (o.klCoef > 0) {
        const d = o.ref![r]![t]! - x;
        term += o.klCoef * (o.kl === 'k1' ? -d : Math.exp(d) - d - 1);
      }
      s += nu[r]! * term;
    }),
  );
  return s;
}

/** Central finite-difference gradient of a float64 function of a matrix. */
export function fdGradient(f: (x: number[][]) => number, x: number[][], h: number): number[][] {
  return x.map((row, r) =>
    row.map((_, t) => {
      const plus = x.map((rr) => rr.slice());
      const minus = x.map((rr) => rr.slice());
      plus[r]![t]! += h;
      minus[r]![t]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}
