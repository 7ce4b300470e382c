/**
 * epub-gen-memory as our packager: it renders our ejs templates (package document, NCX,
 * navigation document, chapters) into its zip. What it would do to content we bypass: chapters
 * reach it already converted (its HTML clean-up drops `width`, `viewBox` and many more
 * attributes and invents `alt="image-placeholder"`), and images and the cover are added here
 * from the source folder instead of being fetched. The zip is then written anew, byte-for-byte
 * reproducibly: `mimetype` first and stored, a fixed entry order and fixed times.
 */
import { EPub, type Options } from 'epub-gen-memory';
import { writeZip } from './zip.js';

/** A file added to the EPUB beside what the templates produce (path inside OEBPS). */
export interface ExtraFile {
  readonly path: string;
  readonly data: Uint8Array | string;
}

/** Packages chapters whose XHTML bodies are already final. */
export class BookEpub extends EPub {
  readonly #bodies: readonly string[];

  /** `content` names the chapter files; `bodies` are their finished XHTML bodies, in order. */
  constructor(options: Options, content: readonly { title: string; filename: string }[], bodies: readonly string[]) {
    // epub-gen-memory would "normalise" real content; it only ever sees an empty paragraph.
    super(
      options,
      content.map((c) => ({ ...c, content: '<p></p>' })),
    );
    this.#bodies = bodies;
    // The typings of `content` come from type-fest, which is not installed: name the one field.
    (this.content as unknown as { content: string }[]).forEach((c, i) => {
      c.content = this.#bodies[i] ?? '';
    });
  }

  /** Renders the templates, then writes the final zip with the extra files. */
  async packageWith(extra: readonly ExtraFile[], date: Date): Promise<Uint8Array> {
    await this.render();
    const files = new Map<string, Uint8Array | string>();
    for (const name of Object.keys(this.zip.files)) {
      const f = this.zip.files[name]!;
      if (name === 'mimetype' || f.dir) continue;
      files.set(name, await f.async('uint8array'));
    }
    for (const e of extra) files.set(`OEBPS/${e.path}`, e.data);
    const names = [...files.keys()].sort((a, b) =>
      a === 'META-INF/container.xml' ? -1 : b === 'META-INF/container.xml' ? 1 : a < b ? -1 : a > b ? 1 : 0,
    );
    return writeZip(
      [
        { name: 'mimetype', data: 'application/epub+zip', store: true },
        ...names.map((name) => ({ name, data: files.get(name)! })),
      ],
      date,
    );
  }
}
