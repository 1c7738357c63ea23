/** tfjs adapters of order statistics and pass^k: the core's weights per row, and the one-call losses. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, orderStatisticAdvantage, passHatKAdvantage } from '../../src/index.js';
import {
  orderStatisticLoss,
  orderStatisticWeights,
  passHatKLoss,
  passHatKWeights,
  policyGradientLoss,
} from '../../src/tfjs/index.js';
import { BACKENDS, useBackend } from './setup.js';

for (const backend of BACKENDS) {
  describe(`order statistics / pass^k on tfjs (${backend})`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('orderStatisticWeights / passHatKWeights equal the core weights of each row (float32)', () => {
      const g = [[0.1, 0.7, 0.3, 0.9, 0.5], [1, -1, 0.5, 0.5, 2]];
      const w = orderStatisticWeights(tf.tensor2d(g), 3, 'median', { baseline: 'loo' });
      const core = orderStatisticAdvantage(Float32Array.from(g.flat()), 3, 'median', { baseline: 'loo', groupSize: 5 });
      expect(Array.from(w.dataSync())).toEqual(Array.from(Float32Array.from(core)));
      const b = [[1, 1, 1, 0], [1, 1, 1, 1]];
      const p = passHatKWeights(tf.tensor2d(b), 2, { baseline: 'none' });
      expect(Array.from(p.dataSync())).toEqual(Array.from(Float32Array.from(passHatKAdvantage(b.flat(), 2, { baseline: 'none', groupSize: 4 }))));
      tf.dispose([w, p]);
    });

    it('orderStatisticLoss / passHatKLoss equal policyGradientLoss with the same weights, and leak no tensors', () => {
      const lp = tf.tensor2d([[-0.5, -1], [-0.2, -0.3], [-1.5, -0.1], [-0.7, -0.9]]);
      const rewards = tf.tensor2d([[0.2, 0.9], [0.5, 0.1]]);
      const before = tf.memory().numTensors;
      const a = orderStatisticLoss(lp, rewards, 2, 'min', { baseline: 'none' });
      const w = orderStatisticWeights(rewards, 2, 'min', { baseline: 'none' });
      const b = policyGradientLoss({ logProbs: lp, weights: w });
      expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0]!, 6);
      tf.dispose([a, b, w]);
      const bin = tf.tensor2d([[1, 0], [1, 1]]);
      const c = passHatKLoss(lp, bin, 1, { baseline: 'loo', normalize: 'sum' });
      const wc = passHatKWeights(bin, 1, { baseline: 'loo' });
      const d = policyGradientLoss({ logProbs: lp, weights: wc, normalize: 'sum' });
      expect(c.dataSync()[0]).toBeCloseTo(d.dataSync()[0]!, 6);
      tf.dispose([c, d, wc, bin]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([lp, rewards]);
    });

    it('orderStatisticWeights refuses layout options (the rows are the groups)', () => {
      const r = tf.tensor2d([[1, 0]]);
      expect(() => orderStatisticWeights(r, 1, 'max', { groupSize: 2 } as never)).toThrow(InvalidArgumentError);
      expect(() => passHatKWeights(r, 1, { groupOffsets: [0, 2] } as never)).toThrow('opts.groupOffsets is not an option of passHatKWeights');
      r.dispose();
    });
  });
}
