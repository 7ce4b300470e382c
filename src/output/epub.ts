/** The EPUB output; its parts live in `src/output/epub/`. */
export { epubFileName, type EpubOptions, renderEpub, stableIdentifier, startCover } from './epub/index.js';
