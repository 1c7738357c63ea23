/**
 * Unit tests of the ordinary mean-reward baselines (docs/estimators/grpo.md): grpoAdvantage and rlooAdvantage, against
 * straightforward re-implementations written here from the formulas.
 */
import { describe, expect, it } from 'vitest';
import { DomainError, grpoAdvantage, GRPO_PRESETS, rlooAdvantage } from '../../src/index.js';

function mean(g: readonly number[]): number {
  return g.reduce((a, b) => a + b, 0) / g.length;
}
function std(g: readonly number[], ddof: number): number {
  const m = mean(g);
  return Math.sqrt(g.reduce((a, b) => a + (b - m) ** 2, 0) / (g.length - ddof));
}
/** (g − mean)/(std + eps), the GRPO formula (what torch computes in verl / TRL). */
function grpoRef(g: readonly number[], ddof: number, eps: number): number[] {
  const m = mean(g);
  const s = std(g, ddof);
  return g.map((x) => (x - m) / (s + eps));
}
function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-14): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

const R = [1, 0, 0, 1, 0.5, 0.25];

describe('grpoAdvantage', () => {
  it('grpoAdvantage([1, 0, 0, 1]) is ±√3/2 (ddof 1 by default)', () => {
    expectClose(grpoAdvantage([1, 0, 0, 1]), [Math.sqrt(3) / 2, -Math.sqrt(3) / 2, -Math.sqrt(3) / 2, Math.sqrt(3) / 2]);
  });

  it('grpoAdvantage(rewards, { ddof: 0 }) and { ddof: 1 } divide by the population / sample std', () => {
    expectClose(grpoAdvantage([1, 0, 0, 1], { ddof: 0 }), [1, -1, -1, 1]);
    expectClose(grpoAdvantage(R, { ddof: 0 }), grpoRef(R, 0, 0));
    expectClose(grpoAdvantage(R, { ddof: 1 }), grpoRef(R, 1, 0));
    expectClose(grpoAdvantage(R), grpoRef(R, 1, 0));
  });

  it('grpoAdvantage(rewards, { eps }) divides by std + eps', () => {
    expectClose(grpoAdvantage(R, { eps: 0.1 }), grpoRef(R, 1, 0.1));
    expectClose(grpoAdvantage(R, { eps: 0.1, ddof: 0 }), grpoRef(R, 0, 0.1));
  });

  it("grpoAdvantage(rewards, { normalize: 'none' }) is g − mean", () => {
    const m = mean(R);
    expectClose(grpoAdvantage(R, { normalize: 'none' }), R.map((x) => x - m));
  });

  it('grpoAdvantage(rewards) of a zero-variance group is exactly zero (not NaN, not a division by eps)', () => {
    for (const opts of [{}, { eps: 1e-6 }, { ddof: 0 as const }, { normalize: 'none' as const }, GRPO_PRESETS.verl, GRPO_PRESETS.trl]) {
      for (const g of [[1, 1, 1], [0, 0, 0, 0], [0.1, 0.1, 0.1], [-7.3, -7.3]]) {
        const w = grpoAdvantage(g, opts);
        expect(Array.from(w).every((x) => x === 0), `${JSON.stringify(opts)} ${g}`).toBe(true);
      }
    }
    // A zero-variance group next to an ordinary one in a batch.
    const w = grpoAdvantage([0.3, 0.3, 0.3, 1, 0, 0], { groupSize: 3 });
    expect(Array.from(w.subarray(0, 3)).every((x) => x === 0)).toBe(true);
    expectClose(w.subarray(3), grpoRef([1, 0, 0], 1, 0));
  });

  it('grpoAdvantage(rewards, { ddof: 0 }) of a single sample is 0; ddof 1 needs n ≥ 2', () => {
    expect(Array.from(grpoAdvantage([0.7], { ddof: 0 }))).toEqual([0]);
    expect(() => grpoAdvantage([0.7])).toThrow(DomainError);
    expect(Array.from(grpoAdvantage([0.7], { normalize: 'none' }))).toEqual([0]);
  });

  it('GRPO_PRESETS are verl (ddof 1, eps 1e-6) and TRL (ddof 1, eps 1e-4)', () => {
    expect(GRPO_PRESETS.verl).toEqual({ normalize: 'std', ddof: 1, eps: 1e-6, oneSampleGroups: 'zero-mean-unit-std' });
    expect(GRPO_PRESETS.trl).toEqual({ normalize: 'std', ddof: 1, eps: 1e-4, oneSampleGroups: 'error' });
    expectClose(grpoAdvantage(R, GRPO_PRESETS.verl), grpoRef(R, 1, 1e-6));
    expectClose(grpoAdvantage(R, GRPO_PRESETS.trl), grpoRef(R, 1, 1e-4));
  });

  it('grpoAdvantage(rewards, { groupSize | groupOffsets }) normalises each group on its own', () => {
    const g = [1, 0, 0, 1, 0.5, 0.2, 0.9, 0.1];
    expectClose(grpoAdvantage(g, { groupSize: 4 }), [...grpoRef(g.slice(0, 4), 1, 0), ...grpoRef(g.slice(4), 1, 0)]);
    expectClose(grpoAdvantage(g, { groupOffsets: [0, 3, 8] }), [...grpoRef(g.slice(0, 3), 1, 0), ...grpoRef(g.slice(3), 1, 0)]);
  });

  it('grpoAdvantage(rewards) near the ends of the double range equals grpoAdvantage of the rescaled rewards', () => {
    // (g − mean)/std is scale-invariant (eps = 0); the plain formulas overflow (Σg, (g − mean)²) or
    // underflow ((g − mean)² of ~1e-200 values) here and used to give zeros or ±Infinity.
    for (const [g, unit] of [
      [[1e-200, 0, 0, 3e-200], 1e-200],
      [[1e-320, 0, 0], 1e-320],
      [[1e200, 0, 0, -2e200], 1e200],
      [[1e308, 1e308, -1e308], 1e308],
      [[-1.5e308, 1.5e308, 0], 1e308],
    ] as const) {
      const scaled = g.map((x) => x / unit);
      for (const ddof of [0, 1] as const) expectClose(grpoAdvantage(g, { ddof }), grpoRef(scaled, ddof, 0), 1e-13);
      const m = mean(scaled);
      const none = grpoAdvantage(g, { normalize: 'none' });
      for (let i = 0; i < g.length; i++) expect(Math.abs(none[i]! - (scaled[i]! - m) * unit)).toBeLessThanOrEqual(1e-14 * unit);
    }
  });

  it('grpoAdvantage(rewards, { out }) writes into out and returns it', () => {
    const out = new Float64Array(R.length).fill(NaN);
    expect(grpoAdvantage(R, { out })).toBe(out);
    expectClose(out, grpoRef(R, 1, 0));
  });

  it('grpoAdvantage(rewards) reads Float32Array', () => {
    const g32 = Float32Array.from(R);
    expectClose(grpoAdvantage(g32), grpoRef(Array.from(g32), 1, 0));
  });
});

