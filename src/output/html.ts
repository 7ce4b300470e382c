/** The stitched HTML book, with the images it uses copied beside it. */
import type { ReferenceStyle } from '../compose/finalize.js';
import { stitch } from '../compose/stitch.js';
import type { Book } from '../model.js';

/** The folder, beside `NAME.html`, that holds the book's images. */
export function assetsFolder(name: string): string {
  return `${name}_files`;
}

/** Renders the HTML book; asset URLs point into `NAME_files/`. */
export function renderHtml(book: Book, name: string): string {
  const style: ReferenceStyle = {
    chapterHref: (chapterId, bookId) => `#${bookId ?? chapterId}`,
    assetUrl: (source) => `${assetsFolder(name)}/${source.split('/').map(encodeURIComponent).join('/')}`,
  };
  return stitch(book, { medium: 'screen', style });
}
