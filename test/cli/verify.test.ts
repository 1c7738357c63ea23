/**
 * `inference-aware-rl verify`: passes on the library's own weights under every preset and convention,
 * names the convention that explains a dump, and fails (exit 1) on the planted trainer mistakes of
 * test/fixtures/verify/ (EasyR1#585, rllm#743), saying which mistake reproduces them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runVerify, type VerifyReport } from '../../src/cli/verify.js';
import { maxAtKAdvantage, passAtKAdvantage } from '../../src/index.js';
import { BASELINES, type Baseline } from '../../src/estimators/weights.js';
import { Q, bruteBaselined, maxObjective, qsum } from '../oracle/rational.js';
import { mulberry32 } from '../support/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'iarl-verify-'));
let count = 0;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runVerify(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stderrIsTTY: false });
  return { code, out, err };
}

async function report(args: string[]): Promise<{ code: number; r: VerifyReport }> {
  const x = await run([...args, '--json']);
  expect(x.err).toBe('');
  return { code: x.code, r: JSON.parse(x.out) as VerifyReport };
}

function std(x: readonly number[], ddof: number): number {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - ddof));
}

interface DumpSpec {
  groups: number[][];
  weights: (g: number[]) => Float64Array;
  normalize?: { ddof: number; eps: number };
  fields?: { group: string | null; reward: string; advantage: string };
  perToken?: boolean;
}

function dump(spec: DumpSpec): string {
  const f = spec.fields ?? { group: 'uid', reward: 'score', advantage: 'advantage' };
  const lines: string[] = [];
  spec.groups.forEach((g, b) => {
    const w = spec.weights(g);
    const d = spec.normalize === undefined ? 1 : std(g, spec.normalize.ddof) + spec.normalize.eps;
    g.forEach((r, i) => {
      const a = Math.fround((w[i] as number) / d); // trainers dump float32
      const rec: Record<string, unknown> = { [f.reward]: r, [f.advantage]: spec.perToken === true ? [a, a, a] : a };
      if (f.group !== null) rec[f.group] = `prompt-${b}`;
      lines.push(JSON.stringify(rec));
    });
  });
  const path = join(dir, `dump-${count++}.jsonl`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const rng = mulberry32(17);
const binaryGroups = (n: number, b: number) => [...Array(b)].map(() => [...Array(n)].map(() => (rng() < 0.4 ? 1 : 0)));
const realGroups = (n: number, b: number) => [...Array(b)].map(() => [...Array(n)].map(() => Math.round(rng() * 100) / 100));

describe('verify on the library\'s own weights', () => {
  it.each(BASELINES)("pass@k '%s' × n / (std + 1e-6) under --preset verl: MATCH, exit 0", async (baseline) => {
    const path = dump({
      groups: binaryGroups(8, 6),
      weights: (g) => passAtKAdvantage(g, 4, { baseline, scale: 'mean' }),
      normalize: { ddof: 1, eps: 1e-6 },
    });
    const { code, r } = await report([path, '--estimator', 'pass@k', '--k', '4', '--preset', 'verl', '--baseline', baseline]);
    expect(code).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.reported.name).toBe(`pass@k ${baseline} × n / (std + 0.000001, ddof 1)`);
    expect(r.reported.groupsOk).toBe(6);
  });

  it.each(BASELINES)("max@k '%s' × n / (std + 1e-4) under --preset trl (consecutive groups): MATCH", async (baseline) => {
    const path = dump({
      groups: realGroups(6, 5),
      weights: (g) => maxAtKAdvantage(g, 3, { baseline, scale: 'mean' }),
      normalize: { ddof: 1, eps: 1e-4 },
      fields: { group: null, reward: 'reward', advantage: 'advantage' },
    });
    const { code, r } = await report([path, '--estimator', 'max@k', '--k', '3', '--preset', 'trl', '--group-size', '6', '--baseline', baseline]);
    expect(code).toBe(0);
    expect(r.groups).toBe(5);
    expect(r.reported.name).toBe(`max@k ${baseline} × n / (std + 0.0001, ddof 1)`);
  });

  it('names the convention of an unlabelled dump (sum scale, no normalisation, per-token advantages)', async () => {
    const path = dump({ groups: realGroups(5, 4), weights: (g) => maxAtKAdvantage(g, 2, { baseline: 'loo-pkpo' }), perToken: true });
    const { code, r } = await report([path, '--estimator', 'max@k', '--k', '2']);
    expect(code).toBe(0);
    expect(r.matches[0]?.name).toBe('max@k loo-pkpo');
  });

  it('a dump in another convention than the expected one: MISMATCH (exit 1), and the convention that explains it', async () => {
    const path = dump({ groups: binaryGroups(8, 4).map((g) => [1, 0, ...g.slice(2)]), weights: (g) => passAtKAdvantage(g, 2, { baseline: 'loo', scale: 'sum' }) });
    const x = await run([path, '--estimator', 'pass@k', '--k', '2', '--preset', 'verl']);
    expect(x.code).toBe(1);
    expect(x.out).toContain('explained by: pass@k loo (max abs error');
    expect(x.out).toMatch(/MISMATCH: 0 of 4 groups agree with pass@k \S+ × n \/ \(std \+ 0\.000001, ddof 1\)/);
  });
});

describe('verify on the planted mistakes', () => {
  it('verl GRPO_PASSK (the correct zeros) matches max@k at k = n, loo-1, / (std + 1e-6)', async () => {
    const { code, r } = await report(['test/fixtures/verify/verl-grpo-passk.jsonl', '--estimator', 'max@k', '--k', 'n', '--preset', 'verl', '--scale', 'sum', '--baseline', 'loo-1']);
    expect(code).toBe(0);
    expect(r.reported.name).toBe('max@k loo-1 / (std + 0.000001, ddof 1)');
  });

  it('EasyR1#585 (non-best responses not zeroed): MISMATCH, reproduced by that mistake', async () => {
    const x = await run(['test/fixtures/verify/easyr1-585-grpo-passk.jsonl', '--estimator', 'max@k', '--k', 'n', '--preset', 'verl', '--scale', 'sum', '--baseline', 'loo-1']);
    expect(x.code).toBe(1);
    expect(x.out).toContain('explained by: no convention');
    expect(x.out).toContain('reproduced by a known mistake: max@k loo-1 / (std + 0.000001, ddof 1) on the best sample, the raw reward left on all others (EasyR1#585');
    expect(x.out).toMatch(/MISMATCH: 1 of 4 groups agree/); // only the group whose other rewards are all 0
  });

  it("rllm#743 (mean-centred s_i): MISMATCH with 'loo', reproduced as loo × (n − k)/n", async () => {
    const x = await run(['test/fixtures/verify/rllm-743-pkpo.jsonl', '--estimator', 'max@k', '--k', '2', '--baseline', 'loo']);
    expect(x.code).toBe(1);
    expect(x.out).toContain("reproduced by a known mistake: max@k none, minus the group mean of those weights (rllm#743's mean-centring");
  });

  it("mean-centring s_i is exactly the 'loo' weights × (n − k)/n (BigInt rationals, all small n, k)", () => {
    for (let n = 2; n <= 7; n++) {
      for (let k = 1; k <= n; k++) {
        const g = [...Array(n)].map((_, i) => Q.int((i * 7 + 3) % 5));
        const f = maxObjective(g);
        const none = bruteBaselined(n, k, f, 'none');
        const mean = qsum(none).div(Q.int(n));
        const loo = k < n ? bruteBaselined(n, k, f, 'loo') : none.map(() => Q.zero);
        none.forEach((s, i) => {
          const centred = s.sub(mean);
          const scaled = loo[i]!.mul(Q.int(n - k)).div(Q.int(n));
          expect(centred.sub(scaled).isZero(), `n=${n} k=${k} i=${i}`).toBe(true);
        });
      }
    }
  });
});

describe('verify: bad input and usage', () => {
  it('exit 2 with the reason on a bad command line', async () => {
    for (const [args, msg] of [
      [['d.jsonl'], '--estimator must be one of pass@k, max@k, grpo, rloo (got none)'],
      [['d.jsonl', '--estimator', 'pass@k'], '--estimator pass@k needs --k'],
      [['d.jsonl', '--estimator', 'pass@k', '--k', '0'], '--k must be an integer ≥ 1 or "n" (got "0")'],
      [['d.jsonl', '--estimator', 'pass@k', '--k', '2', '--preset', 'openrlhf'], '--preset must be verl or trl (got "openrlhf")'],
      [['d.jsonl', '--estimator', 'pass@k', '--k', '2', '--preset', 'trl'], '--preset trl needs --group-size (TRL groups num_generations consecutive rows)'],
      [['d.jsonl', '--estimator', 'grpo', '--k', '2'], '--k applies to pass@k and max@k only (got --estimator grpo)'],
    ] as const) {
      const x = await run([...args]);
      expect(x.code, args.join(' ')).toBe(2);
      expect(x.err.split('\n')[0]).toBe(`error: ${msg}`);
    }
  });

  it('exit 1 on bad dumps, naming the line', async () => {
    const file = (text: string) => {
      const p = join(dir, `bad-${count++}.jsonl`);
      writeFileSync(p, text);
      return p;
    };
    const cases: [string, string][] = [
      ['', 'empty input (no rows)'],
      ['{"uid":"a","score":1}\n', ':1: no advantage field (looked for advantage, advantages)'],
      ['{"uid":"a","score":1,"advantage":[0.1,0.2]}\n', ':1: advantage field "advantage" is an array whose values differ; verify checks outcome (per-sample) advantages'],
      ['{"score":1,"advantage":0}\n', ':1: no group id field (looked for uid, group, prompt_id, task_id; or give --group-size)'],
      ['{"uid":"a","score":"x","advantage":0}\n', ':1: reward field "score" must be a finite number or true/false'],
    ];
    for (const [text, msg] of cases) {
      const p = file(text);
      const x = await run([p, '--estimator', 'pass@k', '--k', '1']);
      expect(x.code).toBe(1);
      expect(x.err).toBe(`error: ${p}${msg.startsWith(':') ? '' : ': '}${msg}\n`);
    }
  });

  it('random binary dumps of the library round-trip under every baseline and scale (property test)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 9 }), fc.constantFrom<Baseline>(...BASELINES), fc.constantFrom('sum', 'mean' as const), fc.integer({ min: 0, max: 1 << 30 }), async (n, baseline, scale, seed) => {
        const r = mulberry32(seed);
        const k = 1 + Math.floor(r() * (n - 1));
        const groups = [...Array(3)].map(() => [...Array(n)].map(() => (r() < 0.5 ? 1 : 0)));
        const path = dump({ groups, weights: (g) => passAtKAdvantage(g, k, { baseline, scale }) });
        const x = await run([path, '--estimator', 'pass@k', '--k', String(k), '--baseline', baseline, '--scale', scale, '--normalize', 'none']);
        expect(x.code, x.out).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
