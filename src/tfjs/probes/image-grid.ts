/**
 * A tiny PNG encoder (node:zlib deflate, no native dependencies) and an image-grid renderer that
 * tiles a batch of images with a numeric label under each, for D7 "show the batch".
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, (crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0);
  return out;
}

/**
 * Encodes 8-bit grey (`channels` 1) or RGB (`channels` 3) pixels, row-major, as a PNG file.
 * @example
 * const png = encodePng(2, 1, 1, new Uint8Array([0, 255])); // a black and a white pixel
 */
export function encodePng(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): Uint8Array {
  if (pixels.length !== width * height * channels) throw new Error(`encodePng: expected ${width * height * channels} bytes, got ${pixels.length}`);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type: grey or truecolour
  // compression, filter, interlace: 0
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', new Uint8Array(deflateSync(raw))),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** 3x5 bitmap glyphs (rows top to bottom, 3 bits each, MSB = left) for label text. */
const GLYPHS: Record<string, readonly number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '-': [0, 0, 7, 0, 0],
  '.': [0, 0, 0, 0, 2],
  '?': [7, 1, 3, 0, 2],
  ' ': [0, 0, 0, 0, 0],
};
const GLYPH_W = 3;
const GLYPH_H = 5;

/** How raw values map to 0..255 for display. */
export interface DisplayRange {
  readonly low: number;
  readonly high: number;
  /** `[0,1]`, `[-1,1]`, `[0,255]` or `min-max` (none of the usual ranges fit). */
  readonly name: string;
}

/**
 * The display mapping for values within [min, max]: the usual image ranges when they fit, else min-max.
 * @example
 * displayRange(0, 1) // { low: 0, high: 1, name: '[0,1]' }
 */
export function displayRange(min: number, max: number): DisplayRange {
  if (min >= 0 && max <= 1) return { low: 0, high: 1, name: '[0,1]' };
  if (min >= -1 && max <= 1) return { low: -1, high: 1, name: '[-1,1]' };
  if (min >= 0 && max <= 255) return { low: 0, high: 255, name: '[0,255]' };
  return { low: min, high: max > min ? max : min + 1, name: 'min-max' };
}

/** A batch of images, NHWC, float values. */
export interface ImageBatch {
  readonly values: ArrayLike<number>;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** The rendered grid. */
export interface ImageGrid {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly columns: number;
  readonly rows: number;
}

/**
 * Tiles `batch` into a grid (row-major, `columns` per row), each image scaled by an integer factor so
 * small images stay visible, with `labels[i]` drawn under image i (digits, `.`, `-`; other characters
 * as `?`). One channel renders grey, three RGB; other channel counts show channel 0.
 * @example
 * const grid = renderImageGrid(batch, ['3', '7'], displayRange(0, 1));
 * await sink.write('d7-batch.png', grid.png);
 */
export function renderImageGrid(batch: ImageBatch, labels: readonly string[], range: DisplayRange, columns = 8): ImageGrid {
  const { count, height: h, width: w, channels: c } = batch;
  const cols = Math.max(1, Math.min(columns, count));
  const rows = Math.max(1, Math.ceil(count / cols));
  const scale = Math.max(1, Math.min(4, Math.floor(64 / Math.max(h, w))));
  const textScale = Math.max(1, Math.floor((w * scale) / 24));
  const labelH = (GLYPH_H + 2) * textScale;
  const pad = 2;
  const cellW = w * scale + pad;
  const cellH = h * scale + labelH + pad;
  const width = cols * cellW + pad;
  const height = rows * cellH + pad;
  const out: 1 | 3 = c === 3 ? 3 : 1;
  const pixels = new Uint8Array(width * height * out).fill(40);
  const span = range.high - range.low;
  const toByte = (v: number): number => (Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(((v - range.low) / span) * 255))) : 0);
  const put = (x: number, y: number, rgb: readonly [number, number, number] | number): void => {
    const at = (y * width + x) * out;
    if (typeof rgb === 'number') pixels.fill(rgb, at, at + out);
    else if (out === 3) pixels.set(rgb, at);
    else pixels[at] = rgb[0];
  };
  for (let i = 0; i < count; i++) {
    const ox = pad + (i % cols) * cellW;
    const oy = pad + Math.floor(i / cols) * cellH;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const base = ((i * h + y) * w + x) * c;
        const px: [number, number, number] | number =
          out === 3 ? [toByte(batch.values[base] as number), toByte(batch.values[base + 1] as number), toByte(batch.values[base + 2] as number)] : toByte(batch.values[base] as number);
        for (let sy = 0; sy < scale; sy++) for (let sx = 0; sx < scale; sx++) put(ox + x * scale + sx, oy + y * scale + sy, px);
      }
    }
    const text = (labels[i] ?? '').slice(0, Math.max(1, Math.floor((w * scale) / ((GLYPH_W + 1) * textScale))));
    let tx = ox;
    const ty = oy + h * scale + textScale;
    for (const ch of text) {
      const glyph = GLYPHS[ch] ?? (GLYPHS['?'] as readonly number[]);
      for (let gy = 0; gy < GLYPH_H; gy++) {
        for (let gx = 0; gx < GLYPH_W; gx++) {
          if ((((glyph[gy] as number) >> (GLYPH_W - 1 - gx)) & 1) === 0) continue;
          for (let sy = 0; sy < textScale; sy++) {
            for (let sx = 0; sx < textScale; sx++) {
              const px = tx + gx * textScale + sx;
              const py = ty + gy * textScale + sy;
              if (px < width && py < height) put(px, py, 255);
            }
          }
        }
      }
      tx += (GLYPH_W + 1) * textScale;
    }
  }
  return { png: encodePng(width, height, out, pixels), width, height, columns: cols, rows };
}
