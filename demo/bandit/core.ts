/**
 * The demo's model and training loop (docs/demo.md, "The task"): a synthetic verifiable task, a
 * softmax-linear policy trained with the exact score-function gradient under per-sample weights from
 * this library, and the held-out evaluation with the library's unbiased estimators. The command line,
 * progress bar, tables and figures are in ./demo.ts.
 */
import {
  bestOfNAdvantage,
  bestOfNAtK,
  bestOfNDistillationWeights,
  bestOfNSftWeights,
  grpoAdvantage,
  majorityAtK,
  majorityVoteAdvantage,
  passAtK,
  passAtKAdvantage,
  rlooAdvantage,
} from '../../src/index.js';

// ---------------------------------------------------------------------------------------------------
// Randomness: a seeded PRNG, so every run is reproducible.

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

// ---------------------------------------------------------------------------------------------------
// The task (docs/demo.md, "The task")

/** Sizes of the synthetic task. */
export const TASK = {
  /** Answers a policy can give per prompt. */
  answers: 16,
  /** Prompt types; a prompt's features reveal its type but not which candidate is correct. */
  clusters: 12,
  /** Of which hard: the initial policy prefers two wrong "distractor" answers. */
  hardClusters: 4,
  /** Candidate answers per type and the probability that each is the prompt's correct one. */
  candidateProbs: [0.4, 0.3, 0.2, 0.1],
  /** Nuisance prompt features the policy must learn to ignore. */
  noiseFeatures: 4,
  /**
   * Verifier: score = reward + trapBias·[answer is the type's over-rated candidate] + noise·N(0,1).
   * The over-rated candidate is correct on 20% of its type's prompts but scores high on all of them.
   */
  trapBias: 1.2,
  verifierNoise: 0.5,
  /** Samples drawn per prompt and prompts per step while training. */
  samplesPerPrompt: 16,
  promptsPerStep: 32,
  /** Adam step size. */
  learningRate: 0.05,
} as const;

interface Cluster {
  candidates: number[];
  trap: number;
  hard: boolean;
}

export interface Prompt {
  cluster: number;
  x: Float64Array;
  answer: number;
}

export interface Task {
  clusters: Cluster[];
  train: Prompt[];
  test: Prompt[];
  features: number;
  /** Initial parameters: W (answers × features, row-major) then b (answers). */
  theta0: Float64Array;
}

export function makeTask(seed: number, promptsPerCluster: number): Task {
  const rng = mulberry32(seed * 7919 + 17);
  const M = TASK.answers;
  const C = TASK.clusters;
  const F = C + TASK.noiseFeatures;
  const clusters: Cluster[] = [];
  const theta0 = new Float64Array(M * F + M);
  for (let c = 0; c < C; c++) {
    const perm = shuffle(
      Array.from({ length: M }, (_, i) => i),
      rng,
    );
    const candidates = perm.slice(0, TASK.candidateProbs.length);
    const distractors = perm.slice(4, 6);
    // The verifier over-rates one plausible candidate (the one correct on 20% of this type's prompts).
    const trap = candidates[2] as number;
    const hard = c < TASK.hardClusters;
    // Initial logits of this type: a "pretrained" policy that knows the candidates on easy types (in a
    // random order, not the order of their probabilities) and prefers two wrong answers on hard types.
    for (let y = 0; y < M; y++) {
      let logit = 0.3 * normal(rng);
      if (candidates.includes(y)) logit = hard ? 0 : 0.5 + 1.0 * rng();
      if (hard && distractors.includes(y)) logit = 2.5;
      theta0[y * F + c] = logit;
    }
    clusters.push({ candidates, trap, hard });
  }
  const makePrompt = (c: number): Prompt => {
    const x = new Float64Array(F);
    x[c] = 1;
    for (let j = C; j < F; j++) x[j] = normal(rng);
    let u = rng();
    const cl = clusters[c] as Cluster;
    let answer = cl.candidates[cl.candidates.length - 1] as number;
    for (let j = 0; j < cl.candidates.length; j++) {
      u -= TASK.candidateProbs[j] as number;
      if (u < 0) {
        answer = cl.candidates[j] as number;
        break;
      }
    }
    return { cluster: c, x, answer };
  };
  const train: Prompt[] = [];
  const test: Prompt[] = [];
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < promptsPerCluster; i++) {
      train.push(makePrompt(c));
      test.push(makePrompt(c));
    }
  }
  return { clusters, train, test, features: F, theta0 };
}

