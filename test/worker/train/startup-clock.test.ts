// The run log's start-up lines (worker/train/startup-clock.ts, issue 15 item 4): an early trainer's
// steps (Node's start, its load, the wait for the run when the load was first) cover the process's
// start to the moment its run could begin with nothing counted twice or left out, and the steps
// after them count from that moment.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { StartupClock, type StartupMarks } from '../../../worker/train/startup-clock.js';

const sum = (c: StartupClock): number => c.steps.reduce((s, x) => s + x.ms, 0);

function clockOf(marks: StartupMarks): { clock: StartupClock; lines: string[] } {
  const lines: string[] = [];
  return { clock: new StartupClock((m) => lines.push(m), marks), lines };
}

const early = { bootAt: 120, bootCpu: 90, loadedAt: 500, loadedCpu: 420 };

describe('StartupClock', () => {
  it('an early trainer that its run reached during the load: Node, then the load up to the run', () => {
    const { clock, lines } = clockOf({
      jobAt: 300,
      jobCpu: 250,
      importMs: 200,
      importCpu: 170,
      readyAt: 500.5,
      readyCpu: 421,
      early,
    });
    expect(clock.steps.map((s) => [s.name, s.ms, s.cpuMs])).toEqual([
      ['process start', 120, 90],
      ['TF.js and trainer modules load', 380.5, 330],
    ]);
    expect(sum(clock)).toBe(500.5);
    expect(lines[0]).toBe(
      'start-up: process start 120 ms, cpu 90 ms (Node; forked as the CLI command started, before its run existed)',
    );
    expect(lines[1]).toBe(
      'start-up: TF.js and trainer modules load 381 ms, cpu 330 ms (kernel threads started first; the run reached it at 300 ms, during the load)',
    );
  });

  it('an early trainer loaded before its run: the wait is its own step', () => {
    const { clock, lines } = clockOf({
      jobAt: 650,
      jobCpu: 425,
      importMs: 0.1,
      importCpu: 0.1,
      readyAt: 650.1,
      readyCpu: 425.1,
      early,
    });
    expect(clock.steps.map((s) => s.name)).toEqual([
      'process start',
      'TF.js and trainer modules load',
      'waiting for the run',
    ]);
    expect(clock.steps[1]!.ms).toBe(380);
    expect(clock.steps[2]!.ms).toBeCloseTo(150.1, 6);
    expect(clock.steps[2]!.cpuMs).toBeCloseTo(5.1, 6);
    expect(sum(clock)).toBeCloseTo(650.1, 6);
    expect(lines[1]).toMatch(
      /\(kernel threads started first; while the CLI loaded, opened the database and created the run\)$/,
    );
    expect(lines[2]).toMatch(
      /^start-up: waiting for the run 150 ms, cpu 5\.1 ms \(loaded, idle until the CLI created it\)$/,
    );
  });

  it('counts the next step from the moment the run could begin, not from the clock’s creation', () => {
    const readyAt = performance.now() - 40; // the database opened meanwhile, before the clock existed
    const { clock } = clockOf({ jobAt: 10, importMs: readyAt - 10, readyAt });
    clock.step('data preparation');
    expect(clock.steps.map((s) => s.name)).toEqual([
      'process start',
      'TF.js and trainer modules load',
      'data preparation',
    ]);
    expect(clock.steps[2]!.ms).toBeGreaterThanOrEqual(40);
    // The whole start-up: from the process's start to now, every step once.
    expect(sum(clock)).toBeCloseTo(performance.now(), -1);
  });

  it('a warm trainer: what was left of its load, then its steps', () => {
    const { clock, lines } = clockOf({ jobAt: 0, importMs: 3, jobCpu: 0, importCpu: 2, warm: true });
    expect(clock.steps.map((s) => s.name)).toEqual(['process start', 'TF.js and trainer modules load']);
    expect(lines[0]).toMatch(/a warm trainer, started before the run/);
    expect(lines[1]).toMatch(/what was left of it/);
  });
});
