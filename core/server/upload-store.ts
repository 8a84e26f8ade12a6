// The upload folder of one server instance: private (mode 0700, made with mkdtemp, named with the
// server's pid so that the next start can remove what a killed server left), a total quota over
// the uploads it holds, and the only files browser mode may import: the ones it received itself,
// as regular files whose real path stays inside it (a symlink planted there, or put in place of an
// upload, is refused: it once imported /etc/passwd).
import { chmod, lstat, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isInside } from '../static.js';
import { pidExists } from '../trainer-identity.js';

export const UPLOAD_PREFIX = 'rnn-workbench-uploads-';
const LEFTOVER = new RegExp(`^${UPLOAD_PREFIX}(\\d+)-`);

/** Removes the upload folders under `root` whose server process is gone; returns their paths. */
export async function removeLeftovers(root: string): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const pid = Number(LEFTOVER.exec(e.name)?.[1] ?? NaN);
    if (!e.isDirectory() || !Number.isInteger(pid) || pid === process.pid || pidExists(pid)) continue;
    const dir = join(root, e.name);
    await rm(dir, { recursive: true, force: true }).then(
      () => removed.push(dir),
      () => undefined,
    );
  }
  return removed;
}

export type ImportCheck = { ok: true; path: string; bytes: number } | { ok: false; message: string };

export class UploadStore {
  /** Received files (real paths) and their sizes, until imported or the server closes. */
  private readonly files = new Map<string, number>();
  /** Bytes held: stored uploads plus those being received. */
  private held = 0;

  private constructor(
    readonly dir: string,
    readonly quota: number,
  ) {}

  /** Clears leftovers of dead servers under `root` (default the OS temp dir), then makes this server's folder. */
  static async create(quota: number, root = tmpdir()): Promise<UploadStore> {
    await removeLeftovers(root);
    const made = await mkdtemp(join(root, `${UPLOAD_PREFIX}${process.pid}-`));
    await chmod(made, 0o700);
    return new UploadStore(await realpath(made), quota);
  }

  used(): number {
    return this.held;
  }

  /** Holds `bytes` more against the quota; false (nothing held) when they do not fit. */
  reserve(bytes: number): boolean {
    if (this.held + bytes > this.quota) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  /** A fresh folder for one upload (the file keeps its own name inside it). */
  newFolder(): Promise<string> {
    return mkdtemp(join(this.dir, 'u-'));
  }

  /** Records a complete upload; its bytes stay held until it is dropped. */
  accept(path: string, bytes: number): void {
    this.files.set(path, bytes);
  }

  /** Whether browser mode may import `path`: the real path and promised size, or why not. */
  async forImport(path: string): Promise<ImportCheck> {
    const wanted = resolve(path);
    const bytes = this.files.get(wanted);
    const refuse = (why: string): ImportCheck => ({
      ok: false,
      message: `in browser mode the host reads only files uploaded to it (POST /upload); ${why}`,
    });
    if (bytes === undefined || !isInside(wanted, this.dir)) return refuse(`${path} was not uploaded to this server`);
    const info = await lstat(wanted).catch(() => null);
    if (!info?.isFile())
      return refuse(`${path} is no longer a plain file (a link or something else was put in its place)`);
    const real = await realpath(wanted).catch(() => null);
    if (real !== wanted) return refuse(`${path} resolves outside the upload folder`);
    return { ok: true, path: real, bytes };
  }

  /** Removes an upload's folder and frees its bytes (after its import, whatever the outcome). */
  async drop(path: string): Promise<void> {
    const wanted = resolve(path);
    const bytes = this.files.get(wanted);
    if (bytes === undefined) return;
    this.files.delete(wanted);
    this.release(bytes);
    await rm(dirname(wanted), { recursive: true, force: true });
  }

  /** Removes the whole folder (server close). */
  async close(): Promise<void> {
    this.files.clear();
    this.held = 0;
    await rm(this.dir, { recursive: true, force: true });
  }
}
