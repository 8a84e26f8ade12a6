#!/usr/bin/env node
// The `rnn-workbench` command: runs the compiled CLI from dist/ (built by `npm install`'s prepare
// step), or the TypeScript sources through tsx in a development checkout without a build (or with
// RNN_WORKBENCH_SOURCE=1, so a stale dist/ never hides an edit).
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/core/cli.js', import.meta.url));
// `train` and `resume` fork their trainer first, so that it loads while the CLI does (core/cli/early-trainer.ts).
const argv = process.argv.slice(2);
let cli;
if (existsSync(compiled) && !process.env.RNN_WORKBENCH_SOURCE) {
  // V8's code cache for the CLI's modules where Node has one (≥ 22.1: worker/compile-cache.ts says
  // why); Node 20 has none, and this does nothing there.
  try {
    nodeModule.enableCompileCache?.();
  } catch {
    // an optimisation only
  }
  (await import(new URL('../dist/core/cli/early-trainer.js', import.meta.url).href)).forkEarlyTrainer(argv);
  cli = await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  (await import(new URL('../core/cli/early-trainer.ts', import.meta.url).href)).forkEarlyTrainer(argv);
  cli = await import(new URL('../core/cli.ts', import.meta.url).href);
}
const code = await cli.main(argv);
if (code !== 0) process.exitCode = code;
