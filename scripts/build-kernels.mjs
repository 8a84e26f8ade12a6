#!/usr/bin/env node
// Builds worker/kernels/src/rnn.c + step.c into WebAssembly twice with Debian's clang + lld: plain SIMD128,
// and relaxed SIMD (-mrelaxed-simd -DRNN_RELAXED: f32x4.relaxed_madd in the matrix products), and
// writes worker/kernels/rnn-wasm.gen.ts: both modules as base64 plus the sha256 of the sources.
// The generated file is committed, so installs without clang still work; the test
// test/worker/kernels/wasm-artifact.test.ts fails when the source changed and this was not rerun.
// It also builds the native engine of this platform (src/native/: rnn.c for AVX2 and AVX-512 behind
// an N-API module) into worker/kernels/prebuilds/<platform>-<arch>/rnn-engine.node, with
// rnn-engine.json recording the sha256 of its sources (test/worker/kernels/native-artifact.test.ts).
//   node scripts/build-kernels.mjs                      rebuild both and rewrite the .gen.ts, then the native engine
//   node scripts/build-kernels.mjs --native-only [--out-dir D]  only the native engine (into D)
//   node scripts/build-kernels.mjs --out F [--relaxed]  only write one raw .wasm to F (the test)
//     [--source S]  ... built from S instead (test/bench/native/wasm-products.c, which includes rnn.c)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The C sources, in this order for the compiler and for the recorded sha256. */
export const SOURCES = ['rnn.c', 'step.c'].map((f) => join(root, 'worker/kernels/src', f));
const gen = join(root, 'worker/kernels/rnn-wasm.gen.ts');

export const CLANG_ARGS = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-nostdlib',
  '-fno-builtin',
  '-Wall',
  '-Werror',
  '-Wl,--no-entry',
  '-Wl,--strip-all',
  '-Wl,-z,stack-size=65536',
];
export const RELAXED_ARGS = ['-mrelaxed-simd', '-DRNN_RELAXED'];

export function buildWasm(outFile, extra = [], sources = SOURCES) {
  execFileSync(process.env.CLANG ?? 'clang', [...CLANG_ARGS, ...extra, '-o', outFile, ...sources], {
    stdio: 'inherit',
  });
  if (extra.includes('-mrelaxed-simd')) standardiseRelaxedOpcodes(outFile);
  return readFileSync(outFile);
}

function leb(b, p) {
  let v = 0,
    shift = 0,
    c;
  do {
    c = b[p++];
    v |= (c & 127) << shift;
    shift += 7;
  } while (c & 128);
  return [v, p];
}

/**
 * clang 14/15 emit the multiply-add of an early relaxed-SIMD draft, `f32x4.fma` = 0xfd 0xaf 0x01,
 * with the standard's semantics (a·b + c); the standard `f32x4.relaxed_madd` is 0xfd 0x85 0x02,
 * the same length. The instructions are found with llvm-objdump (never by a byte search, which
 * could hit a constant) and rewritten in place. clang >= 16 emits the standard opcode: no-op.
 */
