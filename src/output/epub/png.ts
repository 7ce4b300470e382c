/**
 * A PNG encoder for opaque pictures (the generated cover): 8-bit RGB, each row filtered "Up",
 * deflated by Node's zlib, which is several times faster than the JavaScript deflaters.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes RGBA pixels (alpha ignored: the picture is opaque) as an RGB PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const stride = width * 3;
  const above = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  let o = 0;
  for (let y = 0, s = 0; y < height; y++) {
    raw[o++] = 2; // filter type Up: each byte is the difference from the one above it
    for (let x = 0; x < width; x++, s += 4) {
      if (y === 0) {
        raw[o++] = rgba[s]!;
        raw[o++] = rgba[s + 1]!;
        raw[o++] = rgba[s + 2]!;
      } else {
        raw[o++] = rgba[s]! - rgba[s - above]!;
        raw[o++] = rgba[s + 1]! - rgba[s + 1 - above]!;
        raw[o++] = rgba[s + 2]! - rgba[s + 2 - above]!;
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
