import { expect, it } from 'vitest';
import { maxAtKAdvantage } from '../../src/index.js';
import { createWorkerPool } from '../../src/pool/index.js';
it('smoke', async () => {
  const pool = createWorkerPool({ workers: 2, inlineBelow: 0 });
  const g = Float64Array.from({ length: 64 * 100 }, (_, i) => Math.sin(i * 1.7));
  const w = await pool.maxAtKAdvantage(g, 8, { groupSize: 64 });
  const d = maxAtKAdvantage(g, 8, { groupSize: 64 });
  expect(w.every((x, i) => Object.is(x, d[i]))).toBe(true);
  await expect(pool.maxAtKAdvantage(g, 80, { groupSize: 64 })).rejects.toThrow(/k must be/);
  await pool.close();
});
