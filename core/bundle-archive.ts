// The run bundle file (`.rnnwb`, issue 13): one zip (fflate) holding a versioned manifest, one JSON
// entry per run and per dataset, and every BLOB (weights, optimizer state, predictions, dataset
// columns) as its own binary entry, byte for byte. The manifest lists the sha256 of every other
// entry; reading checks the zip, the format version, the schema version and each checksum before
// anything is stored, and names the file and the entry that failed.
import { createHash } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { z } from 'zod';
import { ServiceError } from './contract.js';
import type { Cell } from '../db/bundles.js';

export const BUNDLE_FORMAT = 'rnn-workbench-bundle';
/** Bumped when a reader of the previous version could not read what this one writes. */
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';

export const BundleManifest = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.number().int().positive(),
  appVersion: z.string(),
  /** The database schema (migration number) the rows were read from. */
  schemaVersion: z.number().int().nonnegative(),
  createdAt: z.string(),
  /** False for `--no-data`: datasets travel as sha256 and column manifest only. */
  withData: z.boolean(),
  runs: z.array(
    z.object({
      uuid: z.string().min(1),
      name: z.string(),
      sourceId: z.number().int(),
      status: z.string(),
      epochs: z.number().int().nonnegative(),
      datasetSha256: z.string().nullable(),
    }),
  ),
  datasets: z.array(
    z.object({
      sha256: z.string().min(1),
      name: z.string(),
      sourceName: z.string(),
      rowCount: z.number().int().nonnegative(),
      columns: z.array(z.object({ name: z.string(), kind: z.string() })),
      data: z.boolean(),
    }),
  ),
  /** sha256 (hex) of every entry but the manifest. */
  checksums: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

export const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

// ---------------------------------------------------------------------------------------------
// Cells as JSON: a BLOB becomes its own entry; numbers JSON cannot hold exactly get a tag.

type Json = string | number | null | { $blob: string } | { $num: string } | { $int: string };

export class BlobSink {
  readonly entries = new Map<string, Uint8Array>();
  constructor(private readonly prefix: string) {}
  encode(cell: Cell, name: string): Json {
    if (cell === null || typeof cell === 'string') return cell;
    if (typeof cell === 'bigint') return { $int: cell.toString() };
    if (typeof cell === 'number')
      return Number.isFinite(cell) && !Object.is(cell, -0) ? cell : { $num: Object.is(cell, -0) ? '-0' : String(cell) };
    const entry = `${this.prefix}${name}.bin`;
    this.entries.set(entry, new Uint8Array(cell.buffer, cell.byteOffset, cell.byteLength));
    return { $blob: entry };
  }
}

export function decodeCell(v: unknown, entries: Record<string, Uint8Array>, where: string): Cell {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$blob === 'string') {
      const data = entries[o.$blob];
      if (!data) throw new ServiceError('bad_input', `${where}: entry "${o.$blob}" is missing`, 'path');
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    if (typeof o.$num === 'string') return o.$num === '-0' ? -0 : Number(o.$num);
    if (typeof o.$int === 'string') return BigInt(o.$int);
  }
  throw new ServiceError('bad_input', `${where}: unexpected value ${JSON.stringify(v)}`, 'path');
}

// ---------------------------------------------------------------------------------------------
// The zip

/** Binary entries barely compress (f32 weights, f64 columns): stored. JSON is deflated at level 1 (the bench: same size as level 6, zip time 0.95 s → 0.57 s for 100 runs). */
function zippable(entries: Map<string, Uint8Array>): Zippable {
  const out: Zippable = {};
  for (const [name, data] of entries) out[name] = [data, { level: name.endsWith('.bin') ? 0 : 1 }];
  return out;
}

export function writeArchive(
  manifest: Omit<BundleManifest, 'checksums'>,
  entries: Map<string, Uint8Array>,
): Uint8Array {
  const checksums: Record<string, string> = {};
  for (const [name, data] of entries) checksums[name] = sha256Hex(data);
  const all = new Map([[MANIFEST, strToU8(JSON.stringify({ ...manifest, checksums }, null, 1))], ...entries]);
  return zipSync(zippable(all));
}

export interface OpenedBundle {
  manifest: BundleManifest;
  entries: Record<string, Uint8Array>;
}

const refuse = (file: string, why: string) =>
  new ServiceError('bad_input', `${file}: ${why}; nothing was imported`, 'path');

function unzipNamed(file: string, bytes: Uint8Array): Record<string, Uint8Array> {
  let current = '';
  try {
    // The filter sees each entry just before it is inflated, so a failure names its entry.
    return unzipSync(bytes, { filter: (f) => ((current = f.name), true) });
  } catch (e) {
    throw refuse(
      file,
      `not a readable bundle (zip error${current ? ` in entry "${current}"` : ''}: ${(e as Error).message})`,
    );
  }
}

/** Opens a bundle and checks it whole: zip, manifest, versions, every checksum. */
export function readArchive(file: string, bytes: Uint8Array, schemaVersion: number): OpenedBundle {
  const entries = unzipNamed(file, bytes);
  const raw = entries[MANIFEST];
  if (!raw) throw refuse(file, `no ${MANIFEST}: not a Recurrent Workbench bundle`);
  let json: { format?: unknown; formatVersion?: unknown; appVersion?: unknown };
  try {
    json = JSON.parse(strFromU8(raw)) as typeof json;
  } catch (e) {
    throw refuse(file, `entry "${MANIFEST}" is not valid JSON (${(e as Error).message})`);
  }
  if (json.format !== BUNDLE_FORMAT)
    throw refuse(file, `entry "${MANIFEST}" does not describe a Recurrent Workbench bundle`);
  if (typeof json.formatVersion === 'number' && json.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw refuse(
      file,
      `written by a newer Recurrent Workbench (${String(json.appVersion)}, bundle format ${json.formatVersion}); this version reads format ${BUNDLE_FORMAT_VERSION}: update the app to import it`,
    );
  }
  const parsed = BundleManifest.safeParse(json);
  if (!parsed.success)
    throw refuse(
      file,
      `entry "${MANIFEST}" is malformed (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
    );
  const manifest = parsed.data;
  if (manifest.schemaVersion > schemaVersion) {
    throw refuse(
      file,
      `its runs come from a newer database schema (${manifest.schemaVersion}; this version knows ${schemaVersion}, app ${manifest.appVersion}): update the app to import it`,
    );
  }
  for (const [name, sum] of Object.entries(manifest.checksums)) {
    const data = entries[name];
    if (!data) throw refuse(file, `entry "${name}" is missing`);
    if (sha256Hex(data) !== sum)
      throw refuse(file, `entry "${name}" is corrupt (its sha256 does not match the manifest)`);
  }
  const extra = Object.keys(entries).find((n) => n !== MANIFEST && !(n in manifest.checksums));
  if (extra) throw refuse(file, `entry "${extra}" is not listed in the manifest`);
  return { manifest, entries };
}
