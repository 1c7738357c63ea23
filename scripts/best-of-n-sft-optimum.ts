/**
 * The exact optima of plain SFT and of Chow et al.'s BoN-SFT on one prompt type of the demo task
 * (docs/demo.md), and the BoN@N accuracy of each, by numerical integration over the verifier's Gaussian
 * noise (no sampling). A type's hidden answer is candidate j with probability q_j; the verifier scores an
 * answer reward + trapBias·[over-rated candidate] + verifierNoise·N(0, 1); the 12 wrong answers all score
 * like noise around 0, so for both objectives and for BoN@N they act as one class. Run:
 * `npx tsx scripts/best-of-n-sft-optimum.ts`.
 */
import { TASK } from '../demo/bandit/core.js';

const q = TASK.candidateProbs as readonly number[];
const TRAP = 2; // candidate 3 (0-based 2) is the over-rated one
const SIGMA = TASK.verifierNoise;
const N = 8;
const STEP = 0.005;
const grid: number[] = [];
for (let v = -4; v <= 6; v += STEP) grid.push(v);

/** erf to ~1e-7 (Numerical Recipes' erfc Chebyshev fit). */
function erf(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
}
const cdf = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));
const pdf = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** Mean verifier score of class i (0..3 candidates, 4 = the wrong answers) on a prompt whose answer is j. */
const mean = (i: number, j: number): number => (i === 4 ? 0 : (i === j ? 1 : 0) + (i === TRAP ? TASK.trapBias : 0));
/** P_π(score < v) on a prompt whose answer is j. */
function cdfUnderPolicy(pi: readonly number[], j: number, v: number): number {
  let s = 0;
  for (let i = 0; i < 5; i++) s += (pi[i] as number) * cdf((v - mean(i, j)) / SIGMA);
  return s;
}

/** E over prompts and the expert's score of log π_BoN(y*) (up to a constant): log π_j + (N−1) E log F(v*). */
function bonSftObjective(pi: readonly number[]): number {
  let total = 0;
  for (let j = 0; j < 4; j++) {
    let s = 0;
    for (const v of grid) s += (pdf((v - mean(j, j)) / SIGMA) / SIGMA) * STEP * Math.log(Math.max(cdfUnderPolicy(pi, j, v), 1e-300));
    total += (q[j] as number) * (Math.log(pi[j] as number) + (N - 1) * s);
  }
  return total;
}

/** P(best-of-N by the verifier returns the right answer) = Σ_j q_j N π_j ∫ p_j(v) F(v)^{N−1} dv. */
function bonAccuracy(pi: readonly number[]): number {
  let acc = 0;
  for (let j = 0; j < 4; j++) {
    let s = 0;
    for (const v of grid) s += (pdf((v - mean(j, j)) / SIGMA) / SIGMA) * STEP * cdfUnderPolicy(pi, j, v) ** (N - 1);
    acc += (q[j] as number) * N * (pi[j] as number) * s;
  }
  return acc;
}

function softmax(t: readonly number[]): number[] {
  const m = Math.max(...t);
  const e = t.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

// Gradient ascent on the softmax logits (finite differences; 5 parameters, a smooth concave-looking surface).
let theta = [0, 0, 0, 0, 0];
for (let it = 0; it < 800; it++) {
  const base = bonSftObjective(softmax(theta));
  const grad = theta.map((_, a) => {
    const t = theta.slice();
    t[a] = (t[a] as number) + 1e-6;
    return (bonSftObjective(softmax(t)) - base) / 1e-6;
  });
  theta = theta.map((x, a) => x + (grad[a] as number));
}
const fmt = (pi: readonly number[]): string => pi.map((x) => x.toFixed(3)).join(' / ');
const pass1 = (pi: readonly number[]): number => pi.slice(0, 4).reduce((s, x, j) => s + x * (q[j] as number), 0);
const bonSft = softmax(theta);
const sft = [...q, 0];
console.log(`N = ${N}; mass on candidates 1–4 (3 over-rated) / wrong answers`);
console.log(`| objective | optimal policy | BoN@${N} | pass@1 |`);
console.log('| --- | --- | ---: | ---: |');
console.log(`| SFT: E log π(y*) | ${fmt(sft)} | ${bonAccuracy(sft).toFixed(3)} | ${pass1(sft).toFixed(3)} |`);
console.log(`| BoN-SFT: E log π_BoN(y*) | ${fmt(bonSft)} | ${bonAccuracy(bonSft).toFixed(3)} | ${pass1(bonSft).toFixed(3)} |`);
