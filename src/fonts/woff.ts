/**
 * WOFF 1.0 to the OpenType font it wraps: each table inflated with Node's zlib. fontkit reads
 * WOFF itself, but inflates in JavaScript, table by table, on first use: for the cover's few
 * lines that was most of the time spent shaping them.
 */
import { inflateSync } from 'node:zlib';

/** The sfnt (TrueType/OpenType) bytes of a WOFF file; anything else is returned as it is. */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (woff.byteLength < 44 || view.getUint32(0) !== 0x774f4646) return woff; // 'wOFF'
  const count = view.getUint16(12);
  const tables: { tag: number; checksum: number; data: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const at = 44 + i * 20;
    const offset = view.getUint32(at + 4);
    const compressed = view.getUint32(at + 8);
    const length = view.getUint32(at + 12);
    const bytes = woff.subarray(offset, offset + compressed);
    tables.push({
      tag: view.getUint32(at),
      checksum: view.getUint32(at + 16),
      data: compressed < length ? inflateSync(bytes) : bytes,
    });
  }
  // The sfnt header and table directory, then each table padded to four bytes.
  let size = 12 + 16 * count;
  for (const t of tables) size += (t.data.length + 3) & ~3;
  const out = new Uint8Array(size);
  const sfnt = new DataView(out.buffer);
  let entrySelector = 0;
  while (2 ** (entrySelector + 1) <= count) entrySelector++;
  sfnt.setUint32(0, view.getUint32(4)); // the flavor: TrueType or CFF
  sfnt.setUint16(4, count);
  sfnt.setUint16(6, 2 ** entrySelector * 16);
  sfnt.setUint16(8, entrySelector);
  sfnt.setUint16(10, count * 16 - 2 ** entrySelector * 16);
  let pos = 12 + 16 * count;
  tables.forEach((t, i) => {
    const at = 12 + 16 * i;
    sfnt.setUint32(at, t.tag);
    sfnt.setUint32(at + 4, t.checksum);
    sfnt.setUint32(at + 8, pos);
    sfnt.setUint32(at + 12, t.data.length);
    out.set(t.data, pos);
    pos += (t.data.length + 3) & ~3;
  });
  return out;
}
