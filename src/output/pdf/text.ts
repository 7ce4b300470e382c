/**
 * The text layer. Chromium writes every soft hyphen (U+00AD, inserted at build time for
 * hyphenation) as a marked-content span whose `/ActualText` is that soft hyphen, so copied or
 * extracted text would be full of invisible characters and search would miss hyphenated words.
 * Emptying that `/ActualText` makes the hyphen points disappear from the text, as in a book.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { contentRefs, type RawPage, type RawPart, streamOf } from './raw/part.js';
import { PdfName } from './raw/syntax.js';
import { ticker } from '../../ticker.js';
import type { HyphenTurnFinder } from './turns.js';

/** What Chromium writes before a soft hyphen's text string; the case of the hex digits may vary. */
const ACTUAL_TEXT = Buffer.from('/ActualText', 'latin1');
const SOFT_HYPHEN_HEX = 'feff00ad>';

/**
 * Empties, in place, every `/ActualText <FEFF00AD>` of a decoded content stream: the string
 * becomes `<>` followed by spaces, so no byte moves (no copy of the stream, no text decoding).
 * Returns whether anything changed.
 */
export function emptySoftHyphenText(bytes: Buffer): boolean {
  let changed = false;
  for (let at = bytes.indexOf(ACTUAL_TEXT); at !== -1; at = bytes.indexOf(ACTUAL_TEXT, at + 1)) {
    let i = at + ACTUAL_TEXT.length;
    while (
      i < bytes.length &&
      (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)
    )
      i++;
    if (bytes[i] !== 0x3c) continue;
    const hex = bytes.toString('latin1', i + 1, i + 1 + SOFT_HYPHEN_HEX.length).toLowerCase();
    if (hex !== SOFT_HYPHEN_HEX) continue;
    bytes[i + 1] = 0x3e;
    bytes.fill(0x20, i + 2, i + 1 + SOFT_HYPHEN_HEX.length);
    changed = true;
  }
  return changed;
}

/**
 * A content stream's bytes, decoded (a copy): Chromium compresses with Flate alone. Undefined
 * for another filter, or no such stream.
 */
export function decodedStream(part: RawPart, num: number): Buffer | undefined {
  const stream = streamOf(part, num);
  if (!stream) return undefined;
  const filter = stream.dict.get('Filter');
  const flate = filter instanceof PdfName && filter.raw === 'FlateDecode' && !stream.dict.has('DecodeParms');
  if (!flate && filter !== undefined) return undefined;
  return flate ? inflateSync(stream.data) : Buffer.from(stream.data);
}

/** A page's content streams, decoded. */
export function pageStreams(part: RawPart, page: RawPage): Buffer[] {
  return contentRefs(part, page).flatMap((ref) => decodedStream(part, ref.num) ?? []);
}

/**
 * Empties the `/ActualText` of soft hyphens in every page's content streams; the streams that
 * change are replaced in the part. zlib runs synchronously, on whole buffers: its asynchronous
 * form works in 16 KiB pieces and cost twice the CPU on a book, CPU that the pages still
 * printing need more than this thread's turn. The event loop gets a turn every few
 * milliseconds, as the pages printing are answered from it. Each page's streams, decoded, are
 * shown to `turns` first (the words hyphenated across a page turn are looked for in them).
 */
export async function dropSoftHyphenText(part: RawPart, turns?: HyphenTurnFinder): Promise<void> {
  const tick = ticker();
  for (const [index, page] of part.pages.entries()) {
    const decoded: { num: number; bytes: Buffer }[] = [];
    for (const ref of contentRefs(part, page)) {
      await tick();
      const bytes = decodedStream(part, ref.num);
      if (bytes) decoded.push({ num: ref.num, bytes });
    }
    turns?.page(
      index,
      decoded.map((d) => d.bytes),
    );
    for (const { num, bytes } of decoded) {
      if (!emptySoftHyphenText(bytes)) continue;
      // Level 1: several times faster than the default for a few percent more bytes.
      const fixed = deflateSync(bytes, { level: 1 });
      part.replaced.set(
        num,
        Buffer.concat([
          Buffer.from(`\n<</Filter /FlateDecode /Length ${fixed.length}>> stream\n`, 'latin1'),
          fixed,
          Buffer.from('\nendstream\n', 'latin1'),
        ]),
      );
    }
  }
}
