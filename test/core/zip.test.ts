// zipStore's archives read back entry for entry (names in UTF-8, bytes unchanged).
import { describe, expect, it } from 'vitest';
import { zipStore } from '../../core/zip.js';
import { unzipStore } from '../zip.js';

describe('zipStore', () => {
  it('round-trips entries through unzipStore', () => {
    const weights = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
    const zip = zipStore([
      { name: 'model.json', data: Buffer.from('{"a":1}') },
      { name: 'gewichte-ü.bin', data: weights.subarray(3) },
    ]);
    const files = unzipStore(zip);
    expect(files.map((f) => f.name)).toEqual(['model.json', 'gewichte-ü.bin']);
    expect(files[0]!.data.toString()).toBe('{"a":1}');
    expect(Array.from(files[1]!.data)).toEqual(Array.from(weights.subarray(3)));
  });
});
