/**
 * The text layer. Chromium writes every soft hyphen (U+00AD, inserted at build time for
 * hyphenation) as a marked-content span whose `/ActualText` is that soft hyphen, so copied or
 * extracted text would be full of invisible characters and search would miss hyphenated words.
 * Emptying that `/ActualText` makes the hyphen points disappear from the text, as in a book.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import {
  decodePDFRawStream,
  PDFArray,
  type PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
} from 'pdf-lib';

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

/** A content stream's bytes: Node's zlib for the usual single Flate filter (many times pdf-lib's speed). */
function contentBytes(stream: PDFRawStream): Buffer {
  const filter = stream.dict.get(PDFName.of('Filter'));
  if (filter === PDFName.of('FlateDecode') && !stream.dict.has(PDFName.of('DecodeParms')))
    return inflateSync(stream.contents);
  return Buffer.from(decodePDFRawStream(stream).decode());
}

/**
 * Empties the `/ActualText` of soft hyphens in every page's content streams. zlib runs
 * synchronously, on whole buffers: its asynchronous form works in 16 KiB pieces and cost twice
 * the CPU on a book, CPU that the pages still printing need more than this thread's turn.
 */
export function dropSoftHyphenText(doc: PDFDocument): void {
  const { context } = doc;
  const refs: PDFRef[] = [];
  for (const page of doc.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    if (contents instanceof PDFArray) {
      for (let i = 0; i < contents.size(); i++) {
        const r = contents.get(i);
        if (r instanceof PDFRef) refs.push(r);
      }
    } else if (contents instanceof PDFRef) refs.push(contents);
  }
  for (const ref of refs) {
    const stream = context.lookup(ref);
    if (!(stream instanceof PDFRawStream)) continue;
    const bytes = contentBytes(stream);
    if (!emptySoftHyphenText(bytes)) continue;
    // Level 1: several times faster than the default for a few percent more bytes.
    const fixed = deflateSync(bytes, { level: 1 });
    const dict = context.obj({ Filter: 'FlateDecode', Length: PDFNumber.of(fixed.length) });
    context.assign(ref, PDFRawStream.of(dict, fixed));
  }
}
