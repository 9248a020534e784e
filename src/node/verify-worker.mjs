// Entry of a verify-pool worker thread. A worker starts without the parent's module loader, so
// register tsx's before loading the TypeScript worker (as bin/undersigned.mjs does for the CLI).
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
