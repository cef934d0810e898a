#!/usr/bin/env node
// Entry point for `npx throughline` and `npm start`. The sources are TypeScript run through
// tsx's loader, so there is no build step between `npm install` and a running desk.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
