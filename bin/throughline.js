#!/usr/bin/env node
// Entry point for `npx throughline` and `npm start`. The sources are TypeScript, run from a
// bundle that cli-bundle.js keeps up to date (or through tsx's loader), so there is no build step
// between `npm install` and a running desk.
import { runCli } from './cli-bundle.js';

await runCli();
