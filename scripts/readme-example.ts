// The README's example, verbatim; `npx tsx scripts/readme-example.ts` prints the output shown there.
import { passAtK, passAtKWeights, maxAtKWeights, loadWasmBackend } from '../src/index.js';

await loadWasmBackend({ setDefault: true }); // Node: SIMD WebAssembly kernels for every call below (same results)
const rewards = [1, 1, 0, 0, 0, 0, 0, 0, /* prompt 2: */ 0, 0, 0, 0, 0, 0, 0, 1];
const weights = passAtKWeights(rewards, 4, { groupSize: 8 }); // baseline 'loo-1'
console.log('pass@4 per prompt:', passAtK([8, 8], [2, 1], 4));
console.log('weights:', weights.map((w) => +w.toFixed(4)));
// In your trainer: loss = −Σ_i weights[i] · (summed token log-probs of sample i)
const scores = [0.1, 0.7, 0.3, 0.9, 0.5]; // continuous rewards: max@k
console.log('max@2 weights:', maxAtKWeights(scores, 2).map((w) => +w.toFixed(4)));
