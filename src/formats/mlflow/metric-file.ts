/**
 * One MLflow metric file, `metrics/<key>`: a line per logged point, `<timestamp ms> <value> <step>`,
 * appended while the run trains. Values are Python floats (`nan`, `inf`, `-inf` included). Files
 * from MLflow before 0.9 have `<timestamp> <value>` lines and no step (MLflow reads them as step 0).
 * When every step of a file is 0 (`log_metric` without `step=`), the points' timestamp rank is the
 * step, so the curve keeps its order.
 */
import { stat } from 'node:fs/promises';
import type { TelemetrySink } from '../../telemetry/run.js';
import { scanLines } from '../lines/scan-lines.js';
import { describeIoError, problemList, type ProblemList } from '../problems/problem-list.js';
import type { ReadOptions, ReadResult } from '../reader.js';

/** Cursor state of a metric file. */
interface MetricState {
  /** Lines consumed (for line numbers). */
  readonly line: number;
  /** Fields per line, from the first good line: 3 (`timestamp value step`), 2 (before MLflow 0.9), 0 (none yet). */
  readonly fields: 0 | 2 | 3;
  /** Points pushed so far, and whether all of them had step 0 (then steps are ranks). */
  readonly points: number;
  readonly allZero: boolean;
}

interface Point {
  readonly timestamp: number;
  readonly value: number;
  readonly step: number;
}

const INTEGER = /^-?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE: ReadonlyMap<string, number> = new Map([
  ['nan', NaN], ['inf', Infinity], ['+inf', Infinity], ['-inf', -Infinity], ['infinity', Infinity], ['-infinity', -Infinity],
]);
const EXPECTED = 'expected "<timestamp> <value> <step>"';

/**
 * Reads the lines of a metric file from the cursor on and pushes them as points of `key`
 * (unit `step`, wall time in seconds). Bad lines are problems; the other lines are still read.
 * @example
 * await readMetricFile('mlruns/1/0add84/metrics/val_loss', 'val_loss', runSink(run), {});
 * run.scalars.get('val_loss')?.steps; // [0, 1, 2, ...]
 */
export async function readMetricFile(path: string, key: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const prior = metricState(options.from?.state);
  const fresh: MetricState = { line: 0, fields: 0, points: 0, allZero: true };
  let state = fresh;
  let offset = 0;
  try {
    const size = (await stat(path)).size;
    // A file now shorter than the cursor was rewritten: read it again from the start.
    if (options.from && prior && options.from.offset <= size) {
      state = prior;
      offset = options.from.offset;
    }
    const points: Point[] = [];
    let fields = state.fields;
    const end = await scanLines(path, { offset, line: state.line }, (line) => {
      if (line.overlong) {
        problems.add('bad-line', `line ${line.number}: too long for a metric line; ${EXPECTED}; skipped`);
        return;
      }
      const text = line.text.trim();
      if (text === '') return;
      const point = parseLine(text, line.number, fields, problems);
      if (point) {
        if (fields === 0) fields = text.split(/\s+/).length === 2 ? 2 : 3;
        points.push(point);
      }
    }, options.onProgress ? { onProgress: options.onProgress } : {});
    const allZero = state.allZero && points.every((p) => p.step === 0);
    const total = state.points + points.length;
    const ordered = allZero && total > 1 ? rankByTime(points, state.points) : points;
    for (const p of ordered) sink.scalar(key, p.step, p.value, p.timestamp / 1000, 'step');
    const next: MetricState = { line: end.line, fields, points: total, allZero };
    return { cursor: { offset: end.offset, state: next }, problems: problems.toArray(), records: points.length };
  } catch (error) {
    problems.add('unreadable', `cannot read the file: ${describeIoError(error)}`);
    return { cursor: options.from ?? { offset: 0, state: fresh }, problems: problems.toArray(), records: 0 };
  }
}

/** One line as a point, or undefined (with a problem) when it is not `<timestamp> <value> <step>`. */
function parseLine(text: string, n: number, fields: 0 | 2 | 3, problems: ProblemList): Point | undefined {
  const parts = text.split(/\s+/);
  const legacyOk = fields !== 3 && parts.length === 2;
  if (parts.length !== 3 && !legacyOk) {
    const why = parts.length === 2 ? ', while the lines before have 3' : '';
    problems.add('bad-line', `line ${n}: ${EXPECTED}, found ${parts.length} field(s)${why}: "${clip(text)}"; skipped`);
    return undefined;
  }
  const [ts, raw, rawStep] = parts as [string, string, string | undefined];
  if (!INTEGER.test(ts)) {
    problems.add('bad-value', `line ${n}: ${EXPECTED} with an integer timestamp (ms), found "${clip(ts)}"; skipped`);
    return undefined;
  }
  const value = parseValue(raw);
  if (value === undefined) {
    problems.add('bad-value', `line ${n}: ${EXPECTED} with a number as the value, found "${clip(raw)}"; skipped`);
    return undefined;
  }
  if (rawStep !== undefined && !INTEGER.test(rawStep)) {
    problems.add('bad-value', `line ${n}: ${EXPECTED} with an integer step, found "${clip(rawStep)}"; skipped`);
    return undefined;
  }
  return { timestamp: Number(ts), value, step: rawStep === undefined ? 0 : Number(rawStep) };
}

/** A value as Python's `str(float)` writes it (`0.5`, `1e-05`, `nan`, `inf`), or undefined. */
function parseValue(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  return NON_FINITE.get(text.toLowerCase());
}

/** Points with their timestamp rank (after `before` earlier points) as the step; ties keep line order. */
function rankByTime(points: readonly Point[], before: number): Point[] {
  return points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.timestamp - b.p.timestamp || a.i - b.i)
    .map(({ p }, rank) => ({ ...p, step: before + rank }));
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A cursor state from a previous read, or null when it is not one. */
function metricState(state: unknown): MetricState | null {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as Record<string, unknown>;
  const { line, fields, points, allZero } = s;
  if (typeof line !== 'number' || typeof points !== 'number' || typeof allZero !== 'boolean') return null;
  return { line, fields: fields === 2 || fields === 3 ? fields : 0, points, allZero };
}
