// The committed native engine (worker/kernels/prebuilds/<platform>-<arch>/rnn-engine.node) must
// come from the committed sources: its rnn-engine.json records their sha256, and where this
// machine can build it (linux-x64 with clang and Node's headers) a rebuild gives the same bytes.
// After editing worker/kernels/src/rnn.c or src/native/*, run `npm run build:kernels`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const src = join(root, 'worker/kernels/src');
const prebuilt = join(root, 'worker/kernels/prebuilds/linux-x64');
const canBuild =
  process.platform === 'linux' &&
  process.arch === 'x64' &&
  spawnSync('clang', ['--version']).status === 0 &&
  [join(process.execPath, '../../include/node/node_api.h'), '/usr/include/node/node_api.h'].some(existsSync);

describe('prebuilt native engine (linux-x64)', () => {
  it('was built from the current rnn.c and src/native (else run npm run build:kernels)', () => {
    const hash = createHash('sha256');
    hash.update(readFileSync(join(src, 'rnn.c')));
    for (const f of readdirSync(join(src, 'native'))
      .filter((f) => /\.[ch]$/.test(f))
      .sort())
      hash.update(readFileSync(join(src, 'native', f)));
    const meta = JSON.parse(readFileSync(join(prebuilt, 'rnn-engine.json'), 'utf8')) as { sourceSha256: string };
    expect(meta.sourceSha256).toBe(hash.digest('hex'));
  });

  it.runIf(canBuild)('matches a fresh build byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-native-test-'));
    try {
      const r = spawnSync(
        process.execPath,
        [join(root, 'scripts/build-kernels.mjs'), '--native-only', '--out-dir', dir],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(join(dir, 'rnn-engine.node')).equals(readFileSync(join(prebuilt, 'rnn-engine.node')))).toBe(
        true,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
