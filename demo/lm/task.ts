/**
 * The verifiable generation task (docs/demo.md, "The language-model demo"): short arithmetic prompts
 * `x?y=` with x, y ∈ 2…9, answered by an integer and checked by evaluating it.
 *
 * - `x+y=` and `x*y=`: one correct answer. The pretraining corpus is noisy on exactly the hard cases
 *   (carries, products), so the base model's vote between the right answer and a plausible wrong one is
 *   close there.
 * - `x?y=`: the operator is hidden. The checker's intended operator is + with probability 0.5, × with
 *   0.3 and − with 0.2, drawn afresh for every episode and never shown to the model: three candidate
 *   answers, none identifiable from the prompt.
 * - The verifier used by best-of-N over-rates subtraction: its score is the checker's reward, plus
 *   {@link VERIFIER_BIAS} when the answer equals x − y, plus Gaussian noise.
 */
import type { Rng } from './rng.js';
import { normal } from './rng.js';
import { EOS, MAX_COMPLETION, encode } from './tokenizer.js';

export type Op = '+' | '*' | '-';
export type PromptKind = '+' | '*' | '?';
export const OPS: readonly Op[] = ['+', '*', '-'];
export const PROMPT_KINDS: readonly PromptKind[] = ['+', '*', '?'];
/** Probability of each hidden operator of a `?` prompt, in the order of {@link OPS}. */
export const HIDDEN_OP_PROBS: readonly number[] = [0.5, 0.3, 0.2];
/** How much the verifier over-rates the answer x − y. */
export const VERIFIER_BIAS = 1.2;
/** Standard deviation of the verifier's noise. */
export const VERIFIER_NOISE = 0.5;
export const DIGITS = [2, 3, 4, 5, 6, 7, 8, 9] as const;

export interface Prompt {
  x: number;
  y: number;
  kind: PromptKind;
  /** Token ids of `x?y=`. */
  tokens: number[];
}

export function apply(op: Op, x: number, y: number): number {
  return op === '+' ? x + y : op === '*' ? x * y : x - y;
}

export function makePrompt(x: number, y: number, kind: PromptKind): Prompt {
  return { x, y, kind, tokens: encode(`${x}${kind}${y}=`) };
}

/** The checker: the answer text parses as an integer equal to the intended value. */
export function check(answer: string, intended: number): 0 | 1 {
  return /^-?[0-9]+$/.test(answer) && Number(answer) === intended ? 1 : 0;
}

/** The intended operator of one episode of a prompt (drawn for `?`, fixed otherwise). */
export function drawIntent(p: Prompt, rng: Rng): Op {
  if (p.kind !== '?') return p.kind;
  let u = rng();
  for (let i = 0; i < OPS.length; i++) {
    u -= HIDDEN_OP_PROBS[i] as number;
    if (u < 0) return OPS[i] as Op;
  }
  return OPS[OPS.length - 1] as Op;
}

/** The biased verifier's score of an answer (reward + bias·[answer = x − y] + noise). */
export function verifierScore(p: Prompt, answer: string, reward: number, rng: Rng): number {
  const overRated = /^-?[0-9]+$/.test(answer) && Number(answer) === p.x - p.y;
  return reward + (overRated ? VERIFIER_BIAS : 0) + VERIFIER_NOISE * normal(rng);
}

/** The expert demonstration of an episode: the intended answer and the end token. */
export function expertCompletion(p: Prompt, op: Op): number[] {
  const ids = [...encode(String(apply(op, p.x, p.y))), EOS];
  while (ids.length < MAX_COMPLETION) ids.push(EOS);
  return ids;
}

/** Train / held-out prompts: the (x, y) pairs are split once per seed, each pair gives the three kinds. */
export interface TaskSplit {
  train: Prompt[];
  test: Prompt[];
}

export function splitPrompts(rng: Rng, testPairs: number): TaskSplit {
  const pairs = DIGITS.flatMap((x) => DIGITS.map((y) => [x, y] as const));
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j] as (typeof pairs)[number], pairs[i] as (typeof pairs)[number]];
  }
  const toPrompts = (ps: (typeof pairs)[number][]) => ps.flatMap(([x, y]) => PROMPT_KINDS.map((k) => makePrompt(x, y, k)));
  return { test: toPrompts(pairs.slice(0, testPairs)), train: toPrompts(pairs.slice(testPairs)) };
}

// ---------------------------------------------------------------------------------------------------
// The pretraining corpus: "web text" about arithmetic, right most of the time, wrong in typical ways.

/** Corpus noise: the share of lines with each typical mistake. */
export const CORPUS = {
  /** `x+y` with a carry written without it (7+8=5): the base model's close vote on carries. */
  droppedCarry: 0.4,
  /** `x*y` written as a neighbouring table entry x·(y ± 1). */
  productSlip: 0.4,
  /** `x-y` < 0 written without its sign. */
  droppedSign: 0.25,
} as const;

/** One corpus line as (prompt tokens, completion tokens padded to MAX_COMPLETION). */
export interface Example {
  prompt: number[];
  completion: number[];
}

function completionOf(value: number): number[] {
  const ids = [...encode(String(value)), EOS];
  while (ids.length < MAX_COMPLETION) ids.push(EOS);
  return ids;
}

/**
 * A corpus line: `x o y = answer.` with o one of + * - ?. On `?` lines the operator behind the answer is
 * uniform over + × − (the corpus does not know the task's 0.5 / 0.3 / 0.2), so the base model spreads
 * its answers evenly.
 */
export function corpusLine(rng: Rng): Example {
  const x = DIGITS[Math.floor(rng() * DIGITS.length)] as number;
  const y = DIGITS[Math.floor(rng() * DIGITS.length)] as number;
  const shown = (['+', '*', '-', '?'] as const)[Math.floor(rng() * 4)] as '+' | '*' | '-' | '?';
  const op: Op = shown === '?' ? (OPS[Math.floor(rng() * 3)] as Op) : shown;
  let value = apply(op, x, y);
  if (op === '+' && value >= 10 && rng() < CORPUS.droppedCarry) value -= 10;
  else if (op === '*' && rng() < CORPUS.productSlip) value += rng() < 0.5 ? x : -x;
  else if (op === '-' && value < 0 && rng() < CORPUS.droppedSign) value = -value;
  return { prompt: encode(`${x}${shown}${y}=`), completion: completionOf(value) };
}
