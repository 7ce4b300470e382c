/**
 * A site sent as an archive (serve's POST /render): zip, tar and .tar.gz unpack into the folder,
 * and the safety rules hold for every kind — no entry leaves the folder, no link (symbolic or
 * hard) or device is created, entries and bytes are bounded, a gzip bomb stops with a coded
 * refusal after one chunk at a time.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';
import JSZip from 'jszip';
import { pack, type Header } from 'tar-stream';
import { type ArchiveKind, SITE_LIMITS, unpackSite } from '../../src/service/site.js';

type Entry = Partial<Header> & { name: string; body?: string };

/** A tar of `entries`, made by tar-stream (as GNU tar lays it out). */
async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  for (const { body, ...header } of entries) p.entry(header, body ?? '');
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** A ustar header of a regular file declaring `size` bytes (the bytes need not follow). */
function fileHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** `mib` MiB of zeros as concatenated gzip members (about 1 KiB each per MiB): a bomb. */
function zerosGzipped(mib: number): Buffer {
  const member = gzipSync(Buffer.alloc(1 << 20));
  return Buffer.concat(Array.from({ length: mib }, () => member));
}

/**
 * A zip of one entry holding `mib` MiB of zeros (about 1 KiB per MiB) that declares itself 1 KiB
 * long: deflate blocks of a MiB each, flushed so that they join into one stream.
 */
function zipBomb(mib: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_SYNC_FLUSH });
  const data = Buffer.concat([...Array.from({ length: mib }, () => block), deflateRawSync(Buffer.alloc(0))]);
  const name = Buffer.from('site/zeros.txt');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(1024, 22); // the lie
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(1024, 24);
  central.writeUInt16LE(name.length, 28);
  const cdOffset = local.length + name.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

const SITE: readonly Entry[] = [
  { name: 'site/_config.yml', body: 'title: Tarred\n' },
  { name: 'site/docs', type: 'directory' },
  { name: 'site/docs/a.md', body: '# A\n' },
];

describe('site archives (serve)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bb-site-archive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const unpack = (body: Uint8Array, kind: ArchiveKind) => unpackSite(body, kind, dir);
  const codeOf = async (body: Uint8Array, kind: ArchiveKind) =>
    (await unpack(body, kind))?.diagnostics.map((d) => d.code);

  it('unpacks a tar and a gzip-compressed tar into the folder', async () => {
    const tar = await tarOf(SITE);
    for (const body of [tar, gzipSync(tar)]) {
      rmSync(join(dir, 'site'), { recursive: true, force: true });
      assert.equal(await unpack(body, 'tar'), undefined);
      assert.equal(readFileSync(join(dir, 'site/_config.yml'), 'utf8'), 'title: Tarred\n');
      assert.equal(readFileSync(join(dir, 'site/docs/a.md'), 'utf8'), '# A\n');
    }
  });

  it('keeps long names (pax headers), as git archive and GNU tar write them', async () => {
    const long = `site/${'d'.repeat(120)}/${'f'.repeat(100)}.md`;
    assert.equal(await unpack(await tarOf([{ name: long, body: 'long' }]), 'tar'), undefined);
    assert.equal(readFileSync(join(dir, long), 'utf8'), 'long');
  });

  it('refuses entries that would leave the folder, in a tar as in a zip', async () => {
    for (const name of ['../escape.md', 'site/../../escape.md', '/tmp/bb-absolute.md']) {
      assert.deepEqual(await codeOf(await tarOf([{ name, body: 'x' }]), 'tar'), ['site/unsafe-path'], name);
      const zip = new JSZip();
      zip.file(name, 'x');
      assert.deepEqual(
        await codeOf(await zip.generateAsync({ type: 'uint8array' }), 'zip'),
        ['site/unsafe-path'],
        name,
      );
    }
    assert.ok(!existsSync(join(dir, '..', 'escape.md')));
    assert.ok(!existsSync('/tmp/bb-absolute.md'));
  });

  it('refuses symbolic and hard links, devices and fifos, creating none of them', async () => {
    const cases: [Entry, string][] = [
      [{ name: 'site/passwd', type: 'symlink', linkname: '/etc/passwd' }, 'site/link'],
      [{ name: 'site/hard', type: 'link', linkname: '/etc/passwd' }, 'site/link'],
      [{ name: 'site/null', type: 'character-device', devmajor: 1, devminor: 3 }, 'site/special-file'],
      [{ name: 'site/disk', type: 'block-device', devmajor: 8, devminor: 0 }, 'site/special-file'],
      [{ name: 'site/pipe', type: 'fifo' }, 'site/special-file'],
    ];
    for (const [entry, code] of cases) {
      assert.deepEqual(await codeOf(await tarOf([SITE[0]!, entry]), 'tar'), [code], entry.type);
      assert.deepEqual(readdirSync(join(dir, 'site')), ['_config.yml'], entry.type);
    }
  });

  it('refuses a file whose declared size is over the budget before writing any of it', async () => {
    const body = Buffer.concat([gzipSync(fileHeader('site/big.md', SITE_LIMITS.bytes + 1)), zerosGzipped(4)]);
    assert.deepEqual(await codeOf(body, 'tar'), ['site/too-large']);
    assert.ok(!existsSync(join(dir, 'site/big.md')));
  });

  it('stops a gzip bomb where it inflates past the bound, with a coded refusal', async function () {
    this.timeout(60_000);
    // 300 KiB inflating to 300 MiB of zeros: blocks a tar reader skips, so only the bound stops it.
    const bomb = zerosGzipped(300);
    assert.ok(bomb.length < 1_000_000);
    const r = await unpack(bomb, 'tar');
    assert.deepEqual(
      r?.diagnostics.map((d) => d.code),
      ['site/too-large'],
    );
    assert.match(r?.diagnostics[0]?.message ?? '', /inflates to over/);
  });

  it('stops a zip bomb that lies about its size at the bound, never holding it in memory', async function () {
    this.timeout(60_000);
    const bomb = zipBomb(300);
    assert.ok(bomb.length < 1_000_000);
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5);
    const r = await unpack(bomb, 'zip');
    clearInterval(sample);
    assert.deepEqual(
      r?.diagnostics.map((d) => d.code),
      ['site/too-large'],
    );
    // Inflated whole, the entry would be 300 MiB of buffers; streamed, a few chunks at a time.
    assert.ok(peak < 64 * 2 ** 20, `peak ${Math.round(peak / 2 ** 20)} MiB of buffers`);
  });

  it('refuses an archive of too many entries', async () => {
    const many = Array.from({ length: SITE_LIMITS.files + 1 }, (_, i) => ({
      name: `d${i}`,
      type: 'directory' as const,
    }));
    assert.deepEqual(await codeOf(await tarOf(many), 'tar'), ['site/too-large']);
  });

  it('gives site/bad-archive for a body that is not a tar or is cut short', async () => {
    assert.deepEqual(await codeOf(gzipSync(Buffer.from('not a tar at all')), 'tar'), ['site/bad-archive']);
    const tar = await tarOf(SITE);
    assert.deepEqual(await codeOf(tar.subarray(0, 700), 'tar'), ['site/bad-archive']);
    assert.deepEqual(await codeOf(gzipSync(tar).subarray(0, 40), 'tar'), ['site/bad-archive']);
  });
});
