/**
 * Numeric constants shared by the js kernels (src/backends/js/) and the AssemblyScript kernels
 * (src/backends/wasm/assembly/): this file is their one definition. The js kernels import it;
 * `npm run build:wasm` (scripts/build-wasm.ts) writes every export below, together with the baseline
 * codes of `BaselineCode` (src/backends/types.ts), into src/backends/wasm/assembly/constants.generated.ts,
 * which the AssemblyScript imports; test/backends/wasm-build.test.ts fails while that file is stale.
 *
 * Rule of the generator: an integer below 2^31 in magnitude becomes an `i32` constant, any other number an
 * `f64` constant written as its exact bit pattern. Names are SCREAMING_SNAKE_CASE in both languages.
 * Powers of two are written as decimal literals (the shortest that round-trip, checked against `2 ** e`
 * by test/backends/wasm-build.test.ts): bundlers keep a top-level `2 ** e` even when nothing uses it.
 * Docs: docs/backends.md.
 */

/** Best-of-N: a group whose rewards reach this magnitude is rescaled by {@link BIG_SCALE}, so no block sum or gap sum overflows. */
export const BIG_REWARD = 1.0463951242053392e298; // 2 ** 990
/** Best-of-N: the factor applied to the rewards of a group reaching {@link BIG_REWARD}. */
export const BIG_SCALE = 9.094947017729282e-13; // 2 ** -40
/** max@k: below this magnitude every gap and every two-gap sum of a group is finite (no per-group rescale). */
export const SAFE_MAGNITUDE = 2.247116418577895e307; // 2 ** 1021

/**
 * Scratch of the wasm best-of-N weights kernel: this many arrays of maxN doubles (y, blockSum, s, below),
 * then one array of maxN + 1 i32 (the tie-block starts); its μ and ν tables live in a table cache after them.
 */
export const BEST_OF_N_WEIGHTS_SCRATCH_F64 = 4;
/** Scratch of the wasm best-of-N metric and selection kernels: arrays of maxN doubles (y, blockSum), then maxN + 1 i32, then a μ table cache. */
export const BEST_OF_N_METRIC_SCRATCH_F64 = 2;