describe('rlooAdvantage', () => {
  it('rlooAdvantage(rewards) is g_i − mean of the others', () => {
    const loo = R.map((x, i) => x - mean(R.filter((_, j) => j !== i)));
    expectClose(rlooAdvantage(R), loo);
    expectClose(rlooAdvantage([1, 0, 0, 0]), [1, -1 / 3, -1 / 3, -1 / 3]);
  });

  it('rlooAdvantage(rewards) sums to 0 and is 0 on a constant group', () => {
    expect(Math.abs(rlooAdvantage(R).reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(1e-14);
    expect(Array.from(rlooAdvantage([0.4, 0.4, 0.4])).every((x) => x === 0)).toBe(true);
  });

  it('rlooAdvantage(rewards) with Σg overflowing equals the rescaled result', () => {
    const w = rlooAdvantage([1e308, 1e308, -1e308, 0]);
    // g_i − mean(g₋ᵢ) in units of 1e308: [1 − 0/3·…] = [4/3, 4/3, −4/3, 0] · 1e308 … computed exactly on the scaled values.
    const ref = rlooAdvantage([1, 1, -1, 0]).map((x) => x * 1e308);
    for (let i = 0; i < 4; i++) expect(Math.abs(w[i]! - ref[i]!)).toBeLessThanOrEqual(1e-14 * 1e308);
    expect(Array.from(rlooAdvantage([1.7e308, 1.7e308]))).toEqual([0, 0]);
  });

  it('rlooAdvantage(rewards, { groupOffsets, out }) works per group and in place', () => {
    const g = [1, 0, 0.5, 0.5, 0.25];
    const out = new Float64Array(5);
    expect(rlooAdvantage(g, { groupOffsets: [0, 2, 5], out })).toBe(out);
    expectClose(out, [...rlooAdvantage([1, 0]), ...rlooAdvantage([0.5, 0.5, 0.25])]);
  });

  it('rlooAdvantage(rewards) needs n ≥ 2 in every group', () => {
    expect(() => rlooAdvantage([1])).toThrow(DomainError);
    expect(() => rlooAdvantage([1, 0, 1], { groupOffsets: [0, 2, 3] })).toThrow(/group 1/);
  });
});
