/**
 * One JSONL record (already parsed) to telemetry, following docs/jsonl-format.md: a tagged scalar
 * (`tag` + `value`), a tagged histogram (`tag` + `histogram`), a compact line of numeric keys, or a
 * `meta` line. Problems name the line and what was expected.
 */
import type { TelemetrySink } from '../../telemetry/run.js';
import type { Histogram, StepUnit } from '../../telemetry/series.js';
import { jsonNumber } from '../json/lenient-json.js';
import type { ProblemList } from '../problems/problem-list.js';

/** Keys with a fixed meaning; every other numeric key of a compact line is a scalar. */
const RESERVED = new Set(['step', 'epoch', 'wall_time', 'time', 'unit', 'tag', 'value', 'histogram', 'meta']);

/** What decoding carries from line to line (kept in the cursor). */
export interface DecodeContext {
  /** Last step given an `epoch` point, so a step gets one epoch point however many lines it has. */
  lastEpochStep: number | null;
}

/**
 * Pushes one parsed line into `sink`; returns whether it was a usable record.
 * @example
 * decodeRecord({ step: 12, 'train/loss': 0.53, lr: 0.001 }, 7, sink, problems, { lastEpochStep: null }); // true
 */
export function decodeRecord(record: unknown, line: number, sink: TelemetrySink, problems: ProblemList, ctx: DecodeContext): boolean {
  const bad = (code: string, what: string): false => {
    problems.add(code, `line ${line}: ${what}; line skipped`);
    return false;
  };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return bad('bad-shape', `expected a JSON object, found ${Array.isArray(record) ? 'an array' : JSON.stringify(record)}`);
  }
  const r = record as Record<string, unknown>;
  if ('meta' in r) return decodeMeta(r['meta'], line, sink, problems);
  if (!('step' in r)) return bad('missing-step', 'expected a numeric "step" (or a "meta" object)');
  const step = jsonNumber(r['step']);
  if (step === undefined || !Number.isFinite(step)) return bad('bad-value', `"step": expected a finite number, found ${show(r['step'])}`);
  const unit = r['unit'] ?? 'step';
  if (unit !== 'step' && unit !== 'epoch') return bad('bad-value', `"unit": expected "step" or "epoch", found ${show(unit)}`);
  const timeKey = 'wall_time' in r ? 'wall_time' : 'time';
  const wallTime = timeKey in r ? jsonNumber(r[timeKey]) : NaN;
  if (wallTime === undefined) return bad('bad-value', `"${timeKey}": expected seconds since the Unix epoch, found ${show(r[timeKey])}`);
  const epoch = 'epoch' in r ? jsonNumber(r['epoch']) : undefined;
  if ('epoch' in r && epoch === undefined) return bad('bad-value', `"epoch": expected a number, found ${show(r['epoch'])}`);

  let pushed = 0;
  if ('tag' in r) {
    const tag = r['tag'];
    if (typeof tag !== 'string' || tag === '') return bad('bad-value', `"tag": expected a non-empty string, found ${show(tag)}`);
    if (('value' in r) === ('histogram' in r)) return bad('bad-shape', `expected exactly one of "value" or "histogram" beside "tag"`);
    if ('value' in r) {
      const value = r['value'] === null ? NaN : jsonNumber(r['value']);
      if (value === undefined) return bad('bad-value', `"value": expected a number, null, "NaN", "Infinity" or "-Infinity", found ${show(r['value'])}`);
      sink.scalar(tag, step, value, wallTime, unit);
    } else {
      const histogram = toHistogram(r['histogram']);
      if (typeof histogram === 'string') return bad('bad-shape', `"histogram": ${histogram}`);
      sink.histogram(tag, step, histogram, wallTime, unit);
    }
    pushed += 1;
  } else {
    for (const [key, raw] of Object.entries(r)) {
      if (RESERVED.has(key)) continue;
      const value = raw === null ? NaN : jsonNumber(raw);
      if (value === undefined) continue;
      sink.scalar(key, step, value, wallTime, unit);
      pushed += 1;
    }
  }
  if (epoch !== undefined) {
    pushEpoch(step, epoch, wallTime, unit, sink, ctx);
    pushed += 1;
  }
  if (pushed === 0) return bad('bad-shape', 'expected "tag" with "value" or "histogram", or numeric metric keys beside "step"');
  return true;
}

/** Pushes the epoch point of a step, once per distinct step. */
function pushEpoch(step: number, epoch: number, wallTime: number, unit: StepUnit, sink: TelemetrySink, ctx: DecodeContext): void {
  if (ctx.lastEpochStep === step) return;
  sink.scalar('epoch', step, epoch, wallTime, unit);
  ctx.lastEpochStep = step;
}

/** Pushes the scalar entries of a `meta` object. */
function decodeMeta(meta: unknown, line: number, sink: TelemetrySink, problems: ProblemList): boolean {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    problems.add('bad-shape', `line ${line}: "meta": expected an object, found ${show(meta)}; line skipped`);
    return false;
  }
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') sink.meta(key, value);
    else problems.add('bad-value', `line ${line}: "meta.${key}": expected a string, number or boolean, found ${show(value)}`);
  }
  return true;
}

/** A histogram from its JSON form, or a description of what is wrong with it. */
function toHistogram(h: unknown): Histogram | string {
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return `expected an object, found ${show(h)}`;
  const o = h as Record<string, unknown>;
  const nums: Record<string, number> = {};
  for (const key of ['min', 'max', 'num', 'sum']) {
    const v = jsonNumber(o[key]);
    if (v === undefined) return `expected a number in "${key}", found ${show(o[key])}`;
    nums[key] = v;
  }
  const sumSquares = 'sum_squares' in o ? jsonNumber(o['sum_squares']) : NaN;
  if (sumSquares === undefined) return `expected a number in "sum_squares", found ${show(o['sum_squares'])}`;
  const limits = numberArray(o['bucket_limits']);
  const counts = numberArray(o['bucket_counts']);
  if (limits === undefined || counts === undefined) return 'expected "bucket_limits" and "bucket_counts" arrays of numbers';
  if (limits.length !== counts.length) {
    return `expected as many "bucket_counts" as "bucket_limits", found ${counts.length} and ${limits.length}`;
  }
  return { min: nums['min'] as number, max: nums['max'] as number, num: nums['num'] as number, sum: nums['sum'] as number,
    sumSquares, bucketLimits: limits, bucketCounts: counts };
}

/** The array as numbers, or undefined when it is not an array of numbers. */
function numberArray(a: unknown): number[] | undefined {
  if (!Array.isArray(a)) return undefined;
  const out: number[] = [];
  for (const x of a) {
    const v = jsonNumber(x);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/** A short rendering of a JSON value for messages. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
