/**
 * The typed estimator registry: entries equal the direct calls, unknown names and missing inputs throw
 * typed errors that name what is wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  chenPassAtKAdvantage,
  estimatorNames,
  estimators,
  getEstimator,
  grpoAdvantage,
  InvalidArgumentError,
  maxAtK,
  maxAtKAdvantage,
  passAtK,
  passAtKAdvantage,
  rlooAdvantage,
  type EstimatorInputs,
} from '../../src/index.js';

const BIN = [1, 0, 0, 1, 0, 1, 0, 0];
const REAL = [0.1, 0.7, 0.3, 0.9, 0.5, -0.2, 0.7, 0];

describe('getEstimator', () => {
  it("getEstimator('pass@k') weights and metric equal passAtKAdvantage and passAtK", () => {
    const est = getEstimator('pass@k');
    expect(est.name).toBe('pass@k');
    expect(est.inputs).toEqual(['rewards', 'k']);
    for (const baseline of ['none', 'loo', 'loo-pkpo', 'loo-1'] as const) {
      expect(est.weights({ rewards: BIN, k: 3 }, { baseline })).toEqual(passAtKAdvantage(BIN, 3, { baseline }));
    }
    expect(est.weights({ rewards: BIN, k: 2 }, { groupSize: 4, scale: 'mean' })).toEqual(
      passAtKAdvantage(BIN, 2, { groupSize: 4, scale: 'mean' }),
    );
    const rho = est.metric!({ rewards: BIN, k: 3 });
    expect(Math.abs((rho as number) - passAtK(8, 3, 3))).toBeLessThanOrEqual(1e-15);
    expect(est.metric!({ rewards: BIN, k: 2 }, { groupSize: 4 })).toEqual(maxAtK(BIN, 2, { groupSize: 4 }));
  });

  it("getEstimator('max@k') weights and metric equal maxAtKAdvantage and maxAtK", () => {
    const est = getEstimator('max@k');
    expect(est.weights({ rewards: REAL, k: 2 })).toEqual(maxAtKAdvantage(REAL, 2));
    expect(est.weights({ rewards: REAL, k: 2 }, { baseline: 'loo', groupOffsets: [0, 5, 8] })).toEqual(
      maxAtKAdvantage(REAL, 2, { baseline: 'loo', groupOffsets: [0, 5, 8] }),
    );
    expect(est.metric!({ rewards: REAL, k: 2 })).toBe(maxAtK(REAL, 2));
  });

  it("getEstimator('chen-pass@k'), getEstimator('grpo'), getEstimator('rloo') equal the direct calls", () => {
    expect(getEstimator('chen-pass@k').weights({ rewards: BIN, k: 2 })).toEqual(chenPassAtKAdvantage(BIN, 2));
    expect(getEstimator('grpo').weights({ rewards: REAL }, { ddof: 0, eps: 1e-4 })).toEqual(grpoAdvantage(REAL, { ddof: 0, eps: 1e-4 }));
    expect(getEstimator('grpo').weights({ rewards: REAL, k: 99 })).toEqual(grpoAdvantage(REAL));
    expect(getEstimator('rloo').weights({ rewards: REAL }, { groupSize: 4 })).toEqual(rlooAdvantage(REAL, { groupSize: 4 }));
  });

  it('getEstimator(nameFromConfig) works with a runtime string and validates options at run time', () => {
    const config = JSON.parse('{"estimator": "pass@k", "options": {"baseline": "loo"}}') as { estimator: string; options: object };
    const est = getEstimator(config.estimator);
    expect(est.weights({ rewards: BIN, k: 2 }, config.options)).toEqual(passAtKAdvantage(BIN, 2, { baseline: 'loo' }));
    expect(() => est.weights({ rewards: BIN, k: 2 }, { baselne: 'loo' })).toThrow(InvalidArgumentError);
    expect(() => est.weights({ rewards: BIN, k: 2 }, { baseline: 'lo1' })).toThrow(/opts\.baseline must be one of/);
  });

  it('getEstimator(unknown) throws InvalidArgumentError naming the known estimators', () => {
    for (const bad of ['pass@K', 'passAtK', '', 'toString', '__proto__', 'constructor']) {
      let error: unknown;
      try {
        getEstimator(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(InvalidArgumentError);
      const message = (error as Error).message;
      expect(message).toContain(`name must be a registered estimator (got ${JSON.stringify(bad)}; known: `);
      for (const name of estimatorNames) expect(message).toContain(name);
    }
    expect(() => getEstimator(3 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('estimator.weights(inputs) with a missing input throws InvalidArgumentError naming the field', () => {
    expect(() => getEstimator('pass@k').weights({ k: 2 } as unknown as EstimatorInputs)).toThrow(
      "estimator 'pass@k' needs inputs.rewards (got undefined)",
    );
    expect(() => getEstimator('max@k').weights({ rewards: REAL })).toThrow("estimator 'max@k' needs inputs.k (got undefined)");
    expect(() => getEstimator('max@k').metric!({ rewards: REAL })).toThrow("estimator 'max@k' needs inputs.k (got undefined)");
    expect(() => getEstimator('grpo').weights({ rewards: null } as unknown as EstimatorInputs)).toThrow(
      "estimator 'grpo' needs inputs.rewards (got null)",
    );
    let error: unknown;
    try {
      getEstimator('rloo').weights(null as unknown as EstimatorInputs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).message).toBe("inputs of estimator 'rloo' must be an object (got null)");
    // Inputs that are present but invalid are the estimator's own errors.
    expect(() => getEstimator('pass@k').weights({ rewards: BIN, k: 9 })).toThrow('k must be ≤ n (got k=9, n=8)');
  });

  it('estimators lists every entry under its own name with its inputs, description and reference', () => {
    expect(estimatorNames).toEqual(Object.keys(estimators));
    for (const name of ['pass@k', 'max@k', 'chen-pass@k', 'grpo', 'rloo']) expect(estimatorNames).toContain(name);
    for (const name of estimatorNames) {
      const entry = getEstimator(name);
      expect(entry).toBe(estimators[name]);
      expect(entry.name).toBe(name);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.reference.length).toBeGreaterThan(5);
      expect(entry.inputs.length).toBeGreaterThan(0);
      expect(typeof entry.weights).toBe('function');
    }
  });
});
