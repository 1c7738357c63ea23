// Used only when the pool runs from its TypeScript sources (the test suite, `npm run bench`): registers
// tsx's loader in the worker thread, then imports the worker. The built package uses dist/pool-worker.js.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
