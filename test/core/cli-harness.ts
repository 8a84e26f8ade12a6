// The CLI in-process with its console captured: how the CLI tests run a command and read what a
// user would see.
import { vi } from 'vitest';
import { main } from '../../core/cli.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs main() on exactly these arguments with console.log and console.error captured. */
export async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
