/**
 * The estimators a worker pool runs, and how each one's arguments are laid out: which arguments hold
 * one value per sample (they are cut by whole groups), where the options are, and whether the result
 * has one value per sample (weights) or per group (metrics). Shared by the pool and its worker script,
 * so both agree on every call. The functions are the library's public exports, called unchanged.
 */
import {
  bestOfNWeights,
  bestOfNAtK,
  bonRlBinaryWeights,
  chenPassAtKWeights,
  grpoWeights,
  majorityAtK,
  majorityVoteWeights,
  maxAtK,
  maxAtKWeights,
  orderStatisticWeights,
  orderStatisticAtK,
  passAtKWeights,
  passHatKWeights,
  rlooWeights,
} from '../index.js';

/** How one estimator's arguments are split across workers. */
export interface PooledEstimator {
  /** The library function itself. */
  readonly fn: (...args: never[]) => unknown;
  /** Positions of the per-sample numeric arguments (rewards, scores): copied into shared memory. */
  readonly numeric: readonly number[];
  /** Position of a per-sample argument of any values (majority-vote answers), or −1. */
  readonly answers: number;
  /** Position of the options argument. */
  readonly opts: number;
  /** True for a metric (one value per group), false for weights (one per sample). */
  readonly perGroup: boolean;
  /**
   * True when the function runs its work through backend kernels after all its checks: the pool then
   * runs those checks on the calling thread, before any work is sent to a worker (see pool/index.ts).
   */
  readonly kernels: boolean;
}

const weights = (fn: PooledEstimator['fn'], numeric: number[], opts: number, answers = -1): PooledEstimator => ({
  fn,
  numeric,
  answers,
  opts,
  perGroup: false,
  kernels: answers < 0,
});
const metric = (fn: PooledEstimator['fn'], numeric: number[], opts: number, answers = -1): PooledEstimator => ({
  fn,
  numeric,
  answers,
  opts,
  perGroup: true,
  kernels: answers < 0,
});

/** Every estimator a pool offers, by its name in the library. */
export const POOLED = {
  maxAtKWeights: weights(maxAtKWeights as PooledEstimator['fn'], [0], 2),
  maxAtK: metric(maxAtK as PooledEstimator['fn'], [0], 2),
  passAtKWeights: weights(passAtKWeights as PooledEstimator['fn'], [0], 2),
  chenPassAtKWeights: weights(chenPassAtKWeights as PooledEstimator['fn'], [0], 2),
  passHatKWeights: weights(passHatKWeights as PooledEstimator['fn'], [0], 2),
  bestOfNWeights: weights(bestOfNWeights as PooledEstimator['fn'], [0, 1], 3),
  bestOfNAtK: metric(bestOfNAtK as PooledEstimator['fn'], [0, 1], 3),
  bonRlBinaryWeights: weights(bonRlBinaryWeights as PooledEstimator['fn'], [0], 2),
  orderStatisticWeights: weights(orderStatisticWeights as PooledEstimator['fn'], [0], 3),
  orderStatisticAtK: metric(orderStatisticAtK as PooledEstimator['fn'], [0], 3),
  majorityVoteWeights: weights(majorityVoteWeights as PooledEstimator['fn'], [1], 3, 0),
  majorityAtK: metric(majorityAtK as PooledEstimator['fn'], [1], 3, 0),
  grpoWeights: weights(grpoWeights as PooledEstimator['fn'], [0], 1),
  rlooWeights: weights(rlooWeights as PooledEstimator['fn'], [0], 1),
} as const satisfies Record<string, PooledEstimator>;

/** The name of an estimator a pool offers. */
export type PooledName = keyof typeof POOLED;

/** One worker's share of a call: a typed-array view described by its buffer, so it can be posted. */
export interface ArraySlice {
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  readonly length: number;
}

/** What the pool posts to a worker: one estimator call on a contiguous run of whole groups. */
export interface PoolJob {
  readonly id: number;
  readonly name: PooledName;
  /** The call's arguments with the per-sample ones (filled from `numeric` / `answers`) and opts left null. */
  readonly args: unknown[];
  /** The options minus layout, `out` and `backend`, which the worker sets for its slice. */
  readonly opts: Record<string, unknown>;
  readonly numeric: readonly ArraySlice[];
  readonly answers: unknown[] | null;
  /** The slice's layout: the caller's `groupSize`, or its `groupOffsets` rebased to start at 0. */
  readonly groupSize: number | null;
  readonly groupOffsets: Int32Array | null;
  readonly out: ArraySlice;
  /** The backend to run on, or null for an estimator without kernels (its options pass through as given). */
  readonly backend: string | null;
  /** True when buffers were transferred (no shared memory): the worker posts `out` back. */
  readonly transfer: boolean;
  /** `out` holds float32 values (the caller's `out` is a Float32Array). */
  readonly float32: boolean;
}

/**
 * A worker's answer: whether its call took the library's overflow rescue (see overflowRescues in
 * estimators/weights.ts: the direct call would then rescale the whole batch), or the error its call threw.
 */
export type PoolReply =
  | { readonly id: number; readonly ok: true; readonly rescued: boolean; readonly out: ArrayBuffer | null }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };
