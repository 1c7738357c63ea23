/**
 * Argument checks for tensors. Shapes and dtypes are checked on the host for free; value checks
 * (0/1 masks, finite log-probs) run on the device and read back ONE boolean per call, and only on
 * failure read the offending tensor to name the index and value (see docs/tfjs.md, "Where data
 * leaves the device").
 */
import {
  Tensor,
  abs,
  cast,
  equal,
  greater,
  isFinite as tfIsFinite,
  less,
  logicalAnd,
  logicalNot,
  logicalOr,
  mul,
  neg,
  relu,
  scalar,
  stack,
  sub,
  sum,
  tidy,
  where,
  zerosLike,
  type DataType,
} from '@tensorflow/tfjs-core';
import { InvalidArgumentError, NonFiniteError, ShapeError, DomainError, show } from '../errors.js';

/** Throws unless `value` is a tfjs tensor of one of `dtypes` and rank `rank`. */
export function checkTensor(value: unknown, name: string, rank: number, dtypes: readonly DataType[]): Tensor {
  if (!(value instanceof Tensor)) {
    throw new InvalidArgumentError(name, `${name} must be a tfjs Tensor (got ${show(value)})`);
  }
  if (value.isDisposed) throw new InvalidArgumentError(name, `${name} must not be disposed (got a disposed Tensor)`);
  if (!dtypes.includes(value.dtype)) {
    throw new InvalidArgumentError(name, `${name} must have dtype ${dtypes.join(' | ')} (got ${value.dtype})`);
  }
  if (value.rank !== rank) {
    throw new ShapeError(name, `${name} must have rank ${rank} (got shape [${value.shape.join(', ')}])`);
  }
  return value;
}

/** Throws unless two tensors have the same shape. */
export function checkSameShape(a: Tensor, aName: string, b: Tensor, bName: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(
      bName,
      `${bName} must have the shape of ${aName} [${a.shape.join(', ')}] (got [${b.shape.join(', ')}])`,
    );
  }
}

/** Formats a flat index of a tensor as `[i, j]`. */
function position(shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    idx.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * A value check that runs on the device. `flag(t)` is a float32 scalar that is exactly 0 when every
 * element obeys the rule (and non-zero or NaN otherwise): a few arithmetic ops and one sum, cheaper than
 * boolean ops on the wasm backend. `bad(t)` (only run after a failure) marks the offending elements.
 */
export interface ValueRule {
  readonly tensor: Tensor;
  readonly name: string;
  readonly flag: (t: Tensor) => Tensor;
  readonly bad: (t: Tensor) => Tensor;
  /** Builds the error for the first offending element. */
  readonly error: (name: string, where: string, value: number) => Error;
}

/**
 * Runs all rules on the device and reads back one float flag per rule (a single `dataSync` of a few bytes).
 * On failure, reads the offending tensor once to name the first bad element.
 */
export function checkValues(rules: readonly ValueRule[]): void {
  if (rules.length === 0) return;
  const flags = tidy(() => stack(rules.map((r) => r.flag(r.tensor))).dataSync());
  for (let i = 0; i < rules.length; i++) {
    if (flags[i] === 0) continue;
    const rule = rules[i] as ValueRule;
    const mask = tidy(() => rule.bad(rule.tensor).dataSync());
    const values = rule.tensor.dataSync();
    const at = mask.findIndex((v) => v !== 0);
    // The flag and the element test agree by construction; guard anyway so a message never reads "at [-1]".
    if (at < 0) continue;
    throw rule.error(rule.name, position(rule.tensor.shape, at), values[at] as number);
  }
}

/** Rule: every element is 0 or 1. Flag: Σ|m − m²|, 0 exactly for 0/1 values, NaN for NaN. */
export function binaryRule(tensor: Tensor, name: string): ValueRule {
  return {
    tensor,
    name,
    flag: (t) => {
      const m = cast(t, 'float32');
      return sum(abs(sub(m, mul(m, m))));
    },
    bad: (t) => logicalNot(logicalOr(equal(t, scalar(0, t.dtype)), equal(t, scalar(1, t.dtype)))),
    error: (n, where, v) => new DomainError(n, `${n} must contain only 0 and 1 (got ${show(v)} at ${where})`),
  };
}

/**
 * Rule: every element is finite, or every element where `mask` is 1 when a mask is given. Flag: Σ 0·x,
 * which is 0 for finite x and NaN as soon as one x is ±Infinity or NaN.
 */
export function finiteRule(tensor: Tensor, name: string, mask?: Tensor): ValueRule {
  return {
    tensor,
    name,
    flag: (t) => {
      const live = mask === undefined ? t : where(cast(mask, 'bool'), t, zerosLike(t));
      return sum(mul(live, scalar(0)));
    },
    bad: (t) => {
      const nonFinite = logicalNot(tfIsFinite(t));
      return mask === undefined ? nonFinite : logicalAnd(nonFinite, cast(mask, 'bool'));
    },
    error: (n, where, v) =>
      new NonFiniteError(n, `${n} must be finite${mask === undefined ? '' : ' where mask = 1'} (got ${show(v)} at ${where})`),
  };
}

/** Rule: every element is ≥ 0 (for imitation weights, which are probabilities). Flag: Σ max(−x, 0). */
export function nonNegativeRule(tensor: Tensor, name: string): ValueRule {
  return {
    tensor,
    name,
    flag: (t) => sum(relu(neg(t))),
    bad: (t) => less(t, scalar(0, t.dtype)),
    error: (n, where, v) => new DomainError(n, `${n} must be ≥ 0 (got ${show(v)} at ${where})`),
  };
}

/**
 * Rule: every element is ≤ `limit` (masked elements must already be 0 in `tensor`). Flag:
 * Σ max(x − limit, 0). `what` states the rule; the error appends the offending value and position.
 */
export function upperBoundRule(tensor: Tensor, name: string, limit: number, what: string): ValueRule {
  return {
    tensor,
    name,
    flag: (t) => sum(relu(sub(t, scalar(limit)))),
    bad: (t) => greater(t, scalar(limit)),
    error: (n, where, v) => new DomainError(n, `${what} (got ${show(v)} at ${where})`),
  };
}
