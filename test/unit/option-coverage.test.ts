/**
 * Every option of every public estimator is honoured or refused, never silently ignored: for each
 * function of the hostile-input table, the keys it accepts are read from its own unknown-key error
 * ("options: …"), and each key is then given a value of the wrong type; the call must throw a typed
 * error naming that option. A key whose bad value passes is an option the function would ignore.
 */
import { describe, expect, it } from 'vitest';
import { InferenceAwareRLError } from '../../src/index.js';
import { FUNCTIONS, type FnSpec } from '../support/hostile.js';

/** The option keys `fn` accepts, from the message of the error an unknown key raises. */
function acceptedKeys(fn: FnSpec): string[] {
  const args = fn.args.map((a) => a.valid);
  const base = fn.baseOpts?.(args) ?? {};
  try {
    fn.call(args, { ...base, notAnOption: 1 });
  } catch (e) {
    const m = /\(options: ([^)]*)\)/.exec((e as Error).message);
    if (m) return m[1]!.split(', ');
    throw e;
  }
  throw new Error(`${fn.name} accepted an unknown option key`);
}

/** A value no option accepts: a Symbol is neither a number, a string, an array nor a typed array. */
const BAD = Symbol('bad');

const WITH_OPTIONS = FUNCTIONS.filter((f) => f.opts !== 'none');

/**
 * Functions with options that are not estimators of an objective, and so take no `backend`: the
 * majority argmax, the combiner of weight vectors, TTRL's reward labelling and the eval trial tables.
 */
const NOT_ESTIMATORS = new Set(['majorityAnswer', 'mixAdvantages', 'mixWeights', 'majorityPseudoRewards', 'trialsPassAtK', 'trialsPassHatK', 'trialsMean', 'trialsMajAtK']);

describe('one backend rule', () => {
  for (const fn of WITH_OPTIONS.filter((f) => !NOT_ESTIMATORS.has(f.name))) {
    it(`${fn.name} accepts opts.backend (checked; same code on every backend when it has no kernels)`, () => {
      expect(acceptedKeys(fn)).toContain('backend');
      const args = fn.args.map((a) => a.valid);
      const layout = fn.opts === 'batched' ? { groupSize: 3 } : {};
      expect(() => fn.call(args, { ...(fn.baseOpts?.(args) ?? {}), ...layout, backend: 'js' })).not.toThrow();
    });
  }
});

describe('every option is honoured or refused', () => {
  for (const fn of WITH_OPTIONS) {
    describe(fn.name, () => {
      const keys = acceptedKeys(fn);
      it('lists its options in the unknown-key error', () => {
        expect(keys.length).toBeGreaterThan(0);
      });
      for (const key of keys) {
        for (const batched of [false, true]) {
          if (batched && !(fn.opts === 'batched')) continue;
          if (batched && (key === 'groupSize' || key === 'groupOffsets')) continue;
          it(`refuses a bad opts.${key}${batched ? ' (batched)' : ''}`, () => {
            const args = batched ? fn.args.map((a) => a.valid) : (fn.unbatchedArgs ?? fn.args.map((a) => a.valid));
            const base = { ...(fn.baseOpts?.(args) ?? {}), ...(batched ? { groupSize: 3 } : {}) };
            let thrown: unknown;
            try {
              fn.call(args, { ...base, [key]: BAD });
            } catch (e) {
              thrown = e;
            }
            expect(thrown, `opts.${key} = Symbol was accepted`).toBeInstanceOf(InferenceAwareRLError);
            expect((thrown as InferenceAwareRLError).argument).toBe(`opts.${key}`);
          });
        }
      }
    });
  }
});