/** Softmax-linear policy: π(·|x) = softmax(W x + b), written into `out`. */
export function policyProbs(theta: Float64Array, x: Float64Array, F: number, out: Float64Array): void {
  const M = TASK.answers;
  let max = -Infinity;
  for (let y = 0; y < M; y++) {
    let z = theta[M * F + y] as number;
    for (let j = 0; j < F; j++) z += (theta[y * F + j] as number) * (x[j] as number);
    out[y] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let y = 0; y < M; y++) {
    const e = Math.exp((out[y] as number) - max);
    out[y] = e;
    sum += e;
  }
  for (let y = 0; y < M; y++) out[y] = (out[y] as number) / sum;
}

function sampleFrom(probs: Float64Array, rng: Rng): number {
  let u = rng();
  for (let y = 0; y < probs.length; y++) {
    u -= probs[y] as number;
    if (u < 0) return y;
  }
  return probs.length - 1;
}

/**
 * n samples per prompt: answers, rewards (checker) and verifier scores, flat with groups of n; and one
 * expert demonstration per prompt (the ground-truth answer) with its own verifier score.
 */
export interface Batch {
  answers: Int32Array;
  rewards: Float64Array;
  scores: Float64Array;
  /** The verifier's score of each prompt's ground-truth answer (one per prompt). */
  expertScores: Float64Array;
}

/** The verifier's noisy score of an answer y to prompt p. */
function verifierScore(task: Task, p: Prompt, y: number, rng: Rng): number {
  const trap = (task.clusters[p.cluster] as Cluster).trap;
  return (y === p.answer ? 1 : 0) + (y === trap ? TASK.trapBias : 0) + TASK.verifierNoise * normal(rng);
}

export function samplePrompts(
  theta: Float64Array,
  task: Task,
  prompts: readonly Prompt[],
  n: number,
  rng: Rng,
  expertRng?: Rng,
): Batch {
  const probs = new Float64Array(TASK.answers);
  const total = prompts.length * n;
  const batch: Batch = {
    answers: new Int32Array(total),
    rewards: new Float64Array(total),
    scores: new Float64Array(total),
    expertScores: new Float64Array(prompts.length),
  };
  // A separate stream, so the samples (and every row that ignores the expert) are unchanged by it.
  if (expertRng !== undefined) prompts.forEach((p, b) => (batch.expertScores[b] = verifierScore(task, p, p.answer, expertRng)));
  prompts.forEach((p, b) => {
    policyProbs(theta, p.x, task.features, probs);
    const trap = (task.clusters[p.cluster] as Cluster).trap;
    for (let i = 0; i < n; i++) {
      const y = sampleFrom(probs, rng);
      const r = y === p.answer ? 1 : 0;
      batch.answers[b * n + i] = y;
      batch.rewards[b * n + i] = r;
      batch.scores[b * n + i] = r + (y === trap ? TASK.trapBias : 0) + TASK.verifierNoise * normal(rng);
    }
  });
  return batch;
}

// ---------------------------------------------------------------------------------------------------
// Objectives: each is a per-sample weight from the library. The update ascends Σ_i w_i ∇log π(y_i).

export type MethodId = 'grpo' | 'rloo' | 'passk' | 'maj' | 'bon' | 'sft' | 'bonsft' | 'bond';

export interface Method {
  id: MethodId;
  label: string;
  /** One weight per sample. */
  weights: (batch: Batch, n: number, k: number) => Float64Array;
  /** One weight per prompt for its expert demonstration (the ground-truth answer), when the method uses one. */
  expert?: (batch: Batch, n: number, k: number) => Float64Array;
}

