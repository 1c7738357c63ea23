/**
 * Every property suite runs on every backend: each test/property/*.property.test.ts imports
 * test/support/backends.ts (which loads wasm before collection and fails when it cannot) and opens
 * every top-level block with `describeEachBackend`, never with a plain `describe` (which would run on
 * the default js backend only).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_BACKENDS } from '../support/backends.js';

const dir = new URL('../property/', import.meta.url);
const suites = readdirSync(dir).filter((f) => f.endsWith('.property.test.ts'));

describe('property suites', () => {
  it('are found, and the backend list they run on holds js and wasm', () => {
    expect(suites.length).toBeGreaterThanOrEqual(6);
    expect(ALL_BACKENDS).toEqual(expect.arrayContaining(['js', 'wasm']));
  });

  it.each(suites)('%s runs every top-level block on every backend', (file) => {
    const text = readFileSync(new URL(file, dir), 'utf8');
    expect(text).toMatch(/import \{[^}]*\bdescribeEachBackend\b[^}]*\} from '\.\.\/support\/backends\.js'/);
    expect(text).toMatch(/^describeEachBackend\(/m);
    expect(text.match(/^(?:describe|describe\.each|describe\.skip|describe\.only)\b.*$/gm) ?? []).toEqual([]);
    expect(text).not.toMatch(/listBackends\(\)/);
  });
});
