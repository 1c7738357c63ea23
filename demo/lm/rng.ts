/** Seeded randomness for the language-model demo: every draw (init, corpus, sampling, verifier) is reproducible. */
export type Rng = () => number;

/** mulberry32, the library's seeded generator (the same one its sampled estimators use). */
export { mulberry32 } from '../../src/prng.js';

/** A standard normal draw (Box–Muller). */
export function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