export const METHODS: readonly Method[] = [
  { id: 'grpo', label: 'mean reward (GRPO)', weights: (b, n) => grpoAdvantage(b.rewards, { groupSize: n }) },
  { id: 'rloo', label: 'mean reward (RLOO)', weights: (b, n) => rlooAdvantage(b.rewards, { groupSize: n }) },
  {
    id: 'passk',
    label: 'pass@k (loo-1)',
    weights: (b, n, k) => passAtKAdvantage(b.rewards, k, { groupSize: n, baseline: 'loo-1' }),
  },
  {
    id: 'maj',
    label: 'maj@k (loo-1)',
    weights: (b, n, k) => majorityVoteAdvantage(b.answers, b.rewards, k, { groupSize: n, baseline: 'loo-1' }),
  },
  {
    id: 'bon',
    label: 'BoN@k (loo-1)',
    weights: (b, n, k) => bestOfNAdvantage(b.scores, b.rewards, k, { groupSize: n, baseline: 'loo-1' }),
  },
  {
    id: 'sft',
    label: 'SFT (expert demos)',
    weights: (b) => new Float64Array(b.answers.length),
    expert: (b) => new Float64Array(b.expertScores.length).fill(1),
  },
  {
    id: 'bonsft',
    label: 'BoN-SFT (expert demos)',
    weights: (b, n, k) => bestOfNSftWeights(b.scores, b.expertScores, k, { groupSize: n }).samples,
    expert: (b, n, k) => bestOfNSftWeights(b.scores, b.expertScores, k, { groupSize: n }).expert,
  },
  {
    id: 'bond',
    label: 'BOND distillation',
    weights: (b, n, k) => bestOfNDistillationWeights(b.scores, k, { groupSize: n }),
  },
];

/** Adam on a flat parameter vector (ascent). */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private readonly lr: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  ascend(theta: Float64Array, grad: Float64Array): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] as number;
      const m = b1 * (this.m[i] as number) + (1 - b1) * g;
      const v = b2 * (this.v[i] as number) + (1 - b2) * g * g;
      this.m[i] = m;
      this.v[i] = v;
      theta[i] = (theta[i] as number) + (this.lr * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
    }
  }
}

/**
 * The exact score-function gradient of the softmax-linear policy: (1/B) Σ_p Σ_i w_i ∇log π(y_i|x_p),
 * with ∇_z log π(y|x) = e_y − π(·|x) for the logits z = W x + b.
 */
export function policyGradient(
  theta: Float64Array,
  task: Task,
  prompts: readonly Prompt[],
  batch: Batch,
  weights: Float64Array,
  n: number,
  expertWeights?: Float64Array,
): Float64Array {
  const M = TASK.answers;
  const F = task.features;
  const grad = new Float64Array(theta.length);
  const probs = new Float64Array(M);
  const gz = new Float64Array(M);
  const inv = 1 / prompts.length;
  prompts.forEach((p, b) => {
    policyProbs(theta, p.x, F, probs);
    let wsum = 0;
    gz.fill(0);
    for (let i = 0; i < n; i++) {
      const w = weights[b * n + i] as number;
      const y = batch.answers[b * n + i] as number;
      gz[y] = (gz[y] as number) + w;
      wsum += w;
    }
    if (expertWeights !== undefined) {
      const e = expertWeights[b] as number;
      gz[p.answer] = (gz[p.answer] as number) + e;
      wsum += e;
    }
    for (let y = 0; y < M; y++) {
      const g = ((gz[y] as number) - wsum * (probs[y] as number)) * inv;
      if (g === 0) continue;
      for (let j = 0; j < F; j++) grad[y * F + j] = (grad[y * F + j] as number) + g * (p.x[j] as number);
      grad[M * F + y] = (grad[M * F + y] as number) + g;
    }
  });
  return grad;
}

// ---------------------------------------------------------------------------------------------------
// Evaluation with the library's unbiased estimators

export interface Evaluation {
  pass1: number;
  passK: number;
  majK: number;
  bonK: number;
  /** pass@k for each k of `CURVE_KS`. */
  passCurve: number[];
  /** BoN@N for each N of `CURVE_KS`. */
  bonCurve: number[];
  /**
   * Where the policy puts its probability on held-out prompts (exact, from π, not sampled): on each of
   * the type's candidates in order of how often they are right (0.4, 0.3, 0.2 = over-rated by the
   * verifier, 0.1), then on all wrong answers.
   */
  mass: number[];
}

