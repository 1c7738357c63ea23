/**
 * Prints the bias tables of docs/estimators/best-of-n.md, measured by exact enumeration over all
 * n-tuples of a 4-outcome softmax policy (no sampling): the BoN-SFT estimators of ∇log π_BoN(y*)
 * (`bestOfNSftWeights`), and BoN-RL on the selected sample with the failure probability estimated from
 * the same N samples (`bonRlSelectedWeights` with `failures`). Run: `npx tsx scripts/best-of-n-sft-bias.ts`.
 */
import type { BestOfNSftEstimator } from '../src/index.js';
import {
  exactPassGradient,
  expectedSelected,
  expectedSftGradient,
  projection,
  sftTargets,
} from '../test/oracle/best-of-n-sft.policy.js';

const maxAbs = (x: readonly number[]): number => Math.max(...x.map(Math.abs));
const maxAbsDiff = (a: readonly number[], b: readonly number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
const pct = (x: number): string => (x < 1e-6 ? x.toExponential(0) : `${(100 * x).toFixed(1)} %`);

const theta = [0.3, -0.5, 1.2, 0.1];
const cases = [
  { name: 'continuous verifier: scores 0,1,2,3; y* = 1 scored v* = 1.5', sc: [0, 1, 2, 3], ystar: 1, vstar: 1.5 },
  { name: 'discrete verifier with ties: scores 0,1,1,2; y* = 1 (v* = 1, tied with outcome 2)', sc: [0, 1, 1, 2], ystar: 1, vstar: 1 },
];

console.log(`BoN-SFT: relative bias ‖E[estimate] − ∇log π_BoN(y*)‖∞ / ‖∇log h‖∞ (the best-of-N term), θ = [${theta}]`);
console.log("('unbiased': ‖E − ∇π_BoN(y*)/π(y*)‖∞ / ‖∇h‖∞, its own objective)\n");
for (const c of cases) {
  const t0 = sftTargets(theta, c.sc, c.ystar, c.vstar, 2);
  console.log(`${c.name}; F_<(v*) = ${t0.fLt.toFixed(4)}\n`);
  console.log('| N | n | self-normalised | jackknife | unbiased |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const N of [2, 4, 8]) {
    for (const n of [2, 4, 8]) {
      const t = sftTargets(theta, c.sc, c.ystar, c.vstar, N);
      const cells = (['self-normalised', 'jackknife', 'unbiased'] as BestOfNSftEstimator[]).map((estimator) => {
        if (estimator === 'unbiased' && N > n) return '—';
        const est = expectedSftGradient(t.pi, t.gStar, c.sc, c.vstar, n, N, { estimator });
        if (estimator === 'unbiased') {
          const gh = t.likGrad.map((g, a) => g - t.h * t.gStar[a]!);
          return pct(maxAbsDiff(est, t.likGrad) / maxAbs(gh));
        }
        return pct(maxAbsDiff(est, t.logGrad) / maxAbs(t.bonTerm));
      });
      console.log(`| ${N} | ${n} | ${cells.join(' | ')} |`);
    }
  }
  console.log('');
}

console.log('BoN-RL on the selected sample, p estimated as failures/N from the same N samples:');
console.log('projection ⟨E[estimate], ∇J⟩/‖∇J‖² (1 = unbiased) and relative error ‖E − ∇J‖∞/‖∇J‖∞, J = 1 − p^N\n');
const rlTheta = [0.9, -0.6, 0.4, -0.2];
console.log('| p | N | binary: projection | binary: rel. error | positive: projection | positive: rel. error |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
for (const correct of [
  [1, 0, 1, 0],
  [0, 1, 0, 1],
]) {
  for (const N of [2, 4, 8]) {
    const exact = exactPassGradient(rlTheta, correct, N);
    const cells = (['binary', 'positive'] as const).flatMap((form) => {
      const est = expectedSelected(rlTheta, correct, N, form, true);
      return [projection(est, exact).toFixed(3), `${(100 * (maxAbsDiff(est, exact) / maxAbs(exact))).toFixed(1)} %`];
    });
    const e = rlTheta.map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    const p = e.reduce((s, x, y) => s + (correct[y] ? 0 : x / z), 0);
    console.log(`| ${p.toFixed(3)} | ${N} | ${cells.join(' | ')} |`);
  }
}
