/**
 * The EPUB's zip container, written by hand because the OCF rules are few and exact: entries
 * in the given order (`mimetype` first, stored, no extra field), fixed times, UTF-8 names.
 *
 * Entries are deflated by Node's zlib. Small entries (nearly all of a book: chapters, nav, CSS)
 * are deflated synchronously with a window no larger than the entry: an asynchronous call costs
 * a thread-pool hop and a full 256 KiB zlib state each, and 10,000 of them at once took 30 times
 * the CPU of the deflating itself, most of it in page faults and garbage collection. A window
 * that covers the whole entry finds the same matches. Level 6 (zlib's default), with a hash
 * table fitted to the window too: at level 9 the deflate of a 10,000-page site's EPUB took
 * twice the CPU (0.8 against 0.4 s, a tenth of it system time in the page faults of the full
 * 256 KiB state) for an archive 0.1% smaller. The bytes depend only on the input and these
 * fixed settings, so builds stay reproducible. Large entries (images, huge chapters) still go
 * to the thread pool, a few at a time.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw);

/** Deflate's level: zlib's default, nearly level 9's size for half its time on book text. */
const LEVEL = 6;
/** Entries from this size on are deflated on the thread pool; smaller ones synchronously. */
const ASYNC_FROM = 1 << 18;
/** How many large entries are deflated at once (Node's thread pool has four threads). */
const ASYNC_AT_ONCE = 4;
/** Synchronous entries between two turns of the event loop, so signals and timers are served. */
const YIELD_EVERY = 256;

/**
 * Deflate's window for `size` bytes: the smallest that still reaches back over the whole entry
 * (zlib keeps 262 bytes of look-ahead out of the window), so the output equals a full window's.
 */
export function windowBitsFor(size: number): number {
  return Math.max(9, Math.min(15, Math.ceil(Math.log2(size + 262))));
}

/** Deflates one entry: synchronously with a fitted window when small, else on the thread pool. */
async function deflate(raw: Uint8Array): Promise<Uint8Array> {
  if (raw.length >= ASYNC_FROM) return deflateRaw(raw, { level: LEVEL });
  const windowBits = windowBitsFor(raw.length);
  // The hash table in step with the window (zlib's memLevel 8 goes with a 15-bit window).
  return zlib.deflateRawSync(raw, { level: LEVEL, windowBits, memLevel: Math.max(1, windowBits - 7) });
}

/** Runs `work` over `items` with at most `limit` at once, keeping the order of the results. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

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
  const raws = entries.map((e) => (typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data));
  const deflated = new Map<number, Uint8Array>();
  const toDeflate = entries.map((_, i) => i).filter((i) => !entries[i]!.store);
  const large = toDeflate.filter((i) => raws[i]!.length >= ASYNC_FROM);
  // The large entries deflate on the thread pool while the small ones deflate here.
  const largeDone = mapLimited(
    large,
    ASYNC_AT_ONCE,
    async (i) => void deflated.set(i, await deflate(raws[i]!)),
  );
  let sinceYield = 0;
  for (const i of toDeflate) {
    if (raws[i]!.length >= ASYNC_FROM) continue;
    deflated.set(i, await deflate(raws[i]!));
    if (++sinceYield === YIELD_EVERY) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await largeDone;
  const packed = entries.map((e, i) => {
    const raw = raws[i]!;
    const body = deflated.get(i);
    // Deflate only pays when it makes the entry smaller (it does not for PNG or JPEG).
    const method = body && body.length < raw.length ? 8 : 0;
    return {
      name: Buffer.from(e.name, 'utf8'),
      utf8: /[^\x20-\x7e]/.test(e.name),
      crc: crc32(raw),
      size: raw.length,
      method,
      body: method === 8 ? body! : raw,
    };
  });
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
