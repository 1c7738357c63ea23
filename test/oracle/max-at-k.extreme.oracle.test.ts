/**
 * max@k and pass@k over the whole finite range, against exact BigInt rationals on both backends:
 * penalties −10^p (p = 3..300) among rewards in [0, 1], values near ±MAX_VALUE, n = 10^6 sums, and
 * pass@k's log-failure and binary weights near their cancelling corners. Every check is relative: to the
 * result where the contract says so, else to the sum's condition quantity (docs/estimators/max-at-k.md,
 * docs/estimators/pass-at-k.md); no absolute floor.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { logFailAtK, maxAtK, maxAtKAdvantage, passAtK, passAtKAdvantage, type Baseline } from '../../src/index.js';
import { loadWasmBackend } from '../../src/backends/wasm/index.js';
import { binom, bruteBaselined, maxObjective, Q, type SubsetObjective } from './rational.js';
import { errorInEps, nearMax, qabs, withPenalties } from './extreme.js';
import { mulberry32 as rng } from '../support/prng.js';

beforeAll(async () => {
  await loadWasmBackend();
});

/** Contract constants, in units of the float64 unit roundoff 2^-53 (docs/estimators/max-at-k.md). */
const METRIC_TOL = 4;
const WEIGHT_TOL = 8;

/** The exact max@k: Σ_p C(p, k−1)/C(n, k) · x_(p), and its condition quantity Σ μ_p |x_(p)|. */
function exactMetric(g: readonly number[], k: number): { value: Q; cond: Q } {
  const xs = g.map(Q.fromNumber).sort((a, b) => a.cmp(b));
  const d = binom(xs.length, k);
  let value = Q.zero;
  let cond = Q.zero;
  xs.forEach((x, p) => {
    const mu = new Q(binom(p, k - 1), d);
    value = value.add(mu.mul(x));
    cond = cond.add(mu.mul(qabs(x)));
  });
  return { value, cond };
}

function absObjective(g: readonly Q[]): SubsetObjective {
  const f = maxObjective(g);
  return (I) => qabs(f(I));
}

/**
 * Exact weights and the bound each is checked against: none → Σ c_j|x_j| (non-negative coefficients);
 * loo-1 → the weight itself (a sum of non-negative gap terms); loo → the two non-negative parts it is
 * the difference of (2·loo-1 − loo, loo-1 taken with the values below the k-th smallest raised to it,
 * which loo does not depend on), or for k = 1 the same on x − c at the best centre c; loo-pkpo → loo's bound plus
 * (k/(n(n−1)))·Σ m_j|x_j|.
 */
function exactWeights(g: readonly number[], k: number, baseline: Baseline): { value: Q[]; bound: Q[] } {
  const n = g.length;
  const gq = g.map(Q.fromNumber);
  const f = maxObjective(gq);
  const value = bruteBaselined(n, k, f, baseline);
  if (baseline === 'none') return { value, bound: bruteBaselined(n, k, absObjective(gq), 'none') };
  if (baseline === 'loo-1' && k >= 2) return { value, bound: value.map(qabs) };
  const looBound = (): Q[] => {
    if (k >= 2) {
      // loo depends on no value below the k-th smallest: its bound uses loo-1 of the group with those
      // raised to the k-th smallest (loo is unchanged by that, loo-1 loses the gap it does not need).
      const kth = [...gq].sort((x, y) => x.cmp(y))[k - 1]!;
      const raised = gq.map((x) => (x.cmp(kth) < 0 ? kth : x));
      const loo1 = bruteBaselined(n, k, maxObjective(raised), 'loo-1');
      const loo = bruteBaselined(n, k, f, 'loo');
      return loo1.map((a, i) => a.add(a).sub(loo[i]!));
    }
    // k = 1 (RLOO): (|x_i − c| + mean_{j≠i} |x_j − c|)/n at the best centre c among the values (the
    // weight does not change when every value shifts by c).
    let best: Q[] | undefined;
    for (const c of gq) {
      const y = gq.map((x) => qabs(x.sub(c)));
      const sum = y.reduce((a, b) => a.add(b), Q.zero);
      const cand = y.map((yi) => yi.add(sum.sub(yi).div(Q.int(n - 1))).div(Q.int(n)));
      best = best === undefined ? cand : best.map((x, i) => (cand[i]!.cmp(x) < 0 ? cand[i]! : x));
    }
    return best!;
  };
  if (baseline === 'loo' || baseline === 'loo-1') return { value, bound: looBound() };
  const a = absObjective(gq);
  const looAbs = bruteBaselined(n, k, a, 'loo');
  const pkpoAbs = bruteBaselined(n, k, a, 'loo-pkpo');
  return { value, bound: looBound().map((b, i) => b.add(looAbs[i]!.sub(pkpoAbs[i]!))) };
}

