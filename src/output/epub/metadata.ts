/**
 * The package metadata: Dublin Core from the EPUB config and `_config.yml`, a stable
 * identifier, dates from `SOURCE_DATE_EPOCH`, and schema.org accessibility properties that
 * describe what the book really offers (images get `visual` and `alternativeText`, math `MathML`).
 */
import { createHash } from 'node:crypto';
import type { EpubConfig } from '../../config/epub.js';
import type { Book } from '../../model.js';

/** The data our templates read under `bb`. */
export interface TemplateData {
  identifier: string;
  date: string;
  modified: string;
  lang: string;
  /** The authors (`dc:creator`, role `aut`) with the name a library sorts them by. */
  creators: { name: string; fileAs: string }[];
  /** '' unless configured: a publisher is never guessed. */
  publisher: string;
  description: string;
  rights: string;
  subjects: string[];
  accessModes: string[];
  accessModeSufficient: string[];
  accessibilityFeatures: string[];
  accessibilityHazards: string[];
  accessibilitySummary: string;
  depth: number;
  navList: string;
  ncxPoints: string;
  landmarks: string;
  chapters: { id: string; href: string; properties: string }[];
  images: { id: string; href: string; mediaType: string; properties: string }[];
  /** The cover page's file, or '' without a cover. */
  cover: string;
}

/** The metadata part of {@link TemplateData}. */
export type Metadata = Omit<
  TemplateData,
  'depth' | 'navList' | 'ncxPoints' | 'landmarks' | 'chapters' | 'images' | 'cover'
>;

/** A stable `urn:uuid:` from the site URL and title (name-based, SHA-1, like UUID v5). */
export function stableIdentifier(url: string, title: string): string {
  const h = createHash('sha1').update(`${url}\n${title}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** An ISO 8601 UTC time to the second, as `dcterms:modified` requires. */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

const W3CDTF = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** Builds the package metadata of a book. */
export function metadataOf(
  book: Book,
  config: EpubConfig,
  date: Date,
  content: { hasImages: boolean; hasMath: boolean },
): Metadata {
  const { site } = book;
  const features = ['structuralNavigation', 'tableOfContents', 'readingOrder', 'displayTransformability'];
  if (content.hasImages) features.push('alternativeText');
  if (content.hasMath) features.push('MathML');
  const summary =
    config.accessibilitySummary ??
    'Reflowable text with headings in order, a navigable table of contents' +
      (content.hasImages ? ', and images with the alternative text their authors wrote' : '') +
      (content.hasMath ? '; mathematics is written in MathML' : '') +
      '. Not checked against a formal accessibility conformance standard.';
  return {
    identifier: config.identifier ?? stableIdentifier(site.url, book.title),
    date: config.date && W3CDTF.test(config.date) ? config.date : isoSeconds(date),
    modified: isoSeconds(date),
    lang: config.lang,
    creators: (config.creators ?? site.author).map((name) => ({ name, fileAs: fileAs(name) })),
    publisher: config.publisher ?? '',
    description: config.description ?? site.description,
    rights: config.rights ?? '',
    subjects: [...config.subjects],
    accessModes: content.hasImages ? ['textual', 'visual'] : ['textual'],
    accessModeSufficient: ['textual'],
    accessibilityFeatures: features,
    accessibilityHazards: ['none'],
    accessibilitySummary: summary,
  };
}

/** Words that mark a name as an organisation's, which is sorted as written. */
const ORGANISATION =
  /\b(authors|contributors|team|group|project|community|foundation|institute|university|college|school|society|association|council|committee|company|corporation|inc\.?|ltd\.?|llc|press|club|agency|department|lab|laboratory)\b/i;
const SUFFIX = /^(jr\.?|sr\.?|junior|senior|i{1,3}|iv|v|ph\.?d\.?|md|m\.d\.)$/i;

/**
 * The `file-as` of an author, as libraries (and calibre's default) sort names: "Ada Lovelace"
 * as "Lovelace, Ada", "Martin Luther King Jr." as "King, Martin Luther, Jr."; a single word, an
 * organisation or a name already written "Last, First" stays as it is.
 */
export function fileAs(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (n.includes(',') || ORGANISATION.test(n) || /^the\b/i.test(n)) return n;
  const words = n.split(' ');
  const suffixes: string[] = [];
  while (words.length > 2 && SUFFIX.test(words[words.length - 1]!)) suffixes.unshift(words.pop()!);
  if (words.length < 2) return n;
  const last = words.pop()!;
  return [last, words.join(' '), ...suffixes].join(', ');
}
