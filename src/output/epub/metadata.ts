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
    publisher: config.publisher ?? (site.author.join(', ') || book.title),
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
