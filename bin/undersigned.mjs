#!/usr/bin/env node
// Entry point for `npx undersigned`: runs the TypeScript CLI through tsx's loader,
// so that no build step stands between `npm install` and a working command.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
