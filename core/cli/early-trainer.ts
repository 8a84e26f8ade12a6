// `train` and `resume` fork their trainer the moment the command starts (bin/rnn-workbench.js
// calls this before it loads the CLI), not once the run exists: the trainer's Node start and its
// TF.js load, the larger part of the wait for the first batch, then overlap the CLI's own start
// (its modules, the database, the dataset lookup, runs.create), about 1 s from the sources
// (issue 15 item 4). The trainer waits, loaded, like a warm one (worker/main.ts,
// RNN_WORKBENCH_WARM=train-early); the service adopts it (core/cli/open.ts, core/warm-launcher.ts)
// and gives it the run it creates. A command that ends without a run kills it; a CLI that dies
// leaves it without a host, and a waiting trainer then exits by itself.
// Only node built-ins and core/jobs.ts here: this module is loaded before everything else.
import type { ChildProcess } from 'node:child_process';
import { forkWorker } from '../jobs.js';
import { commandName } from './table.js';
import { trainerEnv } from '../warm-launcher.js';

/** Commands whose job is a training run. */
const TRAINING_COMMANDS = new Set(['train', 'resume']);

let early: { child: ChildProcess; env: string } | null = null;

/**
 * Forks the trainer when `argv` is a training command; nothing when one is already waiting (the
 * bin forked it, then main() asks again). RNN_WORKBENCH_EARLY_TRAINER=0 turns it off (benchmarks).
 */
export function forkEarlyTrainer(argv: string[]): void {
  if (early || process.env.RNN_WORKBENCH_EARLY_TRAINER === '0' || argv.includes('--help')) return;
  let name: string | undefined;
  try {
    name = commandName(argv).name;
  } catch {
    return; // the CLI reports the bad command line itself
  }
  if (!name || !TRAINING_COMMANDS.has(name)) return;
  const child = forkWorker({ RNN_WORKBENCH_WARM: 'train-early' });
  // While it waits it must not keep the CLI alive (the service refs it when it gets the run).
  child.unref();
  child.channel?.unref();
  early = { child, env: trainerEnv() };
}

/** The early trainer, handed over once (to the service the command opens); null when there is none. */
export function takeEarlyTrainer(): { child: ChildProcess; env: string } | null {
  const e = early;
  early = null;
  return e;
}

/** Ends an early trainer nobody took (the command failed before it opened the service). */
export function dropEarlyTrainer(): void {
  early?.child.kill('SIGKILL');
  early = null;
}
