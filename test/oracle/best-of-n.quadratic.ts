/**
 * A straightforward O(n²)-per-group transcription of the best-of-N weights of docs/estimators/best-of-n.md (tie-block formula
 * term by term; each leave-one-out metric recomputed from scratch on the reduced group). Used as a
 * mid-size cross-check in the tests (n = 64, where the BigInt oracle is too slow) and as the "naive"
 * case of bench/best-of-n.bench.ts.
 */
export type QuadraticBaseline = 'none' | 'loo' | 'loo-pkpo' | 'loo-1';

/** μ_p = C(p−1, κ−1)/C(m, κ) for p = 1..m, stored at p − 1 (all zeros when κ = 0). */
function mu(m: number, kappa: number): Float64Array {
  const out = new Float64Array(m);
  if (kappa < 1 || kappa > m) return out;
  let x = kappa / m;
  out[m - 1] = x;
  for (let p = m; p > 1; p--) {
    x = p - 1 >= kappa ? (x * (p - kappa)) / (p - 1) : 0;
    out[p - 2] = x;
  }
  return out;
}

/** The best-of-N metric on a list already sorted by score: Σ μ_p r̄_(p), r̄ the tie-block mean. */
function sortedMetric(v: readonly number[], r: readonly number[], kappa: number): number {
  const m = v.length;
  const w = mu(m, kappa);
  let sum = 0;
  let a = 0;
  while (a < m) {
    let b = a;
    let block = 0;
    while (b < m && v[b] === v[a]) block += r[b++]!;
    for (let p = a; p < b; p++) sum += w[p]! * (block / (b - a));
    a = b;
  }
  return sum;
}

/** One group of best-of-N weights, input order. */
export function quadraticGroup(
  scores: ArrayLike<number>,
  rewards: ArrayLike<number>,
  k: number,
  baseline: QuadraticBaseline,
): Float64Array {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => scores[x]! - scores[y]!);
  const v = order.map((i) => scores[i]!);
  const r = order.map((i) => rewards[i]!);
  const m = mu(n, k);
  const nu = (j: number): number => (j >= 2 && k >= 2 ? (m[j - 1]! * (k - 1)) / (j - 1) : 0); // 1-based j
  const out = new Float64Array(n);
  for (let pos = 0; pos < n; pos++) {
    let a = pos;
    while (a > 0 && v[a - 1] === v[pos]) a--;
    let b = pos;
    while (b < n - 1 && v[b + 1] === v[pos]) b++;
    const size = b - a + 1;
    let others = 0;
    for (let q = a; q <= b; q++) if (q !== pos) others += r[q]!;
    const rOthers = size > 1 ? others / (size - 1) : 0;
    // 1-based positions a+1..b+1 in the formula.
    let s = 0;
    for (let p = a + 1; p <= b + 1; p++) {
      let inner = 0;
      for (let j = p + 1; j <= b + 1; j++) inner += nu(j);
      s += m[p - 1]! * r[pos]! + rOthers * inner;
    }
    s /= size;
    let j = b + 2;
    while (j <= n) {
      let e = j;
      let block = 0;
      while (e <= n && v[e - 1] === v[j - 1]) block += r[e++ - 1]!;
      for (let q = j; q < e; q++) s += nu(q) * (block / (e - j));
      j = e;
    }
    let w = s;
    if (baseline !== 'none') {
      const kappa = baseline === 'loo-1' && k >= 2 ? k - 1 : k;
      const vr = v.filter((_, q) => q !== pos);
      const rr = r.filter((_, q) => q !== pos);
      const rho = sortedMetric(vr, rr, kappa);
      w = s - (baseline === 'loo-pkpo' ? k / (n - 1) : k / n) * rho;
    }
    out[order[pos]!] = w;
  }
  return out;
}

/** Uniform groups of `groupSize`, into `out`. */
export function quadraticBestOfNAdvantage(
  scores: Float64Array,
  rewards: Float64Array,
  k: number,
  baseline: QuadraticBaseline,
  groupSize: number,
  out: Float64Array,
): Float64Array {
  for (let start = 0; start < scores.length; start += groupSize) {
    out.set(
      quadraticGroup(scores.subarray(start, start + groupSize), rewards.subarray(start, start + groupSize), k, baseline),
      start,
    );
  }
  return out;
}
