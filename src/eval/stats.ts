/**
 * The few distribution functions the intervals need (no dependencies): the Student-t quantile, the
 * regularized incomplete beta function and its inverse (Clopper–Pearson bounds). Checked against
 * tabulated values in test/unit/eval-stats.test.ts.
 */

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-14). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The p-quantile of Beta(a, b) by bisection on {@link incompleteBeta} (monotone; 200 halvings). */
export function betaQuantile(p: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-16; i++) {
    const mid = 0.5 * (lo + hi);
    if (incompleteBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The p-quantile of Student's t with `df` degrees of freedom (bisection on the CDF via {@link incompleteBeta}). */
export function tQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  const upper = p > 0.5;
  const tail = upper ? 1 - p : p; // P(T > t) = tail for the positive t we look for
  let lo = 0;
  let hi = 1;
  const sf = (t: number): number => 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  while (sf(hi) > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (sf(mid) > tail) lo = mid;
    else hi = mid;
  }
  const t = 0.5 * (lo + hi);
  return upper ? t : -t;
}

/** Mean, sample standard deviation (ddof 1) and the two-sided t interval of the mean. */
export interface MeanInterval {
  mean: number;
  /** Standard error s/√m (NaN when m < 2). */
  stderr: number;
  lower: number;
  upper: number;
}

/**
 * mean ± t_{(1+level)/2, m−1} · s/√m over m values (m ≥ 2). With m = 1 the bounds are NaN (the caller
 * reports "no interval").
 */
export function meanInterval(values: ArrayLike<number>, level: number): MeanInterval {
  const m = values.length;
  let sum = 0;
  for (let i = 0; i < m; i++) sum += values[i] as number;
  const mean = sum / m;
  if (m < 2) return { mean, stderr: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  let ss = 0;
  for (let i = 0; i < m; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  const stderr = Math.sqrt(ss / (m - 1) / m);
  const t = tQuantile((1 + level) / 2, m - 1);
  return { mean, stderr, lower: mean - t * stderr, upper: mean + t * stderr };
}

/** Clopper–Pearson ("exact") bounds for a binomial proportion with c successes in n trials. */
export function clopperPearson(n: number, c: number, level: number): [number, number] {
  const alpha = 1 - level;
  const lower = c === 0 ? 0 : betaQuantile(alpha / 2, c, n - c + 1);
  const upper = c === n ? 1 : betaQuantile(1 - alpha / 2, c + 1, n - c);
  return [lower, upper];
}

/**
 * An interval for the mean of m values that lie in [lo, hi] (per-task estimates of a probability-like
 * metric), good near the ends of the range where mean ± t·s/√m is not: the Wilson score interval on
 * the mean rescaled to [0, 1], with the effective sample size m* = μ(1 − μ)/se² (the number of
 * independent 0/1 draws that would give the observed standard error; Korn & Graubard 1998's device for
 * proportions from clustered samples — here the tasks are the clusters) and the t quantile with m − 1
 * degrees of freedom. When se = 0: m* = m at μ ∈ {0, 1}, else the interval is the point.
 */
export function boundedMeanInterval(values: ArrayLike<number>, level: number, lo: number, hi: number): MeanInterval {
  const base = meanInterval(values, level);
  const m = values.length;
  if (m < 2 || !(hi > lo)) return base;
  const width = hi - lo;
  const mu = Math.min(1, Math.max(0, (base.mean - lo) / width));
  const se = base.stderr / width;
  const v = mu * (1 - mu);
  let mStar: number;
  if (se > 0) mStar = v / (se * se);
  else if (v === 0) mStar = m;
  else return { ...base, lower: base.mean, upper: base.mean };
  if (mStar === 0) mStar = m; // μ at an end with se > 0 cannot happen for values in [lo, hi]; kept safe
  const z = tQuantile((1 + level) / 2, m - 1);
  const z2 = (z * z) / mStar;
  const center = (mu + z2 / 2) / (1 + z2);
  const half = (z / (1 + z2)) * Math.sqrt(v / mStar + (z * z) / (4 * mStar * mStar));
  return { mean: base.mean, stderr: base.stderr, lower: lo + width * Math.max(0, center - half), upper: lo + width * Math.min(1, center + half) };
}
