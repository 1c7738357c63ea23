import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

interface Stat {
  method: string;
  pass1: [number, number];
  passK: [number, number];
  majK: [number, number];
  bonK: [number, number];
  /** Probability on candidates 1–4 and on the wrong answers. */
  mass: [number, number][];
}

// One subprocess run of the demo's --quick mode (3 seeds); the assertions are directions that hold with
// a wide margin on every seed tried (docs/demo.md), never exact numbers.
function runQuick(): { k: number; summaries: Stat[] } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'demo/bandit/run.ts', '--quick', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as { k: number; summaries: Stat[] };
}

describe('npm run demo -- --quick', () => {
  let result: { k: number; summaries: Stat[] } = { k: 0, summaries: [] };
  beforeAll(() => {
    result = runQuick();
  }, 120_000);
  const row = (label: string): Stat => {
    const r = result.summaries.find((s) => s.method === label);
    if (r === undefined) throw new Error(`no row ${label} in ${result.summaries.map((s) => s.method).join(', ')}`);
    return r;
  };

  it('trains every objective and reports pass@1, pass@k, maj@k and BoN@k in [0, 1]', () => {
    expect(result.k).toBe(8);
    expect(result.summaries.map((s) => s.method)).toEqual([
      'initial policy',
      'mean reward (GRPO)',
      'mean reward (RLOO)',
      'pass@k (loo-1)',
      'maj@k (loo-1)',
      'BoN@k (loo-1)',
      'SFT (expert demos)',
      'BoN-SFT (expert demos)',
      'BOND distillation',
      'pass@k (loo-1) via tfjs adapter',
    ]);
    for (const s of result.summaries) {
      for (const [m, sd] of [s.pass1, s.passK, s.majK, s.bonK]) {
        expect(m).toBeGreaterThanOrEqual(0);
        expect(m).toBeLessThanOrEqual(1);
        expect(sd).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('pass@k-trained beats mean-trained on pass@k, and pays for it in pass@1 (Tang et al.)', () => {
    const passk = row('pass@k (loo-1)');
    const [grpo, mean] = [row('mean reward (GRPO)'), row('mean reward (RLOO)')];
    for (const m of [mean, grpo]) {
      expect(passk.passK[0]).toBeGreaterThan(m.passK[0] + 0.1);
      expect(passk.pass1[0]).toBeLessThan(m.pass1[0]);
    }
  });

  it('BoN-aware training beats mean-reward training on best-of-N accuracy (Chow et al.)', () => {
    const bon = row('BoN@k (loo-1)');
    const [grpo, mean] = [row('mean reward (GRPO)'), row('mean reward (RLOO)')];
    for (const m of [mean, grpo]) expect(bon.bonK[0]).toBeGreaterThan(m.bonK[0] + 0.03);
  });

  it("Chow et al.'s BoN-SFT beats the initial policy on BoN@k and avoids the over-rated answer that BOND distillation collapses onto", () => {
    const bonSft = row('BoN-SFT (expert demos)');
    const bond = row('BOND distillation');
    expect(bonSft.bonK[0]).toBeGreaterThan(row('initial policy').bonK[0] + 0.1);
    expect(bonSft.bonK[0]).toBeGreaterThan(bond.bonK[0] + 0.1);
    // candidate 3 is the one the verifier over-rates
    expect(bonSft.mass[2]![0]).toBeLessThan(bond.mass[2]![0] - 0.5);
    expect(bonSft.mass[2]![0]).toBeLessThan(row('SFT (expert demos)').mass[2]![0]);
  });

  it('the tfjs-adapter run of pass@k matches the plain-TS run (same samples, same estimator)', () => {
    const passk = row('pass@k (loo-1)');
    const tf = row('pass@k (loo-1) via tfjs adapter');
    expect(Math.abs(tf.passK[0] - passk.passK[0])).toBeLessThan(0.02);
    expect(Math.abs(tf.pass1[0] - passk.pass1[0])).toBeLessThan(0.02);
  });
});
