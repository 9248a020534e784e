// Entry of a roster-tree worker thread: register tsx's loader first (see verify-worker.mjs).
import { register } from 'tsx/esm/api';

register();
await import('./roster-tree-worker.ts');
