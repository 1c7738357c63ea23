/**
 * A small seeded pseudo-random generator for the sampled estimators: the same seed gives the same
 * draws on every platform, so a sampled estimate can be replayed.
 */

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): uniform doubles in [0, 1) from a 32-bit seed.
 * Not cryptographic; period 2^32.
 *
 * @param seed - any number; its low 32 bits are used.
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // 0.6011037519201636
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