export const EVAL_SAMPLES = 32;
export const CURVE_KS = [1, 2, 4, 8, 16, 32];

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}

export function evaluate(theta: Float64Array, task: Task, k: number, rng: Rng, samples = EVAL_SAMPLES): Evaluation {
  const batch = samplePrompts(theta, task, task.test, samples, rng);
  const P = task.test.length;
  const ns = new Float64Array(P).fill(samples);
  const cs = new Float64Array(P);
  for (let i = 0; i < batch.rewards.length; i++) {
    const p = Math.floor(i / samples);
    cs[p] = (cs[p] as number) + (batch.rewards[i] as number);
  }
  const opts = { groupSize: samples };
  return {
    pass1: mean(passAtK(ns, cs, 1)),
    passK: mean(passAtK(ns, cs, k)),
    majK: mean(majorityAtK(batch.answers, batch.rewards, k, opts)),
    bonK: mean(bestOfNAtK(batch.scores, batch.rewards, k, opts)),
    passCurve: CURVE_KS.filter((kk) => kk <= samples).map((kk) => mean(passAtK(ns, cs, kk))),
    bonCurve: CURVE_KS.filter((kk) => kk <= samples).map((kk) => mean(bestOfNAtK(batch.scores, batch.rewards, kk, opts))),
    mass: probabilityMass(theta, task),
  };
}

function probabilityMass(theta: Float64Array, task: Task): number[] {
  const probs = new Float64Array(TASK.answers);
  const mass = new Array<number>(TASK.candidateProbs.length + 1).fill(0);
  for (const p of task.test) {
    policyProbs(theta, p.x, task.features, probs);
    let onCandidates = 0;
    (task.clusters[p.cluster] as Cluster).candidates.forEach((y, j) => {
      mass[j] = (mass[j] as number) + (probs[y] as number) / task.test.length;
      onCandidates += probs[y] as number;
    });
    const last = mass.length - 1;
    mass[last] = (mass[last] as number) + (1 - onCandidates) / task.test.length;
  }
  return mass;
}

// ---------------------------------------------------------------------------------------------------
// Training

export interface RunResult {
  method: string;
  seed: number;
  final: Evaluation;
  /** (step, pass@1, pass@k) on held-out prompts during training. */
  curve: { step: number; pass1: number; passK: number }[];
}

export interface TrainConfig {
  steps: number;
  k: number;
  evalEvery: number;
  onStep?: (step: number) => void;
}

export function trainPlain(task: Task, method: Method, seed: number, cfg: TrainConfig): RunResult {
  const theta = Float64Array.from(task.theta0);
  const adam = new Adam(theta.length, TASK.learningRate);
  // The same stream of prompt batches and sampling noise for every method of one seed.
  const rng = mulberry32(seed * 1_000_003 + 5);
  const expertRng = mulberry32(seed * 7_919 + 3);
  const evalRng = mulberry32(seed * 31 + 11);
  const n = TASK.samplesPerPrompt;
  const curve: RunResult['curve'] = [];
  const record = (step: number): void => {
    const e = evaluate(theta, task, cfg.k, evalRng, 16);
    curve.push({ step, pass1: e.pass1, passK: e.passK });
  };
  record(0);
  for (let step = 1; step <= cfg.steps; step++) {
    const prompts = Array.from({ length: TASK.promptsPerStep }, () => task.train[Math.floor(rng() * task.train.length)] as Prompt);
    const batch = samplePrompts(theta, task, prompts, n, rng, method.expert === undefined ? undefined : expertRng);
    const weights = method.weights(batch, n, cfg.k);
    const expert = method.expert?.(batch, n, cfg.k);
    adam.ascend(theta, policyGradient(theta, task, prompts, batch, weights, n, expert));
    if (step % cfg.evalEvery === 0 || step === cfg.steps) record(step);
    cfg.onStep?.(step);
  }
  return { method: method.label, seed, final: evaluate(theta, task, cfg.k, mulberry32(seed * 131 + 7)), curve };
}

