/**
 * The EPUB's zip container, written by hand because the OCF rules are few and exact: entries
 * in the given order (`mimetype` first, stored, no extra field), fixed times, UTF-8 names.
 * Entries are deflated by Node's zlib on its thread pool, all at once: several times faster
 * than JSZip's JavaScript deflate, and on a second core while there is one.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

/** One file of the archive. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array | string;
  /** Store without compression (the EPUB's `mimetype` must be). */
  readonly store?: boolean;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as zip and PNG use it (zlib's, when this Node has it: it came in 20.15). */
export function crc32(data: Uint8Array): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data);
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time fields of a moment, read in UTC so that every time zone writes the same bytes. */
function dosTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** Builds the archive; every entry gets the same modification time. */
export async function writeZip(entries: readonly ZipEntry[], modified: Date): Promise<Uint8Array> {
  if (entries.length > 0xffff)
    throw new Error(`a zip without zip64 holds at most 65535 entries, not ${entries.length}`);
  const stamp = dosTime(modified);
  const packed = await Promise.all(
    entries.map(async (e) => {
      const raw = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
      const deflated = e.store ? undefined : await deflateRaw(raw, { level: 9 });
      // Deflate only pays when it makes the entry smaller (it does not for PNG or JPEG).
      const method = deflated && deflated.length < raw.length ? 8 : 0;
      return {
        name: Buffer.from(e.name, 'utf8'),
        utf8: /[^\x20-\x7e]/.test(e.name),
        crc: crc32(raw),
        size: raw.length,
        method,
        body: method === 8 ? deflated! : raw,
      };
    }),
  );
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const p of packed) {
    const fields = (head: Buffer, at: number) => {
      head.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
      head.writeUInt16LE(p.utf8 ? 0x0800 : 0, at + 2); // bit 11: the name is UTF-8
      head.writeUInt16LE(p.method, at + 4);
      head.writeUInt16LE(stamp.time, at + 6);
      head.writeUInt16LE(stamp.date, at + 8);
      head.writeUInt32LE(p.crc, at + 10);
      head.writeUInt32LE(p.body.length, at + 14);
      head.writeUInt32LE(p.size, at + 18);
      head.writeUInt16LE(p.name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: MS-DOS attributes, version 2.0
    fields(entry, 6);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, p.name, p.body);
    central.push(entry, p.name);
    offset += local.length + p.name.length + p.body.length;
  }
  if (offset > 0xffffffff) throw new Error('a zip without zip64 holds at most 4 GiB');
  const size = central.reduce((n, c) => n + c.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(packed.length, 8);
  end.writeUInt16LE(packed.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
