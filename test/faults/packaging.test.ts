// electron-builder ships package.json's production dependency tree and nothing else: a module
// the host or the workers load at run time that sits in devDependencies (as `webgpu` did) is
// missing from every installer. The tree is read the way npm ci will install it (the lockfile).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const RUNTIME_DIRS = ['worker', 'db', 'core', 'electron'];

interface LsNode {
  dependencies?: Record<string, LsNode>;
}

function productionTree(): Set<string> {
  // --package-lock-only: the tree npm ci installs, independent of what this checkout's
  // node_modules holds (a symlinked or dev-installed node_modules would blur it).
  const out = execFileSync('npm', ['ls', '--omit=dev', '--json', '--all', '--package-lock-only'], {
    cwd: root,
    encoding: 'utf8',
  });
  const names = new Set<string>();
  const walk = (n: LsNode) => {
    for (const [name, child] of Object.entries(n.dependencies ?? {})) {
      names.add(name);
      walk(child);
    }
  };
  walk(JSON.parse(out) as LsNode);
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(root, dir, f));
}

/** Packages imported (statically, with import() or require()) by code that runs in the app; type-only imports do not count. */
function runtimeImports(): Map<string, string> {
  const found = new Map<string, string>();
  const builtins = new Set(builtinModules);
  const patterns = [
    /^\s*import\s+(?!type\s)[^;]*?from\s+['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^;]*?from\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    // worker/tf.ts loads TF.js with require() (the ESM import's lexer cost 300+ ms at each trainer start).
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\btryNative\(\s*['"]([^'"]+)['"]/g,
  ];
  for (const file of RUNTIME_DIRS.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!found.has(pkg)) found.set(pkg, file.slice(root.length + 1));
      }
    }
  }
  return found;
}

describe('production dependency tree', () => {
  it('holds every module the host and the workers load at run time', () => {
    const tree = productionTree();
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    const declared = { ...pkg.dependencies, ...pkg.optionalDependencies };
    const imports = runtimeImports();
    // Electron is the runtime itself; tfjs-node is an alternative to tfjs-node-gpu, tried when present.
    imports.delete('electron');
    if (!('@tensorflow/tfjs-node' in declared)) imports.delete('@tensorflow/tfjs-node');
    expect([...imports.keys()]).toEqual(
      expect.arrayContaining(['@tensorflow/tfjs', 'better-sqlite3', 'webgpu', 'zod', 'ws']),
    );
    const missing = [...imports]
      .filter(([name]) => !tree.has(name))
      .map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing, 'move these from devDependencies to dependencies or optionalDependencies').toEqual([]);
  });

  it('installs webgpu as optional: a failed native install must not fail npm install', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    expect(pkg.optionalDependencies?.webgpu).toBeDefined();
    expect(pkg.devDependencies?.webgpu).toBeUndefined();
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; optionalDependencies?: Record<string, string> }>;
    };
    expect(lock.packages['']!.optionalDependencies?.webgpu).toBe(pkg.optionalDependencies?.webgpu);
    expect(lock.packages['node_modules/webgpu']).toMatchObject({ optional: true });
    expect(lock.packages['node_modules/webgpu']!.dev).toBeUndefined();
  });
});
