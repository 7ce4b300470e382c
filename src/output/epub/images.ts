/**
 * The images of the EPUB: read from the source folder (never fetched from the network), typed
 * by their bytes rather than their extension, given readable stable names, and converted when
 * their format is not one every EPUB 3 reader must show (WebP becomes PNG).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sanitizeSvgFile } from '../../compose/sanitize.js';

/** One image file packed in the EPUB. */
export interface EpubImage {
  /** Path inside OEBPS, e.g. `images/diagram.png`. */
  readonly href: string;
  readonly mediaType: string;
  /** Manifest id. */
  readonly id: string;
  /** The bytes, or a promise of them when a conversion is pending. */
  readonly data: Uint8Array | Promise<Uint8Array>;
}

/** Media types by detected format; the first four are EPUB 3.2 core image types. */
const TYPES = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
} as const;
type Kind = keyof typeof TYPES;

/** Detects an image format from its first bytes (an SVG from its text). */
export function sniffImage(bytes: Uint8Array): Kind | undefined {
  const b = bytes;
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpg';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  const head = Buffer.from(b.subarray(0, 12)).toString('latin1');
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'webp';
  const text = Buffer.from(b.subarray(0, 4096)).toString('utf8');
  if (/<svg[\s>]/.test(text)) return 'svg';
  return undefined;
}

/** Why an image could not be packed. */
export type ImageProblem = 'unreadable' | 'unknown-format';

/** Collects the book's images, each stored once however often it is used. */
export class ImageStore {
  readonly #byHash = new Map<string, EpubImage>();
  /** Files already read: a book shows the same logo or figure on many pages. */
  readonly #byPath = new Map<string, EpubImage | ImageProblem>();
  readonly #names = new Set<string>();
  readonly #list: EpubImage[] = [];

  /** Adds the file at `absPath`; returns its image or the reason it cannot be packed. */
  addFile(absPath: string, name: string): EpubImage | ImageProblem {
    let image = this.#byPath.get(absPath);
    if (image === undefined) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = readFileSync(absPath);
      } catch {
        bytes = undefined;
      }
      image = bytes ? this.addBytes(bytes, name) : 'unreadable';
      this.#byPath.set(absPath, image);
    }
    return image;
  }

  /** Adds image bytes under a name hint (the file name the author used). */
  addBytes(raw: Uint8Array, name: string, fixedStem?: string): EpubImage | ImageProblem {
    const kind = sniffImage(raw);
    if (!kind) return 'unknown-format';
    // An SVG is a document: it ships only after the sanitiser, like inline SVG.
    const bytes = kind === 'svg' ? Buffer.from(sanitizeSvgFile(Buffer.from(raw).toString('utf8')).svg) : raw;
    const hash = createHash('sha1').update(bytes).digest('hex');
    const known = this.#byHash.get(hash + (fixedStem ?? ''));
    if (known) return known;
    const outKind: Kind = kind === 'webp' ? 'png' : kind;
    const stem = fixedStem ?? this.#freeStem(readableStem(name), outKind);
    const href = fixedStem ? `${stem}.${outKind}` : `images/${stem}.${outKind}`;
    const image: EpubImage = {
      href,
      mediaType: TYPES[outKind],
      id: fixedStem ? 'cover-image' : `img-${this.#list.length + 1}`,
      data: kind === 'webp' ? webpToPng(bytes) : bytes,
    };
    this.#byHash.set(hash + (fixedStem ?? ''), image);
    this.#list.push(image);
    return image;
  }

  #freeStem(stem: string, ext: string): string {
    let s = stem;
    for (let n = 2; this.#names.has(`${s}.${ext}`); n++) s = `${stem}-${n}`;
    this.#names.add(`${s}.${ext}`);
    return s;
  }

  /** Every image, in the order first used. */
  list(): readonly EpubImage[] {
    return this.#list;
  }
}

/** A file-name stem safe in a zip and a URL: ASCII letters, digits, `-` and `_`. */
export function readableStem(name: string): string {
  const base = posix.basename(name).replace(/\.[^.]*$/, '');
  const ascii = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 60);
  return ascii || 'image';
}

interface Decoded {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
type WebpModule = {
  default: (buffer: ArrayBuffer) => Promise<Decoded>;
  init: (module: WebAssembly.Module) => Promise<void>;
};
let webpDecoder: Promise<WebpModule['default']> | undefined;

/** Loads the WebP decoder (WebAssembly, from Squoosh) once, from its file on disk. */
async function loadWebp(): Promise<WebpModule['default']> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@jsquash/webp/decode.js');
  const mod = (await import(pathToFileURL(entry).href)) as WebpModule;
  const wasm = await WebAssembly.compile(readFileSync(join(dirname(entry), 'codec', 'dec', 'webp_dec.wasm')));
  await mod.init(wasm);
  return mod.default;
}

/** Decodes a WebP image and encodes it as PNG (lossless, so nothing is lost twice). */
export async function webpToPng(bytes: Uint8Array): Promise<Uint8Array> {
  webpDecoder ??= loadWebp();
  const decode = await webpDecoder;
  const copy = new Uint8Array(bytes);
  const img = await decode(copy.buffer);
  const { encode: encodePng } = await import('fast-png');
  return encodePng({
    width: img.width,
    height: img.height,
    data: new Uint8Array(img.data.buffer),
    channels: 4,
  });
}
