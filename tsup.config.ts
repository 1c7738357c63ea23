import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  // Shared chunks keep one backend registry across entry points (index, tfjs) in ESM and CJS alike, and
  // let the wasm payload live in a chunk that only loadWasmBackend() pulls in.
  splitting: true,
});
