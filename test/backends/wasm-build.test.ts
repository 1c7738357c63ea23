/**
 * The committed wasm payload is the build of the committed AssemblyScript source: asc 0.28 output is
 * deterministic (same source and flags → same bytes), so a stale module.generated.ts fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_MODULE, generateWasmModule } from '../../scripts/build-wasm.js';

describe('scripts/build-wasm.ts', () => {
  it('generateWasmModule() reproduces the committed module.generated.ts byte for byte', async () => {
    const committed = readFileSync(new URL(`../../${GENERATED_MODULE}`, import.meta.url), 'utf8');
    const rebuilt = await generateWasmModule();
    expect(rebuilt === committed, 'module.generated.ts is stale: run `npm run build:wasm`').toBe(true);
  });
});
