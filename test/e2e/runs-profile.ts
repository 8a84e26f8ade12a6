// Where the Runs tab's time goes, in real Chromium: `npx tsx test/e2e/runs-profile.ts`. Seeds N runs
// (default 1,000) like runs-table.ts, then per repetition clicks the Runs tab and reports Chromium's
// own counters over the switch (script, style recalculation, layout: Performance.getMetrics), the
// DOM size of the table, and, once, the JavaScript functions with the most self time (CPU profile,
// 100 µs sampling). STATIC_DIRS=a:b profiles other builds, interleaved. Not part of `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../core/server.js';
import { createService } from '../../core/service.js';
import { launchChromium } from './chromium.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { seedRuns } from './runs-table.js';

const N = Number(process.env.N ?? 1000);
const REPS = Number(process.env.REPS ?? 5);
const root = join(import.meta.dirname, '..', '..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const SWITCH = `(async () => {
  const t0 = performance.now();
  document.querySelector('[data-testid="nav-runs"]').click();
  await new Promise((done) => {
    const poll = () => {
      const c = document.querySelector('[data-testid="runs-count"]')?.textContent ?? '';
      if (c.includes('${N} of ${N}') && document.querySelector('[data-testid="run-row"]')) done();
      else requestAnimationFrame(poll);
    };
    poll();
  });
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
})()`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function profile(dbPath: string, staticDir: string): Promise<void> {
  const service = createService({ dbPath, host: 'server' });
  const server = await startServer({ service, staticDir });
  const browser = await launchChromium();
  try {
    const counters: Record<string, number[]> = {};
    let top = '';
    let dom = '';
    for (let rep = 0; rep < REPS; rep++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(server.url);
      await page.getByTestId('nav-runs').waitFor();
      await page.waitForTimeout(2000);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const before = (await cdp.send('Performance.getMetrics')).metrics;
      const profiling = rep === Number(process.env.PROFILE_REP ?? 1);
      if (profiling) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
        await cdp.send('Profiler.start');
      }
      const ms = (await page.evaluate(SWITCH)) as number;
      const after = (await cdp.send('Performance.getMetrics')).metrics;
      const get = (m: typeof before, k: string) => m.find((x) => x.name === k)?.value ?? 0;
      const add = (k: string, v: number) => (counters[k] ??= []).push(v);
      add('tab → painted', ms);
      for (const k of ['ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration', 'TaskDuration'])
        add(k, 1000 * (get(after, k) - get(before, k)));
      add('RecalcStyleCount', get(after, 'RecalcStyleCount') - get(before, 'RecalcStyleCount'));
      add('LayoutCount', get(after, 'LayoutCount') - get(before, 'LayoutCount'));
      if (profiling) {
        const { profile: p } = (await cdp.send('Profiler.stop')) as unknown as {
          profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
        };
        const byNode = new Map<number, ProfileNode>(p.nodes.map((n) => [n.id, n]));
        const self = new Map<string, number>();
        p.samples.forEach((id, i) => {
          const f = byNode.get(id)!.callFrame;
          const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
          self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
        });
        top = [...self]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 18)
          .map(([k, v]) => `    ${v.toFixed(1).padStart(6)} ms  ${k}`)
          .join('\n');
        dom = (await page.evaluate(`(() => {
          const s = document.querySelector('[data-testid="runs-table-scroller"]');
          return 'table: ' + s.querySelectorAll('[data-testid="run-row"]').length + ' rows, ' + s.querySelectorAll('*').length + ' elements; page: ' + document.querySelectorAll('*').length + ' elements';
        })()`)) as string;
      }
      await page.close();
    }
    console.log(`[${staticDir}] ${N} runs, median of ${REPS}; ${dom}`);
    for (const [k, v] of Object.entries(counters))
      console.log(`  ${k.padEnd(20)} ${median(v).toFixed(1).padStart(7)}   (${v.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  self time (repetition PROFILE_REP, default 1, sampled):\n${top}`);
  } finally {
    await browser.close();
    await server.close();
    await service.close();
  }
}

ensureRendererBuilt(root);
const dir = mkdtempSync(join(tmpdir(), 'wb-runs-profile-'));
try {
  const dbPath = join(dir, 'w.db');
  const service = createService({ dbPath, host: 'server' });
  const imported = await service.call('datasets.import', { path: join(root, 'samples', 'city-energy.csv') });
  if (!imported.ok) throw new Error(imported.error.message);
  await service.close();
  seedRuns(dbPath, imported.value.id, 'load_mw', N);
  for (const d of (process.env.STATIC_DIRS ?? join(root, 'dist', 'renderer')).split(':')) await profile(dbPath, d);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
