// Reads the stored-only archives core/zip.ts writes (browser-mode model downloads), so tests can
// check what a download holds. Only tests need it; the app writes archives and never reads them.
import { crc32 } from 'node:zlib';

/** Reads a stored-only archive written by `zipStore`; throws on compressed entries or a bad CRC. */
export function unzipStore(buf: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = [];
  let p = 0;
  while (p + 4 <= buf.length && buf.readUInt32LE(p) === 0x04034b50) {
    if (buf.readUInt16LE(p + 8) !== 0) throw new Error('unzipStore: only stored entries are supported');
    const size = buf.readUInt32LE(p + 18);
    const nameLen = buf.readUInt16LE(p + 26);
    const extraLen = buf.readUInt16LE(p + 28);
    const name = buf.subarray(p + 30, p + 30 + nameLen).toString('utf8');
    const start = p + 30 + nameLen + extraLen;
    const data = buf.subarray(start, start + size);
    if ((crc32(data) >>> 0) !== buf.readUInt32LE(p + 14)) throw new Error(`unzipStore: bad CRC for ${name}`);
    out.push({ name, data });
    p = start + size;
  }
  return out;
}
