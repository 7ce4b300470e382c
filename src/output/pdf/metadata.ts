/**
 * What the document information says, from the book's settings. The join writes it (dates from
 * `SOURCE_DATE_EPOCH` when set) and leaves out Chromium's XMP packet, which carries its own
 * clock and a random UUID, so that two builds are byte-identical.
 */
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
