/**
 * The book model: what loading, ordering and rendering produce. Types only; every stage reads
 * and returns these readonly shapes, so PDF and EPUB never go back to the disk or the Markdown.
 */

/** Where something was written: a path relative to the source folder and a 1-based line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** Front matter as Jekyll and just-the-docs read it (unknown keys are kept in `data`). */
export interface FrontMatter {
  readonly title?: string;
  /** The title was written as a YAML number (it sorts in the numeric run). */
  readonly titleIsNumber?: boolean;
  readonly parent?: string;
  readonly grandParent?: string;
  readonly ancestor?: string;
  /** A number or a string, as written; anything else was rejected at load time. */
  readonly navOrder?: number | string;
  readonly navExclude: boolean;
  /** `false` hides the page's children; `undefined` and `true` show them. */
  readonly hasChildren?: boolean;
  readonly childNavOrder?: 'asc' | 'desc';
  readonly permalink?: string;
  readonly layout?: string;
  /** The whole front matter mapping, for Liquid's `page.*`. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The file line of each top-level key, for diagnostics. */
  readonly lines: Readonly<Record<string, number>>;
}

/** One Markdown file with front matter: a Jekyll page. */
export interface Page {
  /** Path relative to the source folder, with forward slashes. */
  readonly source: string;
  /** Absolute path on disk. */
  readonly absPath: string;
  readonly front: FrontMatter;
  /** The Markdown after the front matter. */
  readonly body: string;
  /** The 1-based line of the source file on which `body` starts. */
  readonly bodyLine: number;
  /**
   * Set when Liquid moved lines: for each 0-based line of `body`, the line of the body as
   * written that it came from (diagnostics report the written line).
   */
  readonly sourceLines?: readonly number[];
  /** The site URL Jekyll gives this page, without baseurl (e.g. `/docs/sex/sex/`). */
  readonly url: string;
  /** Set when the file is a document of a Jekyll collection rather than a page. */
  readonly collection?: DocumentOf;
  /**
   * Set on the page bookbinder makes to head a collection in the book (just-the-docs' nav
   * category): its title is the collection's `name`; it has no file, no body and no URL.
   */
  readonly collectionPart?: string;
}

/** Which collection a document belongs to, and its path as Jekyll names it. */
export interface DocumentOf {
  /** The collection's label (`tutorials` for `_tutorials/`). */
  readonly label: string;
  /** Jekyll's `relative_path`: from the collections folder, e.g. `_tutorials/intro.md`. */
  readonly relativePath: string;
}

/** A page placed in the book: the navigation tree flattened in reading order. */
export interface Chapter {
  readonly page: Page;
  /** The title shown in the navigation. */
  readonly title: string;
  /** 0 for top-level pages. */
  readonly depth: number;
  /** A book-wide unique id, used as the chapter's anchor and EPUB file stem. */
  readonly id: string;
  /** Index of the parent chapter in the book's chapter list, if any. */
  readonly parentIndex?: number;
}

/** A heading inside a rendered chapter. */
export interface Heading {
  readonly level: number;
  readonly text: string;
  /** Book-wide unique id. */
  readonly id: string;
  /** `{: .no_toc}` headings stay out of contents lists and bookmarks. */
  readonly noToc: boolean;
}

/** An asset (image) a chapter refers to, resolved inside the source folder. */
export interface Asset {
  /** Path relative to the source folder, forward slashes. */
  readonly source: string;
  readonly absPath: string;
}

/** A chapter after Markdown rendering. Its HTML holds link placeholders resolved per output. */
export interface RenderedChapter {
  readonly chapter: Chapter;
  readonly html: string;
  readonly headings: readonly Heading[];
  /** `<style>` blocks found in the page, in order (hoisted and de-duplicated at compose time). */
  readonly styles: readonly string[];
  readonly assets: readonly Asset[];
  /** Ids as the page wrote them (kramdown's) → ids in the stitched book. */
  readonly anchors: Readonly<Record<string, string>>;
  /**
   * The title as the page's own first heading writes it, when that heading repeats the
   * front-matter title up to case and quotes: printed as the chapter heading, as the site shows.
   */
  readonly pageTitle?: string;
}

/** Site-wide settings read from `_config.yml` and the build options. */
export interface SiteConfig {
  readonly title: string;
  readonly author: readonly string[];
  readonly description: string;
  readonly lang: string;
  readonly url: string;
  readonly baseurl: string;
  readonly permalink: string;
  readonly navSort: 'case_sensitive' | 'case_insensitive';
  /** Jekyll 4 compares number-like strings as numbers; Jekyll 3 (classic GitHub Pages) as text. */
  readonly jekyllVersion: 3 | 4;
  readonly exclude: readonly string[];
  readonly include: readonly string[];
  /** The whole mapping, for Liquid's `site.*`. */
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * The text of `_config.yml` as the config stage read it ('' or absent without one): later
   * stages find the line of a key in it, and never read the file again.
   */
  readonly configText?: string;
}

/** A book's own look: stylesheets after the built-in ones, a title page template. */
export interface Theme {
  /** CSS texts, in order, added after bookbinder's styles (use `@media print` for print only). */
  readonly css: readonly string[];
  /** Replaces `templates/title-page.html`; `{{title}}`, `{{author}}`, `{{description}}` slots. */
  readonly titlePage?: string;
  /** The site's own `styles/book.css`, replacing bookbinder's in every output (HTML, PDF, EPUB, preview). */
  readonly bookCss?: string;
}

/** The whole book, ready for the outputs. */
export interface Book {
  readonly site: SiteConfig;
  readonly title: string;
  readonly chapters: readonly RenderedChapter[];
  readonly theme?: Theme;
}
