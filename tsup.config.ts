import { defineConfig } from 'tsup';

// The worker pool subpath and its worker script, which the pool finds next to itself (pool-worker.js / .cjs).
const POOL_ENTRIES = { pool: 'src/pool/index.ts', 'pool-worker': 'src/pool/worker.ts' };

export default defineConfig({
  // cli: the `inference-aware-rl` bin; its source starts with `#!/usr/bin/env node`, which esbuild keeps and
  // tsup marks executable.
  entry: { index: 'src/index.ts', tfjs: 'src/tfjs/index.ts', eval: 'src/eval/index.ts', backends: 'src/backends/index.ts', cli: 'src/cli/main.ts', ...POOL_ENTRIES },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  // Shared chunks keep one backend registry across entry points (index, tfjs) in ESM and CJS alike, and
  // let the wasm payload live in a chunk that only loadWasmBackend() pulls in.
  splitting: true,
  // The tfjs adapter's peer: never bundled, so the user's tfjs-core (one engine, one kernel registry) is used.
  external: ['@tensorflow/tfjs-core'],
});
