// Builds the measurement-only products addon (addon.c + one isa-*.c per instruction set) with a
// plain C compiler against Node's own headers (no node-gyp), and the wasm twin of its products
// (wasm-products.c, plain and relaxed SIMD) with scripts/build-kernels.mjs. Nothing here is part
// of an install: the `native` bench suite and test/bench/native/products.test.ts build into a
// temporary folder.  Run alone: `npx tsx test/bench/native/build.ts OUT_DIR`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');

/** Per instruction set: its source and the flags that let the compiler use it. */
const ISA_UNITS: Record<string, [string, string[]][]> = {
  x64: [
    ['isa-sse.c', ['-mfma']],
    ['isa-avx2.c', ['-mavx2', '-mfma']],
    ['isa-avx512.c', ['-mavx512f', '-mfma']],
  ],
  arm64: [['isa-neon.c', []]],
};

function nodeHeaders(): string | null {
  const dirs = [join(dirname(process.execPath), '../include/node'), '/usr/include/node'];
  return dirs.find((d) => existsSync(join(d, 'node_api.h'))) ?? null;
}

/** The C compiler the addon is built with (clang first: gcc 12 spills the tile, see the README). */
export function compiler(): string | null {
  for (const cc of [process.env.CC, 'clang', 'cc', 'gcc'].filter((c): c is string => !!c)) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch {
      // try the next one
    }
  }
  return null;
}

function hasWasmToolchain(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-ld', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the addon cannot be built here, or null when it can. */
export function cannotBuild(): string | null {
  if (!ISA_UNITS[arch()]) return `no native products for ${arch()} (x64 and arm64 only)`;
  if (!nodeHeaders()) return `no node_api.h next to ${process.execPath} or in /usr/include/node`;
  if (!compiler()) return 'no C compiler (clang, cc or gcc; or set CC)';
  if (!hasWasmToolchain()) return 'no clang + wasm-ld for the wasm twin (Debian: clang lld llvm)';
  return null;
}

/** Compiles the addon into dir; returns the .node path. */
export function buildAddon(dir: string): string {
  const cc = compiler()!;
  const common = ['-O3', '-fPIC', '-Wall', '-Werror', '-I', nodeHeaders()!];
  const objects = [['addon.c', []] as [string, string[]], ...ISA_UNITS[arch()]!].map(([src, flags]) => {
    const obj = join(dir, src.replace(/\.c$/, '.o'));
    execFileSync(cc, [...common, ...flags, '-c', join(here, src), '-o', obj], { stdio: 'inherit' });
    return obj;
  });
  const out = join(dir, 'products.node');
  // Node resolves the napi_* symbols at load time: a shared object with undefined symbols is fine.
  execFileSync(cc, ['-shared', '-o', out, ...objects], { stdio: 'inherit' });
  return out;
}

/** The wasm twin, built from rnn.c's own products: [plain SIMD, relaxed SIMD]. */
export function buildWasmProducts(dir: string): [Uint8Array, Uint8Array] {
  const script = join(repoRoot, 'scripts/build-kernels.mjs');
  const source = join(here, 'wasm-products.c');
  return [false, true].map((relaxed) => {
    const out = join(dir, relaxed ? 'products-relaxed.wasm' : 'products.wasm');
    execFileSync(process.execPath, [script, '--out', out, '--source', source, ...(relaxed ? ['--relaxed'] : [])], {
      stdio: 'inherit',
    });
    return new Uint8Array(readFileSync(out));
  }) as [Uint8Array, Uint8Array];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx test/bench/native/build.ts OUT_DIR');
  const why = cannotBuild();
  if (why) throw new Error(why);
  console.log(buildAddon(dir));
  buildWasmProducts(dir);
}
