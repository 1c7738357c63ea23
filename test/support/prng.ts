/**
 * The seeded PRNG tests, benches and scripts draw their data from, so every run draws the same data and
 * a failure can be replayed from its seed: the library's own mulberry32 (one implementation).
 */
export { mulberry32 } from '../../src/prng.js';
