// Builds the renderer into dist/renderer when the build is missing or older than its sources, so
// the browser test always drives the current UI (a fresh clone runs `npm test` without a build).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = s.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

export function ensureRendererBuilt(root: string): string {
  const out = join(root, 'dist', 'renderer');
  const index = join(out, 'index.html');
  const sources = [
    join(root, 'renderer'),
    join(root, 'core', 'contract.ts'),
    join(root, 'core', 'spec.ts'),
    join(root, 'core', 'metric-keys.ts'),
  ];
  const stale = !existsSync(index) || Math.max(...sources.map(newest)) > statSync(index).mtimeMs;
  if (stale) {
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    const r = spawnSync(
      process.execPath,
      [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}
