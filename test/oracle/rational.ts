/**
 * Exact rational arithmetic on BigInt, and brute-force enumeration helpers: the ground truth every
 * estimator is checked against. Slow on purpose; only for small cases.
 */

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** An exact rational number num/den with den > 0, always reduced. */
export class Q {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new Error('Q: zero denominator');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }

  static readonly zero = new Q(0n);
  static readonly one = new Q(1n);

  static int(n: number | bigint): Q {
    return new Q(BigInt(n));
  }

  /** The exact value of a finite double (every double is a dyadic rational). */
  static fromNumber(x: number): Q {
    if (!Number.isFinite(x)) throw new Error(`Q.fromNumber: ${x} is not finite`);
    if (Number.isInteger(x)) return new Q(BigInt(x));
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, x);
    const bits = buf.getBigUint64(0);
    const sign = bits >> 63n ? -1n : 1n;
    const exp = Number((bits >> 52n) & 0x7ffn);
    const frac = bits & ((1n << 52n) - 1n);
    const mant = exp === 0 ? frac : frac | (1n << 52n);
    const e = (exp === 0 ? 1 : exp) - 1075; // x = mant · 2^e
    return e >= 0 ? new Q(sign * mant * (1n << BigInt(e))) : new Q(sign * mant, 1n << BigInt(-e));
  }

  add(o: Q): Q {
    return new Q(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Q): Q {
    return new Q(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Q): Q {
    return new Q(this.num * o.num, this.den * o.den);
  }
  div(o: Q): Q {
    return new Q(this.num * o.den, this.den * o.num);
  }
  neg(): Q {
    return new Q(-this.num, this.den);
  }
  cmp(o: Q): number {
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  eq(o: Q): boolean {
    return this.num === o.num && this.den === o.den;
  }
  isZero(): boolean {
    return this.num === 0n;
  }

  /** The nearest double (to within an ulp), also for huge numerators and denominators. */
  toNumber(): number {
    if (this.num === 0n) return 0;
    const neg = this.num < 0n;
    const a = neg ? -this.num : this.num;
    // Scale so the integer quotient has ~80 significant bits, then divide by the power of two.
    const shift = BigInt(a.toString(2).length - this.den.toString(2).length - 80);
    const q = shift >= 0n ? a / (this.den << shift) : (a << -shift) / this.den;
    const v = Number(q) * 2 ** Number(shift);
    // 2 ** shift can over/underflow for extreme values; fall back to splitting.
    const r = Number.isFinite(v) && v !== 0 ? v : Number(q) * 2 ** (Number(shift) / 2) * 2 ** (Number(shift) / 2);
    return neg ? -r : r;
  }

  toString(): string {
    return this.den === 1n ? `${this.num}` : `${this.num}/${this.den}`;
  }
}

/** Sum of rationals. */
export function qsum(xs: Iterable<Q>): Q {
  let s = Q.zero;
  for (const x of xs) s = s.add(x);
  return s;
}

/** The exact binomial coefficient C(n, k) (0 when k < 0 or k > n). */
export function binom(n: number, k: number): bigint {
  if (k < 0 || k > n || n < 0) return 0n;
  k = Math.min(k, n - k);
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/** All k-subsets of {0..n−1} as sorted index arrays, in lexicographic order. */
export function* subsets(n: number, k: number): Generator<number[]> {
  if (k < 0 || k > n) return;
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield idx.slice();
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/** All n-tuples over {0..m−1} (m^n of them). */
export function* tuples(m: number, n: number): Generator<number[]> {
  const t = new Array<number>(n).fill(0);
  while (true) {
    yield t.slice();
    let i = n - 1;
    while (i >= 0 && t[i] === m - 1) t[i--] = 0;
    if (i < 0) return;
    t[i]!++;
  }
}

/** A symmetric objective of a subset: gets the chosen sample indices. */
export type SubsetObjective = (subset: readonly number[]) => Q;

/** ρ = (1/C(n,k)) Σ_I f(I): the unbiased metric, by enumeration (docs/estimators/weights.md). */
export function bruteMetric(n: number, k: number, f: SubsetObjective): Q {
  let s = Q.zero;
  for (const I of subsets(n, k)) s = s.add(f(I));
  return s.div(new Q(binom(n, k)));
}

/** s_i = (1/C(n,k)) Σ_{I∋i} f(I), by enumeration (docs/estimators/weights.md). */
export function bruteWeights(n: number, k: number, f: SubsetObjective): Q[] {
  const s = Array.from({ length: n }, () => Q.zero);
  for (const I of subsets(n, k)) {
    const v = f(I);
    for (const i of I) s[i] = s[i]!.add(v);
  }
  const d = new Q(binom(n, k));
  return s.map((x) => x.div(d));
}

export type OracleBaseline = 'none' | 'loo' | 'loo-pkpo' | 'loo-1';

/**
 * Baselined weights (docs/estimators/weights.md#baselines), all by enumeration: `f` is evaluated on subsets of the original
 * indices, so leaving i out is just enumerating subsets of the others.
 */
export function bruteBaselined(n: number, k: number, f: SubsetObjective, baseline: OracleBaseline): Q[] {
  const s = bruteWeights(n, k, f);
  if (baseline === 'none') return s;
  const eff = baseline === 'loo-1' && k === 1 ? 'loo' : baseline;
  return s.map((si, i) => {
    const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    const fOthers: SubsetObjective = (I) => f(I.map((j) => others[j]!));
    if (eff === 'loo-1') {
      // (1/C(n,k)) Σ_{I∋i} f(I∖{i})
      let t = Q.zero;
      for (const J of subsets(n - 1, k - 1)) t = t.add(fOthers(J));
      return si.sub(t.div(new Q(binom(n, k))));
    }
    const rhoMinus = bruteMetric(n - 1, k, fOthers);
    const scale = eff === 'loo' ? new Q(BigInt(k), BigInt(n)) : new Q(BigInt(k), BigInt(n - 1));
    return si.sub(scale.mul(rhoMinus));
  });
}

/** max of the rewards of a subset, as an objective over indices into `g`. */
export function maxObjective(g: readonly Q[]): SubsetObjective {
  return (I) => {
    let m: Q | undefined;
    for (const i of I) if (m === undefined || g[i]!.cmp(m) > 0) m = g[i]!;
    return m ?? Q.zero;
  };
}

/**
 * Asserts `actual` equals the exact `expected` to `rel` relative error (or `abs` absolute error, for
 * values near 0). Returns a message on mismatch, undefined when equal.
 */
export function mismatch(actual: number, expected: Q, rel = 1e-12, abs = 1e-15): string | undefined {
  const e = expected.toNumber();
  const err = Math.abs(actual - e);
  if (Number.isNaN(actual) || err > Math.max(abs, rel * Math.abs(e))) {
    return `got ${actual}, exact ${expected} ≈ ${e} (error ${err})`;
  }
  return undefined;
}
