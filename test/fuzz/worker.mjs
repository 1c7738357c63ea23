// Bootstraps the TypeScript fuzz worker: registers tsx's loader in this thread, then imports it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