function validBaselines(n: number, k: number): Baseline[] {
  const out: Baseline[] = ['none', 'loo-1'];
  if (k <= n - 1) out.push('loo', 'loo-pkpo');
  return out;
}

interface Worst {
  eps: number;
  where: string;
}

function track(worst: Worst, e: number, where: string, failures: string[], tol: number): void {
  if (e > worst.eps) {
    worst.eps = e;
    worst.where = where;
  }
  if (!(e <= tol)) failures.push(`${where}: error ${e} ε`);
}

/** Checks metric and every baseline's weights of one group on one backend. */
function checkGroup(g: number[], backend: string, label: string, failures: string[], worst: Record<string, Worst>): void {
  const n = g.length;
  for (let k = 1; k <= n; k++) {
    const m = exactMetric(g, k);
    track(worst.metric!, errorInEps(maxAtK(g, k, { backend }) as number, m.value, m.cond), `${label} maxAtK g=[${g}] k=${k}`, failures, METRIC_TOL);
    for (const baseline of validBaselines(n, k)) {
      const w = maxAtKAdvantage(g, k, { baseline, backend });
      const ex = exactWeights(g, k, baseline);
      for (let i = 0; i < n; i++) {
        track(worst[baseline]!, errorInEps(w[i]!, ex.value[i]!, ex.bound[i]!), `${label} ${baseline} g=[${g}] k=${k} i=${i}`, failures, WEIGHT_TOL);
      }
    }
  }
}

function freshWorst(): Record<string, Worst> {
  return Object.fromEntries(['metric', 'none', 'loo', 'loo-pkpo', 'loo-1'].map((b) => [b, { eps: 0, where: '' }]));
}

