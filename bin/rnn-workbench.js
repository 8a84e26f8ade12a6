#!/usr/bin/env node
// The `rnn-workbench` command: runs the compiled CLI from dist/ (built by `npm install`'s prepare
// step), or the TypeScript sources through tsx in a development checkout without a build (or with
// RNN_WORKBENCH_SOURCE=1, so a stale dist/ never hides an edit).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/core/cli.js', import.meta.url));
let cli;
if (existsSync(compiled) && !process.env.RNN_WORKBENCH_SOURCE) {
  cli = await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../core/cli.ts', import.meta.url).href);
}
const code = await cli.main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
