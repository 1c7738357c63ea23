/** mixAdvantages and kSchedule: values, linearity and typed errors. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeError, kSchedule, mixAdvantages, passAtKAdvantage } from '../../src/index.js';

describe('mixAdvantages', () => {
  const g = [1, 1, 0, 0, 0, 0, 0, 0];
  it('mixAdvantages(terms) is Σ λ_j w^(j), element by element', () => {
    const a = passAtKAdvantage(g, 1);
    const b = passAtKAdvantage(g, 4);
    const m = mixAdvantages([{ weight: 0.25, advantages: a, scale: 'sum' }, { weight: 0.75, advantages: b, scale: 'sum' }]);
    for (let i = 0; i < g.length; i++) expect(m[i]).toBeCloseTo(0.25 * a[i]! + 0.75 * b[i]!, 15);
    const out = new Float64Array(8);
    expect(mixAdvantages([{ weight: 2, advantages: a, scale: 'mean' }], { out })).toBe(out);
  });

  it('mixAdvantages refuses mixed scales, ragged lengths, non-finite weights and empty input', () => {
    const a = passAtKAdvantage(g, 1);
    const b = passAtKAdvantage(g, 4, { scale: 'mean' });
    expect(() => mixAdvantages([{ weight: 1, advantages: a, scale: 'sum' }, { weight: 1, advantages: b, scale: 'mean' }])).toThrow(
      "every term must use the same scale (got 'sum' for terms[0] and 'mean' for terms[1])",
    );
    expect(() => mixAdvantages([{ weight: 1, advantages: a } as never])).toThrow('terms[0].scale is required');
    expect(() => mixAdvantages([{ weight: 1, advantages: a, scale: 'sum' }, { weight: 1, advantages: [1], scale: 'sum' }])).toThrow(ShapeError);
    expect(() => mixAdvantages([{ weight: NaN, advantages: a, scale: 'sum' }])).toThrow(NonFiniteError);
    expect(() => mixAdvantages([{ weight: 1, advantages: [1, NaN], scale: 'sum' }])).toThrow('terms[0].advantages must be finite (got NaN at index 1)');
    expect(() => mixAdvantages([])).toThrow(ShapeError);
    expect(() => mixAdvantages([{ weight: 1, advantages: a, scale: 'sum', lambda: 1 } as never])).toThrow(InvalidArgumentError);
  });
});

describe('kSchedule', () => {
  it('kSchedule(phases)(step) walks the phases in order and stays on the last', () => {
    const kAt = kSchedule([{ k: 8, steps: 3 }, { k: 4, steps: 2 }, { k: 1 }]);
    expect([0, 1, 2, 3, 4, 5, 1e6].map(kAt)).toEqual([8, 8, 8, 4, 4, 1, 1]);
    const bounded = kSchedule([{ k: 2, steps: 2 }]);
    expect(() => bounded(2)).toThrow('step must be < 2, the end of the last phase (got step=2)');
  });

  it('kSchedule throws typed errors for bad phases and steps', () => {
    expect(() => kSchedule([])).toThrow(ShapeError);
    expect(() => kSchedule([{ k: 8 }, { k: 1 }])).toThrow('phases[0].steps is required on every phase but the last');
    expect(() => kSchedule([{ k: 0 }])).toThrow('phases[0].k must be ≥ 1');
    expect(() => kSchedule([{ k: 2, steps: 1.5 }])).toThrow('phases[0].steps must be an integer');
    expect(() => kSchedule([{ k: 1 }])(-1)).toThrow('step must be ≥ 0');
  });
});
