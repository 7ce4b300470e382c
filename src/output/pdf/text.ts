/**
 * The text layer. Chromium writes every soft hyphen (U+00AD, inserted at build time for
 * hyphenation) as a marked-content span whose `/ActualText` is that soft hyphen, so copied or
 * extracted text would be full of invisible characters and search would miss hyphenated words.
 * Emptying that `/ActualText` makes the hyphen points disappear from the text, as in a book.
 */
import { decodePDFRawStream, PDFArray, type PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';

const SOFT_HYPHEN_TEXT = /\/ActualText\s*<feff00ad>/gi;

/** Empties the `/ActualText` of soft hyphens in every page's content streams. */
export function dropSoftHyphenText(doc: PDFDocument): void {
  const { context } = doc;
  for (const page of doc.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    const refs: PDFRef[] = [];
    if (contents instanceof PDFArray) {
      for (let i = 0; i < contents.size(); i++) {
        const r = contents.get(i);
        if (r instanceof PDFRef) refs.push(r);
      }
    } else if (contents instanceof PDFRef) refs.push(contents);
    for (const ref of refs) {
      const stream = context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) continue;
      const text = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
      if (text.search(SOFT_HYPHEN_TEXT) === -1) continue;
      const fixed = Buffer.from(text.replace(SOFT_HYPHEN_TEXT, '/ActualText <>'), 'latin1');
      context.assign(ref, context.flateStream(fixed));
    }
  }
}
