/**
 * One W&B history row (one `wandb.log` call) into telemetry. A row holds only the keys logged in that
 * call, with `_step` (the x axis), `_runtime` and `_timestamp` beside them; each value is a number
 * (series point, `NaN`/`Infinity` as Python writes them), a histogram dict
 * (`{"_type": "histogram", "values": [...], "bins": [...]}`, or `packedBins` in newer clients), a
 * media/table dict (skipped), a plain dict (its numbers become `<key>.<sub-key>` series, as the W&B UI
 * names them), or text and booleans (skipped).
 */
import type { TelemetrySink } from '../../telemetry/run.js';
import { histogramFromTriples, type Histogram } from '../../telemetry/series.js';
import { jsonNumber, parseLenientJson } from '../json/lenient-json.js';

/** Keys W&B adds to every row: the step axis and times, not series. */
export const INTERNAL_KEYS: ReadonlySet<string> = new Set(['_step', '_runtime', '_timestamp', '_wandb']);
/** Nesting followed into plain dicts (`{"train": {"loss": ...}}`); deeper values are skipped. */
const MAX_DEPTH = 4;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A `value_json` text as a value: numbers (and bare `NaN`/`Infinity`/`-Infinity`) without a JSON
 * parse, dicts parsed leniently; `undefined` for anything unreadable.
 * @example
 * parseValueJson('0.25')  // 0.25
 * parseValueJson('NaN')   // NaN
 * parseValueJson('{"_type": "histogram", ...}') // { _type: 'histogram', ... }
 */
export function parseValueJson(text: string): unknown {
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  const special = jsonNumber(t);
  if (special !== undefined) return special;
  try {
    return parseLenientJson(t);
  } catch {
    return undefined;
  }
}

/**
 * The number of a row's `_step` or `_timestamp` value, or undefined.
 * @example
 * rowNumber(12) // 12
 */
export function rowNumber(value: unknown): number | undefined {
  const n = jsonNumber(value);
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/**
 * Pushes one history value into the sink: a scalar, a histogram, or the numbers of a plain dict.
 * Returns whether anything was pushed.
 * @example
 * emitValue(sink, 'train/loss', 0.5, 10, 1714480000) // sink.scalar('train/loss', 10, 0.5, ...)
 */
export function emitValue(sink: TelemetrySink, key: string, value: unknown, step: number, wallTime: number, depth = 0): boolean {
  const n = jsonNumber(value);
  if (n !== undefined) {
    sink.scalar(key, step, n, wallTime);
    return true;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const dict = value as Record<string, unknown>;
  if (typeof dict['_type'] === 'string') {
    if (dict['_type'] !== 'histogram') return false; // images, tables, plots ...
    const h = wandbHistogram(dict);
    if (h === null) return false;
    sink.histogram(key, step, h, wallTime);
    return true;
  }
  if (depth >= MAX_DEPTH) return false;
  let any = false;
  for (const [sub, v] of Object.entries(dict)) any = emitValue(sink, `${key}.${sub}`, v, step, wallTime, depth + 1) || any;
  return any;
}

/**
 * A `wandb.Histogram` dict as a histogram: `values` are the bucket counts, `bins` the bucket edges
 * (one more than the counts), or `packedBins: {min, size, count}` for equal-width buckets.
 * `null` when the dict does not hold one.
 * @example
 * wandbHistogram({ _type: 'histogram', values: [1, 3], bins: [0, 0.5, 1] })?.num // 4
 */
export function wandbHistogram(dict: Record<string, unknown>): Histogram | null {
  const values = dict['values'];
  if (!Array.isArray(values) || values.length === 0) return null;
  const counts = values.map((v) => jsonNumber(v));
  if (counts.some((c) => c === undefined || !Number.isFinite(c) || c < 0)) return null;
  let edges: number[] | null = null;
  const bins = dict['bins'];
  const packed = dict['packedBins'];
  if (Array.isArray(bins)) {
    const e = bins.map((b) => jsonNumber(b));
    if (e.length === counts.length + 1 && e.every((x) => x !== undefined && Number.isFinite(x))) edges = e as number[];
  } else if (typeof packed === 'object' && packed !== null) {
    const { min, size, count } = packed as Record<string, unknown>;
    if (typeof min === 'number' && typeof size === 'number' && count === counts.length && Number.isFinite(min) && Number.isFinite(size) && size > 0) {
      edges = Array.from({ length: counts.length + 1 }, (_, i) => min + i * size);
    }
  }
  if (edges === null) return null;
  const e = edges;
  return histogramFromTriples(counts.map((c, i) => [e[i] as number, e[i + 1] as number, c as number] as const));
}
