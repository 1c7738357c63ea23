import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench, type BenchReport } from '../../bench/harness.js';

const outDir = mkdtempSync(join(tmpdir(), 'iarl-bench-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function sumTo(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i);
  return s;
}

describe('runBench', () => {
  it('runBench(name, groups, { quick, outDir }) writes <name>.quick.json with machine info, stats and ratios', async () => {
    const seen: unknown[] = [];
    const report = await runBench(
      'synthetic',
      [
        {
          title: 'sqrt sums',
          baseline: 'small',
          elements: 1000,
          cases: [
            { name: 'small', fn: () => sumTo(1000), check: (r) => seen.push(r) },
            { name: 'large', fn: () => sumTo(20_000), bytes: 8000 },
          ],
        },
      ],
      { quick: true, outDir, print: false },
    );
    const json = JSON.parse(readFileSync(join(outDir, 'synthetic.quick.json'), 'utf8')) as BenchReport;
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    expect(json.name).toBe('synthetic');
    expect(json.quick).toBe(true);
    expect(json.machine.node).toBe(process.version);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(typeof json.machine.cpu).toBe('string');
    expect(Number.isNaN(Date.parse(json.machine.date))).toBe(false);
    expect(json.groups).toHaveLength(1);
    const group = json.groups[0]!;
    expect(group.baseline).toBe('small');
    expect(group.cases.map((c) => c.name)).toEqual(['small', 'large']);
    const [small, large] = group.cases as [BenchReport['groups'][0]['cases'][0], BenchReport['groups'][0]['cases'][0]];
    expect(small.ratio).toBe(1);
    expect(large.ratio).toBeCloseTo(large.medianMs / small.medianMs, 12);
    expect(large.speedup).toBeCloseTo(small.medianMs / large.medianMs, 12);
    for (const c of group.cases) {
      expect(c.samples).toBe(2);
      expect(c.sampleMs).toHaveLength(2);
      expect(c.minMs).toBeLessThanOrEqual(c.medianMs);
      expect(c.medianMs).toBeLessThanOrEqual(c.maxMs);
      expect(c.medianMs).toBeGreaterThan(0);
      expect(c.relMad).toBeGreaterThanOrEqual(0);
    }
    // Group-level elements apply to every case; case-level bytes only to its case.
    expect(small.elements).toBe(1000);
    expect(large.elements).toBe(1000);
    expect(small.gbPerS).toBeUndefined();
    expect(large.gbPerS).toBeCloseTo(8000 / (large.medianMs * 1e6), 12);
    // check ran on every iteration of the case that has one: 1 warm-up + 2 samples × 1 iteration.
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe(sumTo(1000));
    expect(group.markdown).toContain('| **small** |');
    expect(group.markdown).toContain('time ÷ small');
  });

  it('runBench rejects a group whose baseline names no case', async () => {
    await expect(
      runBench('bad', [{ title: 't', baseline: 'nope', cases: [{ name: 'a', fn: () => 1 }] }], { quick: true, outDir, print: false }),
    ).rejects.toThrow(/baseline "nope"/);
  });

  it('runBench propagates a failing check', async () => {
    const failing = {
      name: 'a',
      fn: () => 1,
      check: () => {
        throw new Error('wrong result');
      },
    };
    await expect(runBench('bad', [{ title: 't', baseline: 'a', cases: [failing] }], { quick: true, outDir, print: false })).rejects.toThrow(
      'wrong result',
    );
  });

  it('times an async case by awaiting each iteration: its check sees the resolved value, and can fail', async () => {
    const seen: unknown[] = [];
    let inFlight = 0;
    const slow = {
      name: 'async',
      async: true,
      fn: async () => {
        inFlight++;
        if (inFlight > 1) throw new Error('iterations overlapped');
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return 42;
      },
      check: (r: unknown) => void seen.push(r),
    };
    const report = await runBench('async', [{ title: 't', baseline: 'async', cases: [slow] }], { quick: true, outDir, print: false });
    expect(seen).toEqual([42, 42, 42]);
    expect(report.groups[0]!.cases[0]!.medianMs).toBeGreaterThanOrEqual(1.5);
    const failing = { ...slow, check: () => { throw new Error('wrong async result'); } };
    await expect(runBench('bad', [{ title: 't', baseline: 'async', cases: [failing] }], { quick: true, outDir, print: false })).rejects.toThrow(
      'wrong async result',
    );
  });
});
