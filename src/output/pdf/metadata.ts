/**
 * Document information, language and a reproducible save: with `SOURCE_DATE_EPOCH` every date
 * comes from it, Chromium's XMP packet (which carries its own clock and a random UUID) is
 * dropped, and the file identifier is a hash of the content, so two builds are byte-identical.
 */
import { createHash } from 'node:crypto';
import {
  PDFArray,
  PDFDict,
  type PDFDocument,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFString,
} from 'pdf-lib';
import type { Book } from '../../model.js';

/** What the document information says. */
export interface PdfMetadata {
  readonly title: string;
  readonly author: readonly string[];
  readonly subject: string;
  readonly keywords: readonly string[];
  readonly lang: string;
}

/** The metadata of a book: `_config.yml`'s title, author, description and `keywords`. */
export function bookMetadata(book: Book): PdfMetadata {
  const { site } = book;
  const raw = site.data.keywords;
  const keywords = Array.isArray(raw)
    ? raw.filter((k): k is string => typeof k === 'string')
    : typeof raw === 'string'
      ? raw.split(',').map((k) => k.trim())
      : [];
  return {
    title: book.title,
    author: site.author,
    subject: site.description,
    keywords: keywords.filter((k) => k !== ''),
    lang: site.lang,
  };
}

/** Sets the document information and the catalog language; dates from the epoch or now. */
export function setMetadata(doc: PDFDocument, meta: PdfMetadata, epoch: number | undefined): void {
  const date = epoch === undefined ? new Date() : new Date(epoch * 1000);
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  if (meta.author.length > 0) doc.setAuthor(meta.author.join(', '));
  if (meta.subject) doc.setSubject(meta.subject);
  if (meta.keywords.length > 0) doc.setKeywords([...meta.keywords]);
  doc.setProducer('bookbinder (Chromium, pdf-lib)');
  doc.setCreator('bookbinder');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  doc.catalog.set(PDFName.of('Lang'), PDFString.of(meta.lang));
  // Chromium's XMP repeats the dates from its own clock; the Info dictionary is the one kept.
  doc.catalog.delete(PDFName.of('Metadata'));
}

/**
 * Saves the document with a file identifier derived from its content (no clock, no random):
 * saved once with a placeholder identifier, which is then overwritten in place by the MD5 of
 * those bytes (the same length, so no offset moves).
 */
export async function saveReproducibly(doc: PDFDocument): Promise<Uint8Array> {
  const placeholder = PDFHexString.of('0'.repeat(32));
  const ids = PDFArray.withContext(doc.context);
  ids.push(placeholder);
  ids.push(placeholder);
  doc.context.trailerInfo.ID = ids;
  // objectsPerTick: pdf-lib otherwise yields to the event loop every 50 objects (seconds on a book).
  const bytes = Buffer.from(
    await doc.save({
      useObjectStreams: false,
      updateFieldAppearances: false,
      objectsPerTick: Number.POSITIVE_INFINITY,
    }),
  );
  const marker = Buffer.from(`<${'0'.repeat(32)}>`, 'latin1');
  const at = bytes.lastIndexOf(Buffer.from('trailer', 'latin1'));
  const first = bytes.indexOf(marker, at);
  const second = bytes.indexOf(marker, first + marker.length);
  if (at === -1 || first === -1 || second === -1)
    throw new Error('pdf save: the file identifier was not written');
  const id = Buffer.from(`<${createHash('md5').update(bytes).digest('hex')}>`, 'latin1');
  id.copy(bytes, first);
  id.copy(bytes, second);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Chromium names tagged-structure elements after its DOM node numbers (`node00000330`), which
 * differ from one run to the next. They are renumbered in their own order, which keeps the
 * `/IDTree` sorted and the `/Headers` references of table cells intact.
 */
export function normaliseStructureIds(doc: PDFDocument): void {
  const found = new Set<string>();
  const visit = (
    obj: PDFObject,
    fn: (s: PDFString | PDFHexString) => PDFObject | undefined,
  ): PDFObject | undefined => {
    if (obj instanceof PDFString || obj instanceof PDFHexString) return fn(obj);
    if (obj instanceof PDFDict) {
      for (const [k, v] of obj.entries()) {
        const r = visit(v, fn);
        if (r) obj.set(k, r);
      }
    } else if (obj instanceof PDFArray) {
      for (let i = 0; i < obj.size(); i++) {
        const r = visit(obj.get(i), fn);
        if (r) obj.set(i, r);
      }
    }
    return undefined;
  };
  const objects = doc.context.enumerateIndirectObjects().map(([, o]) => o);
  for (const o of objects)
    visit(o, (s) => {
      if (NODE_ID.test(s.decodeText())) found.add(s.decodeText());
      return undefined;
    });
  const order = [...found].sort();
  const width = String(order.length).length;
  const renamed = new Map(order.map((id, i) => [id, `node${String(i).padStart(width, '0')}`]));
  for (const o of objects)
    visit(o, (s) => {
      const to = renamed.get(s.decodeText());
      return to === undefined ? undefined : PDFString.of(to);
    });
}

const NODE_ID = /^node\d+$/;
