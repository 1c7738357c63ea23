/**
 * The /eval entry inside a real eval framework (vitest-evals, installed from npm): each case runs a
 * stochastic task n times, and the scorer reports the unbiased pass@k of those trials with its
 * interval instead of vitest-evals' own one-output score.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describeEval } from 'vitest-evals';
import { trialsMajAtK, trialsPassAtK, trialsPassHatK, type TrialEstimate } from '../../src/eval/index.js';
import { mulberry32 } from '../support/prng.js';

const N = 12;
const K = 4;
// A stand-in model: answers each question correctly with a fixed probability, from a seeded stream.
const CASES = [
  { input: 'What is 2 + 2?', expected: '4', p: 0.8 },
  { input: 'What is 7 × 6?', expected: '42', p: 0.35 },
  { input: 'Capital of France?', expected: 'Paris', p: 0.55 },
];
const rng = mulberry32(2026);
function model(input: string): string {
  const c = CASES.find((x) => x.input === input)!;
  return rng() < c.p ? c.expected : `not ${c.expected} (${Math.floor(rng() * 3)})`;
}

const recorded = new Map<string, { outputs: string[]; pass: TrialEstimate; passHat: TrialEstimate; maj: TrialEstimate }>();

describeEval('repeated trials scored with the unbiased pass@k', {
  data: async () => CASES.map(({ input, expected }) => ({ input, expected })),
  // One vitest-evals task = N trials of the model; the scorer aggregates them.
  task: async (input) => JSON.stringify([...Array(N)].map(() => model(input))),
  scorers: [
    async function passAtK({ input, output, expected }: { input: string; output: string; expected: string }) {
      const outputs = JSON.parse(output) as string[];
      const trials = outputs.map((o) => o === expected);
      const pass = trialsPassAtK(trials, K);
      recorded.set(input, {
        outputs,
        pass,
        passHat: trialsPassHatK(trials, K),
        maj: trialsMajAtK(outputs.map((o) => ({ answer: o, score: o === expected })), K),
      });
      return { score: pass.value, metadata: { rationale: `pass@${K} from ${N} trials, 95 % CI [${pass.interval!.lower.toFixed(3)}, ${pass.interval!.upper.toFixed(3)}]` } };
    },
  ],
  threshold: 0.5,
});

describe('what the scorer reported', () => {
  afterAll(() => recorded.clear());
  it('is C(n, k)-exact per case: 1 − C(n−c, k)/C(n, k), not the naive any-of-n', () => {
    expect(recorded.size).toBe(CASES.length);
    const binom = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 ? 1 : (binom(n - 1, k - 1) * n) / k);
    for (const [input, r] of recorded) {
      const c = r.outputs.filter((o) => o === CASES.find((x) => x.input === input)!.expected).length;
      expect(r.pass.passed).toBe(c);
      expect(r.pass.value).toBeCloseTo(1 - binom(N - c, K) / binom(N, K), 14);
      expect(r.passHat.value).toBeCloseTo(binom(c, K) / binom(N, K), 14);
      expect(r.pass.interval!.lower).toBeLessThanOrEqual(r.pass.value);
      expect(r.pass.interval!.upper).toBeGreaterThanOrEqual(r.pass.value);
      expect(r.maj.interval?.method).toBe('jackknife-t');
    }
    // The naive rule (any of the n trials passed) says 1 for every case with one success; the unbiased
    // pass@4 of the hard case is well below that.
    const hard = recorded.get('What is 7 × 6?')!;
    expect(hard.pass.value).toBeLessThan(0.99);
  });
});