function standardiseRelaxedOpcodes(file) {
  const b = readFileSync(file);
  let p = 8,
    code = -1;
  while (p < b.length) {
    const id = b[p];
    const [size, q] = leb(b, p + 1);
    if (id === 10) code = q; // llvm-objdump's addresses count from the code section's contents
    p = q + size;
  }
  const objdump = process.env.LLVM_OBJDUMP ?? 'llvm-objdump';
  const dis = execFileSync(objdump, ['-d', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  let n = 0;
  for (const m of dis.matchAll(/^\s*([0-9a-f]+):\s+fd af 01\s+f32x4\.fma\b/gm)) {
    const o = code + parseInt(m[1], 16);
    if (b[o] !== 0xfd || b[o + 1] !== 0xaf || b[o + 2] !== 0x01) throw new Error(`no f32x4.fma at byte ${o}`);
    b[o + 1] = 0x85;
    b[o + 2] = 0x02;
    n++;
  }
  if (/\bf32x4\.fm[as]\b/.test(dis) && n === 0) throw new Error('f32x4.fma in the disassembly but none rewritten');
  writeFileSync(file, b);
}

function base64Lines(wasm) {
  return wasm
    .toString('base64')
    .match(/.{1,100}/g)
    .map((l) => `  '${l}'`)
    .join(' +\n');
}

// ---- the native engine ------------------------------------------------------------------------
const nativeDir = join(root, 'worker/kernels/src/native');
/** rnn.c and every file of src/native, sorted: what the native engine's recorded sha256 covers. */
export function nativeSources() {
  const own = readdirSync(nativeDir)
    .filter((f) => /\.[ch]$/.test(f))
    .sort()
    .map((f) => join(nativeDir, f));
  return [SOURCES[0], ...own];
}
export function nativeSourceSha() {
  const hash = createHash('sha256');
  for (const f of nativeSources()) hash.update(readFileSync(f));
  return hash.digest('hex');
}
/** Per platform: the units compiled with their instruction-set flags (engine.c dispatches by cpuid). */
const NATIVE_UNITS = {
  'linux-x64': [
    ['isa-avx512.c', ['-mavx512f', '-mavx512vl', '-mfma']],
    ['isa-avx2.c', ['-mavx2', '-mfma']],
  ],
};
export function nativeTarget() {
  return `${process.platform}-${process.arch}`;
}
function nodeHeaders() {
  const dirs = [join(dirname(process.execPath), '../include/node'), '/usr/include/node'];
  return dirs.find((d) => existsSync(join(d, 'node_api.h'))) ?? null;
}
/** Why this machine cannot build the native engine, or null. */
export function nativeCannotBuild() {
  if (!NATIVE_UNITS[nativeTarget()]) return `no native engine build for ${nativeTarget()} (linux-x64 only so far)`;
  if (!nodeHeaders()) return `no node_api.h next to ${process.execPath} or in /usr/include/node`;
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no clang (gcc 12 spills the product tiles: worker/kernels/README.md)';
  }
  return null;
}
/** Builds rnn-engine.node (and its .json) into outDir; returns the .node path. */
export function buildNative(outDir = join(root, 'worker/kernels/prebuilds', nativeTarget())) {
  const why = nativeCannotBuild();
  if (why) throw new Error(why);
  const cc = process.env.CLANG ?? 'clang';
  // -ffp-contract=off: no FMA the wasm module does not have (its results are the native engine's, bit for bit).
  const common = ['-O3', '-fPIC', '-fvisibility=hidden', '-ffp-contract=off', '-Wall', '-Werror'];
  const tmp = mkdtempSync(join(tmpdir(), 'rnn-native-'));
  try {
    const units = [['engine.c', ['-I', nodeHeaders()]], ...NATIVE_UNITS[nativeTarget()]];
    const objects = units.map(([src, flags]) => {
      const obj = join(tmp, src.replace(/\.c$/, '.o'));
      execFileSync(cc, [...common, ...flags, '-c', join(nativeDir, src), '-o', obj], { stdio: 'inherit' });
      return obj;
    });
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, 'rnn-engine.node');
    // Node resolves the napi_* symbols when it loads the file: they stay undefined here.
    execFileSync(cc, ['-shared', '-s', '-Wl,-z,noexecstack', '-o', out, ...objects], { stdio: 'inherit' });
    const sha = nativeSourceSha();
    const meta = {
      target: nativeTarget(),
      isas: NATIVE_UNITS[nativeTarget()].map(([f]) => f.slice(4, -2)),
      sourceSha256: sha,
    };
    writeFileSync(join(outDir, 'rnn-engine.json'), JSON.stringify(meta, null, 2) + '\n');
    console.log(`wrote ${out} (${readFileSync(out).length} bytes, source sha256 ${sha.slice(0, 12)}…)`);
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main() {
  if (process.argv.includes('--native-only')) {
    const d = process.argv.indexOf('--out-dir');
    buildNative(d >= 0 ? process.argv[d + 1] : undefined);
    return;
  }
  const i = process.argv.indexOf('--out');
  // --profile: a build that times its phases through an imported env.now (benchmark studies only).
  if (i >= 0) {
    const s = process.argv.indexOf('--source');
    buildWasm(
      process.argv[i + 1],
      [
        ...(process.argv.includes('--relaxed') ? RELAXED_ARGS : []),
        ...(process.argv.includes('--profile') ? ['-DRNN_PROFILE', '-Wl,--allow-undefined'] : []),
      ],
      s >= 0 ? [process.argv[s + 1]] : SOURCES,
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-'));
  try {
    const wasm = buildWasm(join(dir, 'rnn.wasm'));
    const relaxed = buildWasm(join(dir, 'rnn-relaxed.wasm'), RELAXED_ARGS);
    const hash = createHash('sha256');
    for (const f of SOURCES) hash.update(readFileSync(f));
    const sha = hash.digest('hex');
    writeFileSync(
      gen,
      `// GENERATED by scripts/build-kernels.mjs from worker/kernels/src/rnn.c and step.c; do not edit.
// Embedded as base64 so it loads the same from the sources (tsx, vitest), from dist/ and from an
// asar archive. Two builds: plain SIMD128, and relaxed SIMD (FMA in the matrix products).
// RNN_WASM_SOURCE_SHA256: sha256 of rnn.c followed by step.c.
export const RNN_WASM_SOURCE_SHA256 = '${sha}';
export const RNN_WASM_BASE64 =
${base64Lines(wasm)};
export const RNN_WASM_RELAXED_BASE64 =
${base64Lines(relaxed)};
`,
    );
    console.log(`wrote ${gen} (${wasm.length} + ${relaxed.length} bytes of wasm, source sha256 ${sha.slice(0, 12)}…)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const why = nativeCannotBuild();
  if (why) console.log(`native engine not built: ${why}`);
  else buildNative();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