describe.each(['js', 'wasm'])('max@k over the whole finite range (%s backend)', (backend) => {
  it('the reported outlier cases give the exact results', () => {
    expect(maxAtK([-1e17, 0.5, 0.7, 0.2], 3, { backend })).toBeCloseTo(0.65, 15);
    expect(Math.abs((maxAtK([-1e17, 0.5, 0.7, 0.2], 3, { backend }) as number) - 0.65)).toBeLessThanOrEqual(2 ** -53);
    expect([...maxAtKAdvantage([-1e16, 1, 2], 3, { backend })]).toEqual([0, 0, 1]);
  });

  it('a penalty −10^p (p = 3..300) among rewards in [0, 1] changes nothing it cannot affect', () => {
    const random = rng(backend === 'js' ? 301 : 302);
    const failures: string[] = [];
    const worst = freshWorst();
    let groups = 0;
    for (let p = 3; p <= 300; p++) {
      const n = 3 + (p % 5);
      checkGroup(withPenalties(n, p, 1, random), backend, `p=${p}`, failures, worst);
      if (p % 3 === 0) checkGroup(withPenalties(n, p, 2, random), backend, `p=${p}×2`, failures, worst);
      groups++;
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(groups).toBe(298);
    console.log(`max@k penalties (${backend}) worst ε:`, Object.entries(worst).map(([b, w]) => `${b} ${w.eps.toFixed(2)}`).join(', '));
  });

  it('a penalty that cannot affect a result leaves its bits unchanged (−10^p vs −1, p = 3..300)', () => {
    const random = rng(backend === 'js' ? 303 : 304);
    const failures: string[] = [];
    for (let p = 3; p <= 300; p++) {
      const n = 4 + (p % 5);
      const g = withPenalties(n, 0, 0, random);
      const at = Math.floor(random() * n);
      const a = g.slice();
      const b = g.slice();
      a[at] = -(10 ** p);
      b[at] = -1;
      for (let k = 2; k <= n; k++) {
        if (!Object.is(maxAtK(a, k, { backend }), maxAtK(b, k, { backend }))) failures.push(`maxAtK p=${p} k=${k}`);
        for (const baseline of validBaselines(n, k)) {
          // loo-1 depends on the second smallest of a subset's maximum pair, so on position k − 2.
          if (baseline === 'loo-1' && k < 3) continue;
          const wa = maxAtKAdvantage(a, k, { baseline, backend });
          const wb = maxAtKAdvantage(b, k, { baseline, backend });
          if (!wa.every((x, i) => Object.is(x, wb[i]))) failures.push(`${baseline} p=${p} k=${k}: [${wa}] vs [${wb}]`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('values near ±MAX_VALUE: finite exact results are returned finite and accurate', () => {
    const random = rng(backend === 'js' ? 77 : 78);
    const failures: string[] = [];
    const worst = freshWorst();
    for (let t = 0; t < 150; t++) {
      const n = 2 + (t % 6);
      const g = nearMax(n, random);
      // Only groups whose exact results are all representable: a weight beyond MAX_VALUE cannot be returned.
      checkGroupFinite(g, backend, `t=${t}`, failures, worst);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    console.log(`max@k near MAX (${backend}) worst ε:`, Object.entries(worst).map(([b, w]) => `${b} ${w.eps.toFixed(2)}`).join(', '));
  });

  it('n = 10^6 binary rewards: maxAtK equals pass@k to 4 ε relative', () => {
    const n = 1_000_000;
    for (const [c, k] of [
      [500_000, 2],
      [1000, 2],
      [999_000, 3],
      [10, 20],
    ] as const) {
      const g = new Float64Array(n);
      for (let i = 0; i < c; i++) g[Math.floor((i * n) / c)] = 1;
      let num = 1n;
      let den = 1n;
      for (let i = 0; i < k; i++) {
        num *= BigInt(n - c - i);
        den *= BigInt(n - i);
      }
      const exact = new Q(den - num, den);
      expect(errorInEps(maxAtK(g, k, { backend }) as number, exact, exact)).toBeLessThanOrEqual(4);
    }
  });
});

/** As checkGroup, skipping outputs whose exact value is beyond ±MAX_VALUE (they cannot be represented). */
function checkGroupFinite(g: number[], backend: string, label: string, failures: string[], worst: Record<string, Worst>): void {
  const n = g.length;
  const limit = Q.fromNumber(Number.MAX_VALUE);
  for (let k = 1; k <= n; k++) {
    const m = exactMetric(g, k);
    track(worst.metric!, errorInEps(maxAtK(g, k, { backend }) as number, m.value, m.cond), `${label} maxAtK g=[${g}] k=${k}`, failures, METRIC_TOL);
    for (const baseline of validBaselines(n, k)) {
      const w = maxAtKAdvantage(g, k, { baseline, backend });
      const ex = exactWeights(g, k, baseline);
      for (let i = 0; i < n; i++) {
        if (qabs(ex.value[i]!).cmp(limit) > 0) continue;
        track(worst[baseline]!, errorInEps(w[i]!, ex.value[i]!, ex.bound[i]!), `${label} ${baseline} g=[${g}] k=${k} i=${i}`, failures, WEIGHT_TOL);
      }
    }
  }
}

describe('pass@k long sums and cancelling corners', () => {
  it('logFailAtK(10^6, 1, 999999) = log(10^-6) to 2 ε relative', () => {
    // −6·ln 10 to 40 digits.
    const exact = -13.815510557964274104107948728106185245606;
    expect(Math.abs(logFailAtK(1e6, 1, 999999) - exact) / Math.abs(exact)).toBeLessThanOrEqual(2 * 2 ** -53);
  });

  it('logFailAtK with k/i near 1 (c ≤ k ≈ n) to 8 ε relative', () => {
    const failures: string[] = [];
    for (const n of [1000, 100_000, 1_000_000]) {
      for (const c of [1, 2, 3]) {
        for (const gap of [1, 2, 10, 100]) {
          const k = n - c - gap + 1;
          if (k < c) continue;
          // log(C(n−c,k)/C(n,k)) = Σ_{i=n−c+1..n} log((i−k)/i): exact integer ratios.
          let num = 1n;
          let den = 1n;
          for (let i = n - c + 1; i <= n; i++) {
            num *= BigInt(i - k);
            den *= BigInt(i);
          }
          const exact = logOfRatio(num, den);
          const got = logFailAtK(n, c, k);
          const rel = Math.abs(got - exact) / Math.abs(exact);
          if (!(rel <= 8 * 2 ** -53)) failures.push(`logFailAtK(${n}, ${c}, ${k}) = ${got}, exact ${exact}, rel ${rel}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('binary loo-pkpo weights near c ≈ n, relative to the weight', () => {
    const failures: string[] = [];
    let worst = 0;
    for (const n of [20, 100, 1000, 10_000]) {
      for (const k of [2, 5, 10]) {
        for (let c = Math.max(0, n - k - 4); c <= n; c++) {
          const g = Array.from({ length: n }, (_, i) => (i < c ? 1 : 0));
          const w = passAtKAdvantage(g, k, { baseline: 'loo-pkpo' });
          const r = new Q(BigInt(k), BigInt(n));
          const a = new Q(BigInt(k), BigInt(n - 1));
          const b = r.div(Q.int(n - 1));
          if (c > 0) {
            // Correct: a·fail(n−1, c−1, k) − b; its bound is a·fail + b (the subtraction's two parts).
            const fail = failQ(n - 1, c - 1, k);
            const e = errorInEps(w[0]!, a.mul(fail).sub(b), a.mul(fail).add(b));
            worst = Math.max(worst, e);
            if (!(e <= 8)) failures.push(`correct n=${n} c=${c} k=${k}: ${e} ε`);
          }
          if (c < n) {
            const exact = r.mul(Q.one.sub(failQ(n - 1, c, k - 1))).sub(a.mul(Q.one.sub(failQ(n - 1, c, k))));
            const e = errorInEps(w[n - 1]!, exact, qabs(exact));
            worst = Math.max(worst, e);
            if (!(e <= 8)) failures.push(`incorrect n=${n} c=${c} k=${k}: ${e} ε`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    console.log(`binary loo-pkpo near c ≈ n worst ε: ${worst.toFixed(2)}`);
  });

  it('passAtK equals the exact rational to 4 ε relative near c ≈ n and c ≈ 0', () => {
    const failures: string[] = [];
    for (const n of [100, 10_000, 1_000_000]) {
      for (const c of [1, 2, n - 200, n - 60]) {
        for (const k of [1, 3, 50]) {
          if (c < 0 || k > n) continue;
          const exact = Q.one.sub(failQ(n, c, k));
          const e = errorInEps(passAtK(n, c, k), exact, exact);
          if (!(e <= 4)) failures.push(`passAtK(${n}, ${c}, ${k}): ${e} ε`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

/** C(n−c, k)/C(n, k) exactly. */
function failQ(n: number, c: number, k: number): Q {
  if (n - c < k) return Q.zero;
  let num = 1n;
  let den = 1n;
  for (let i = 0; i < k; i++) {
    num *= BigInt(n - c - i);
    den *= BigInt(n - i);
  }
  return new Q(num, den);
}

/** log(num/den) to ~1 ulp for positive bigints: the leading 64 bits' log plus the binary exponent. */
function logOfRatio(num: bigint, den: bigint): number {
  // num/den = 2^e · m with m ∈ [1, 2) computed exactly as a rational, then converted.
  const e = num.toString(2).length - den.toString(2).length;
  let m = e >= 0 ? new Q(num, den << BigInt(e)) : new Q(num << BigInt(-e), den);
  let ee = e;
  if (m.cmp(Q.one) < 0) {
    m = m.mul(Q.int(2));
    ee -= 1;
  }
  // log m for m ∈ [1, 2) to an ulp, log 2·e with the exact product rounded once.
  return Math.log(m.toNumber()) + ee * Math.LN2;
}
