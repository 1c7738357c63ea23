/**
 * The naming rule (CONTRIBUTING.md, "Names"): per-sample gradient weights are `*Weights` in the core,
 * the tfjs adapters and the registry (`weights()`). The old `*Advantage` names stay exported as
 * deprecated aliases: each must be the very same function as its new name, from the package root and
 * from the family file.
 */
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as tfjs from '../../src/tfjs/index.js';

const RENAMED: readonly (readonly [string, string])[] = [
  ['passAtKAdvantage', 'passAtKWeights'],
  ['chenPassAtKAdvantage', 'chenPassAtKWeights'],
  ['maxAtKAdvantage', 'maxAtKWeights'],
  ['bestOfNAdvantage', 'bestOfNWeights'],
  ['bonRlBinaryAdvantage', 'bonRlBinaryWeights'],
  ['majorityVoteAdvantage', 'majorityVoteWeights'],
  ['passHatKAdvantage', 'passHatKWeights'],
  ['orderStatisticAdvantage', 'orderStatisticWeights'],
  ['kSampleAdvantage', 'kSampleWeights'],
  ['grpoAdvantage', 'grpoWeights'],
  ['rlooAdvantage', 'rlooWeights'],
];

describe('deprecated names', () => {
  for (const [old, name] of RENAMED) {
    it(`${old} is ${name}`, () => {
      const r = root as unknown as Record<string, unknown>;
      expect(typeof r[name]).toBe('function');
      expect(r[old]).toBe(r[name]);
    });
  }

  it('tfjs bestOfNDistillationTargets is bestOfNDistillationWeights', () => {
    expect(tfjs.bestOfNDistillationTargets).toBe(tfjs.bestOfNDistillationWeights);
  });

  it('no public function of the root is named *Advantage except the deprecated aliases and mixAdvantages', () => {
    const advantage = Object.keys(root).filter((k) => /Advantages?$/.test(k));
    expect(advantage.sort()).toEqual([...RENAMED.map(([old]) => old), 'mixAdvantages'].sort());
  });
});
