/**
 * Reads preflight data files into tensors shaped for a model.
 *
 * CSV: a header row naming the columns, then one example per line. The label column(s) are named
 * with `target` (default: the last column); every other column is a feature, in file order. Features
 * must be numbers (`NaN`, `nan`, `NA`, an empty field become NaN and `inf`/`-inf` become infinities,
 * so D1 can report them); labels may be numbers or class names (mapped to 0..C-1 in sorted order).
 *
 * JSON: `{ "x": [...], "y": [...], "xVal"?: [...], "yVal"?: [...] }`. `x` is one entry per example:
 * a number, a flat array of the input's size, or nested arrays of the input's shape (without the
 * batch); for models with several inputs, an object keyed by input name. `y` is one entry per
 * example: a number (class id or regression target), a class name, or an array (one-hot or several
 * targets); for several outputs, an object keyed by output name. `null` and the strings "NaN",
 * "Infinity", "-Infinity" stand for non-finite values.
 *
 * Labels become what the loss expects: a single class-id column is one-hot encoded when the loss is
 * `categoricalCrossentropy` and the output has several units; with several outputs, label columns
 * are split across outputs in order (by units, or one class-id column per output).
 *
 * Bounded: only regular files are read (never a device or FIFO); CSV is streamed, JSON is read whole
 * up to {@link MAX_JSON_DATA_BYTES} and refused when it nests deeper than {@link MAX_JSON_DEPTH}
 * (checked before parsing, with the byte offset). With `maxRows` (or a `budgetMs` it is derived
 * from, see {@link rowsForBudget}) each file keeps at most that many examples: a seeded uniform
 * random sample (reservoir sampling for CSV), in file order; class names are still collected from
 * every row. The result's `rows` says how many of how many were used.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../random/seeded.js';
import type { ProbeData } from './probe.js';
import { jsonErrorAt } from '../../formats/json/json-error.js';
import { normaliseLoss } from './probe-kit.js';
import { MAX_JSON_DEPTH, ReadFailureError, jsonDepthExceeded, openRegular, readRegularFile } from './safe-read.js';

/** Largest JSON data file read (it is parsed whole; CSV is streamed and has no size limit). */
export const MAX_JSON_DATA_BYTES = 512 * 2 ** 20;

/**
 * What went wrong, for programs: `not-found`, `not-a-file` (a directory, device, FIFO...),
 * `unreadable`, `too-large`, `too-deep` (JSON nesting), `bad-json`, `bad-data` (the content does not
 * fit the format or the model).
 */
export type DataLoadCode = 'not-found' | 'not-a-file' | 'unreadable' | 'too-large' | 'too-deep' | 'bad-json' | 'bad-data';

/** A data file that cannot be used; `file`, `line` locate the fault, `code` says why. */
export class DataLoadError extends Error {
  override readonly name = 'DataLoadError';
  readonly code: DataLoadCode;
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    options: { code?: DataLoadCode; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'bad-data';
  }
}

/** Options of {@link loadData}. */
export interface LoadDataOptions {
  /** CSV label columns (default: the last column). */
  readonly target?: readonly string[];
  /** Loss name: decides one-hot encoding of class ids. */
  readonly loss?: string;
  /** A second file with validation data (same format and columns). */
  readonly valPath?: string;
  /** Keep at most this many examples per file (a seeded random sample in file order). */
  readonly maxRows?: number;
  /** Probe time budget: derives `maxRows` from the row width when `maxRows` is not given ({@link rowsForBudget}). */
  readonly budgetMs?: number;
  /** Seed of the row sample (default 42). */
  readonly seed?: number;
}

/** How many examples of a file were used. */
export interface RowCount {
  readonly file: string;
  /** Which part of the file: `x/y`, `xVal/yVal` (JSON) or `rows` (CSV). */
  readonly part: string;
  readonly used: number;
  readonly total: number;
}

/** Loaded data with the row counts of each file read. */
export type LoadedData = ProbeData & { readonly rows: readonly RowCount[] };

/** Examples per second of budget for narrow rows (up to {@link WIDE_ROW} values), and the least kept. */
export const ROWS_PER_BUDGET_SECOND = 1000;
export const MIN_SAMPLE_ROWS = 500;
const WIDE_ROW = 32;

/**
 * How many examples the probes can use within `budgetMs`: {@link ROWS_PER_BUDGET_SECOND} per second
 * of budget for rows of up to 32 values (features plus labels), proportionally fewer for wider rows,
 * never fewer than {@link MIN_SAMPLE_ROWS}.
 * @example
 * rowsForBudget(8000, 5) // 8000
 * rowsForBudget(60_000, 784) // 2448
 */
export function rowsForBudget(budgetMs: number, valuesPerRow: number): number {
  const perSecond = ROWS_PER_BUDGET_SECOND * Math.min(1, WIDE_ROW / Math.max(1, valuesPerRow));
  return Math.max(MIN_SAMPLE_ROWS, Math.floor((budgetMs / 1000) * perSecond));
}

/** The values in one example of `model`: inputs (a free dimension counts as 1) plus output units. */
function valuesPerRow(model: tf.LayersModel): number {
  const size = (shape: ReadonlyArray<number | null>): number => shape.slice(1).reduce((a: number, d) => a * (d ?? 1), 1);
  return model.inputs.reduce((s, t) => s + size(t.shape), 0) + model.outputs.reduce((s, t) => s + (t.shape[t.shape.length - 1] ?? 1), 0);
}

/**
 * A reservoir of at most `max` items from a stream (Algorithm R with a seeded generator): each item
 * seen is kept with the same probability; `items()` returns the kept ones in stream order.
 */
class Reservoir<T> {
  private readonly kept: Array<{ item: T; at: number }> = [];
  private seen = 0;
  private readonly next: () => number;
  constructor(
    private readonly max: number,
    seed: number,
  ) {
    this.next = seededRandom(seed);
  }
  add(item: T): void {
    const at = this.seen++;
    if (this.kept.length < this.max) this.kept.push({ item, at });
    else {
      const j = Math.floor(this.next() * (at + 1));
      if (j < this.max) this.kept[j] = { item, at };
    }
  }
  get total(): number {
    return this.seen;
  }
  items(): T[] {
    return this.kept.sort((a, b) => a.at - b.at).map((k) => k.item);
  }
}

/** The sample of examples to keep, as sorted indices into `n`, or null to keep all. */
function sampleIndices(n: number, max: number | undefined, seed: number): number[] | null {
  if (max === undefined || n <= max) return null;
  const r = new Reservoir<number>(max, seed);
  for (let i = 0; i < n; i++) r.add(i);
  return r.items();
}

/** Examples as rows of numbers (features) and raw labels, before shaping. */
export interface Table {
  readonly file: string;
  /** Per input: one flat row per example. */
  readonly inputs: number[][][];
  /** Per output: one flat row of raw labels per example (numbers or class names). */
  readonly targets: Array<Array<Array<number | string>>>;
  readonly featureNames?: string[];
  /** 1-based line of each example (CSV) for error messages. */
  readonly lines?: number[];
  /** Where each example comes from, for messages: `line 5` or `x[3]`. */
  readonly where: (i: number) => string;
  /** Where each example's labels are: `line 5` or `y[3]`. */
  readonly whereLabel?: (i: number) => string;
  /** Examples in the file before sampling (default: all were kept). */
  readonly total?: number;
  /** Per target group: the class names seen in every row, kept or not (so a sample maps them alike). */
  readonly labelNames?: Array<Set<string>>;
}

/** Longest CSV field and most fields in a row: a file without line ends cannot grow memory without bound. */
export const MAX_CSV_FIELD_CHARS = 1 << 24;
export const MAX_CSV_FIELDS = 1 << 20;

/** A CSV row past {@link MAX_CSV_FIELD_CHARS} or {@link MAX_CSV_FIELDS}. */
export class CsvRowTooLongError extends Error {
  override readonly name = 'CsvRowTooLongError';
  constructor(readonly line: number) {
    super(`the row starting on line ${line} has a field longer than ${MAX_CSV_FIELD_CHARS} characters or more than ${MAX_CSV_FIELDS} fields`);
  }
}

/**
 * An incremental CSV splitter (RFC 4180 quotes): text is pushed in chunks of any size and every
 * complete row is passed to `onRow` with the 1-based line it starts on; blank lines are skipped.
 * A field longer than {@link MAX_CSV_FIELD_CHARS} or a row of more than {@link MAX_CSV_FIELDS}
 * fields throws a {@link CsvRowTooLongError}.
 */
export class CsvSplitter {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  /** A quote inside a quoted field ended the last chunk: an escaped quote or the closing one. */
  private quotePending = false;
  /** A CR ended the last chunk: an LF starting the next one belongs to it. */
  private crPending = false;
  private any = false;
  private line = 1;
  private start = 1;
  private readonly delimiter: number;
  private readonly delimiterText: string;
  constructor(
    delimiter: string,
    private readonly onRow: (fields: string[], line: number) => void,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.delimiterText = delimiter.charAt(0);
  }

  push(text: string): void {
    const n = text.length;
    const d = this.delimiter;
    let i = 0;
    while (i < n) {
      if (this.quotePending) {
        this.quotePending = false;
        if (text.charCodeAt(i) === 34) {
          this.field += '"';
          i++;
          continue;
        }
        this.quoted = false;
      }
      if (this.crPending) {
        this.crPending = false;
        if (text.charCodeAt(i) === 10) {
          i++;
          continue;
        }
      }
      if (!this.quoted && !this.any && this.field.length === 0) {
        // fast path: a whole line without quotes or a lone CR, split natively
        const nl = text.indexOf('\n', i);
        if (nl >= 0) {
          const stop = nl > i && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          const seg = text.slice(i, stop);
          if (!seg.includes('"') && !seg.includes('\r')) {
            if (seg.length > 0) this.onRow(seg.split(this.delimiterText), this.start);
            this.line++;
            this.start = this.line;
            i = nl + 1;
            continue;
          }
        }
      }
      if (this.quoted) {
        const q = text.indexOf('"', i);
        const stop = q < 0 ? n : q;
        for (let k = i; k < stop; k++) if (text.charCodeAt(k) === 10) this.line++;
        this.field += text.slice(i, stop);
        if (this.field.length > MAX_CSV_FIELD_CHARS) throw new CsvRowTooLongError(this.start);
        if (q < 0) break;
        i = q + 1;
        if (i >= n) this.quotePending = true;
        else if (text.charCodeAt(i) === 34) {
          this.field += '"';
          i++;
        } else this.quoted = false;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 34) {
        this.quoted = true;
        this.any = true;
        i++;
      } else if (c === d) {
        this.fields.push(this.field);
        if (this.fields.length > MAX_CSV_FIELDS) throw new CsvRowTooLongError(this.start);
        this.field = '';
        this.any = true;
        i++;
      } else if (c === 10 || c === 13) {
        if (c === 13) {
          if (i + 1 >= n) this.crPending = true;
          else if (text.charCodeAt(i + 1) === 10) i++;
        }
        this.endRow();
        i++;
      } else {
        let k = i + 1;
        while (k < n) {
          const e = text.charCodeAt(k);
          if (e === d || e === 34 || e === 10 || e === 13) break;
          k++;
        }
        this.field += text.slice(i, k);
        if (this.field.length > MAX_CSV_FIELD_CHARS) throw new CsvRowTooLongError(this.start);
        this.any = true;
        i = k;
      }
    }
  }

  /** Ends the text: a last row without a line end is passed on. */
  end(): void {
    this.quotePending = false;
    this.quoted = false;
    this.crPending = false;
    this.flushRow();
  }

  private endRow(): void {
    this.flushRow();
    this.line++;
    this.start = this.line;
  }

  /** Passes on the row being built (unless it is empty) and starts a new one. */
  private flushRow(): void {
    if (this.any || this.field.length > 0) {
      this.fields.push(this.field);
      this.onRow(this.fields, this.start);
    }
    this.fields = [];
    this.field = '';
    this.any = false;
  }
}

/** Splits CSV text into rows of fields (RFC 4180 quotes), with the 1-based line where each row starts. */
export function splitCsv(text: string, delimiter: string): Array<{ fields: string[]; line: number }> {
  const rows: Array<{ fields: string[]; line: number }> = [];
  const splitter = new CsvSplitter(delimiter, (fields, line) => rows.push({ fields, line }));
  splitter.push(text);
  splitter.end();
  return rows;
}

/** A CSV/JSON number, or null when it is not one. */
function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (s === '' || /^(nan|na|n\/a|null)$/i.test(s)) return NaN;
  if (/^[+]?(inf|infinity)$/i.test(s)) return Infinity;
  if (/^-(inf|infinity)$/i.test(s)) return -Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** Options of the CSV readers: which columns are labels, and the row sample. */
interface CsvOptions {
  readonly target?: readonly string[] | undefined;
  readonly maxRows?: number | undefined;
  readonly seed?: number | undefined;
}

/**
 * Builds a table from CSV text pushed in chunks: detects the delimiter from the header line, checks
 * every row's field count and collects class names from every row, keeps a sample of the rows
 * (all without `maxRows`) and parses the kept rows' numbers at the end.
 */
class CsvTableBuilder {
  private pending = '';
  private splitter: CsvSplitter | null = null;
  private header: string[] | null = null;
  private targetNames: string[] = [];
  private targetIdx: number[] = [];
  private featureIdx: number[] = [];
  private readonly labelNames = new Set<string>();
  private readonly rows: Reservoir<{ fields: string[]; line: number }>;
  private first = true;

  constructor(
    private readonly file: string,
    private readonly options: CsvOptions,
  ) {
    this.rows = new Reservoir(options.maxRows ?? Infinity, options.seed ?? 42);
  }

  push(text: string): void {
    if (this.first) {
      text = text.replace(/^\uFEFF/, '');
      this.first = false;
    }
    this.guard(() => {
      if (this.splitter) {
        this.splitter.push(text);
        return;
      }
      this.pending += text;
      // the header line decides the delimiter; a first line that never ends is split as it is
      if (/[\r\n]/.test(this.pending) || this.pending.length > MAX_CSV_FIELD_CHARS) this.startSplitter();
    });
  }

  end(): Table & { targetNames: string[] } {
    this.guard(() => {
      if (!this.splitter) this.startSplitter();
      this.splitter!.end();
    });
    const { file, header } = this;
    if (!header) throw new DataLoadError(`${file}: empty file (expected a header row and one example per line)`, file);
    const kept = this.rows.items();
    const features: number[][] = [];
    const labels: Array<Array<number | string>> = [];
    const lines: number[] = [];
    for (const row of kept) {
      features.push(
        this.featureIdx.map((i) => {
          const v = parseNumber(row.fields[i]!);
          if (v === null) throw new DataLoadError(`${file} line ${row.line}, column '${header[i]}': '${row.fields[i]}' is not a number (encode categorical features as numbers first, or name this column with --target)`, file, row.line);
          return v;
        }),
      );
      labels.push(this.targetIdx.map((i) => parseNumber(row.fields[i]!) ?? row.fields[i]!.trim()));
      lines.push(row.line);
    }
    if (features.length === 0) throw new DataLoadError(`${file}: a header but no examples`, file);
    return {
      file,
      inputs: [features],
      targets: [labels],
      featureNames: this.featureIdx.map((i) => header[i]!),
      lines,
      where: (i) => `line ${lines[i] ?? '?'}`,
      targetNames: this.targetNames,
      total: this.rows.total,
      labelNames: [this.labelNames],
    };
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      if (err instanceof CsvRowTooLongError) throw new DataLoadError(`${this.file} line ${err.line}: ${err.message.replace(/^the row starting on line \d+ has/, 'a row with')}; expected one example per line`, this.file, err.line, { cause: err });
      throw err;
    }
  }

  private startSplitter(): void {
    const firstLine = this.pending.split(/\r?\n|\r/, 1)[0] ?? '';
    const delimiter = firstLine.includes(',') ? ',' : firstLine.includes(';') ? ';' : firstLine.includes('\t') ? '\t' : ',';
    this.splitter = new CsvSplitter(delimiter, (fields, line) => this.row(fields, line));
    const text = this.pending;
    this.pending = '';
    this.splitter.push(text);
  }

  private row(fields: string[], line: number): void {
    const { file } = this;
    if (!this.header) {
      const header = fields.map((h) => h.trim());
      if (header.every((h) => parseNumber(h) !== null && h !== '')) {
        throw new DataLoadError(`${file} line ${line}: the first line is all numbers; expected a header row naming the columns`, file, line);
      }
      if (header.length < 2) throw new DataLoadError(`${file} line ${line}: ${header.length} column; expected at least one feature and one label column (separated by commas)`, file, line);
      const target = this.options.target;
      this.targetNames = target && target.length > 0 ? [...target] : [header[header.length - 1]!];
      this.targetIdx = this.targetNames.map((t) => {
        const i = header.indexOf(t);
        if (i < 0) throw new DataLoadError(`${file}: no column '${t}' for --target (columns: ${header.join(', ')})`, file, line);
        return i;
      });
      this.featureIdx = header.map((_h, i) => i).filter((i) => !this.targetIdx.includes(i));
      if (this.featureIdx.length === 0) throw new DataLoadError(`${file}: every column is a label; expected at least one feature column`, file);
      this.header = header;
      return;
    }
    if (fields.length === 1 && fields[0]!.trim() === '') return;
    if (fields.length !== this.header.length) {
      throw new DataLoadError(`${file} line ${line}: ${fields.length} fields, expected ${this.header.length} (as in the header)`, file, line);
    }
    for (const i of this.targetIdx) {
      const v = fields[i]!;
      if (parseNumber(v) === null) this.labelNames.add(v.trim());
    }
    this.rows.add({ fields, line });
  }
}

/**
 * Parses CSV text (header row first) into a table with one input and the target columns; with
 * `sample.maxRows`, keeps a seeded random sample of the rows (in file order).
 * @example
 * parseCsv('a,b,label\n1,2,0\n', 'train.csv', ['label'])
 */
export function parseCsv(text: string, file: string, target?: readonly string[], sample: { maxRows?: number; seed?: number } = {}): Table & { targetNames: string[] } {
  const builder = new CsvTableBuilder(file, { target, maxRows: sample.maxRows, seed: sample.seed });
  builder.push(text);
  return builder.end();
}

/** Opens a data file (a regular file only) with errors naming it. */
async function openData(p: string): Promise<Awaited<ReturnType<typeof openRegular>>> {
  try {
    return await openRegular(p);
  } catch (err) {
    throw dataReadError(p, err);
  }
}

function dataReadError(p: string, err: unknown): unknown {
  if (!(err instanceof ReadFailureError)) return err;
  return new DataLoadError(`${p}: ${err.failure.message} (expected a CSV or JSON data file)`, p, undefined, { code: err.failure.code, cause: err });
}

/**
 * Streams a CSV file into a table, reading no more than the file's size when opened.
 * @example
 * const table = await readCsvFile('train.csv', { target: ['label'], maxRows: 8000 });
 */
export async function readCsvFile(p: string, options: CsvOptions = {}): Promise<Table & { targetNames: string[] }> {
  const { handle, size } = await openData(p);
  try {
    const builder = new CsvTableBuilder(p, options);
    if (size > 0) {
      const stream = handle.createReadStream({ encoding: 'utf8', start: 0, end: size - 1, autoClose: false, highWaterMark: 1 << 20 });
      try {
        for await (const chunk of stream) builder.push(chunk as string);
      } catch (err) {
        if (err instanceof DataLoadError) throw err;
        throw new DataLoadError(`${p}: cannot be read: ${(err as Error).message}`, p, undefined, { code: 'unreadable', cause: err });
      }
    }
    return builder.end();
  } finally {
    await handle.close();
  }
}

/**
 * Reads a JSON data file: a regular file of at most {@link MAX_JSON_DATA_BYTES} (its nesting is
 * checked by {@link parseJsonData}).
 * @example
 * const text = await readJsonText('data.json');
 */
export async function readJsonText(p: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(p, MAX_JSON_DATA_BYTES, 'a JSON data file (CSV is streamed and has no limit)');
  } catch (err) {
    throw dataReadError(p, err);
  }
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

function flatten(v: unknown, out: number[], path: string, file: string): void {
  if (Array.isArray(v)) {
    v.forEach((e, i) => flatten(e, out, `${path}[${i}]`, file));
    return;
  }
  if (typeof v === 'number') out.push(v);
  else if (v === null) out.push(NaN);
  else if (typeof v === 'string' && parseNumber(v) !== null) out.push(parseNumber(v)!);
  else throw new DataLoadError(`${file}: ${path} is ${JSON.stringify(v)}; expected a number (or null / "NaN" / "Infinity")`, file);
}

/**
 * Parses the JSON data format into tables (training and, when present, validation). The text is
 * refused when it nests deeper than {@link MAX_JSON_DEPTH} (naming the byte offset); with
 * `sample.maxRows`, each table keeps a seeded random sample of its examples, in file order.
 * @example
 * parseJsonData('{"x": [[1, 2]], "y": [0]}', 'data.json', ['input1'], ['dense_2'])
 */
export function parseJsonData(text: string, file: string, inputNames: readonly string[], outputNames: readonly string[], sample: { maxRows?: number; seed?: number } = {}): { train: Table; val: Table | null } {
  const deep = jsonDepthExceeded(text, MAX_JSON_DEPTH);
  if (deep) {
    throw new DataLoadError(
      `${file}: nests arrays/objects more than ${MAX_JSON_DEPTH} deep at byte ${deep.offset} (line ${deep.line}, column ${deep.column}); expected {"x": [...], "y": [...]} with examples nested as deep as the model's input shape`,
      file,
      deep.line,
      { code: 'too-deep' },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text, err);
    throw new DataLoadError(`${file}${at ? ` line ${at.line}, column ${at.column}` : ''}: not valid JSON (${(err as Error).message}); expected {"x": [...], "y": [...]}`, file, at?.line, { code: 'bad-json', cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DataLoadError(`${file}: expected a JSON object {"x": [...], "y": [...], "xVal"?: [...], "yVal"?: [...]}`, file);
  const obj = json as Record<string, unknown>;
  const table = (xKey: string, yKey: string): Table | null => {
    const x = obj[xKey];
    const y = obj[yKey];
    if (x === undefined && y === undefined) return null;
    if (x === undefined || y === undefined) throw new DataLoadError(`${file}: "${x === undefined ? xKey : yKey}" is missing; "${xKey}" and "${yKey}" go together`, file);
    const perInput = keyed(x, xKey, inputNames);
    const perOutput = keyed(y, yKey, outputNames);
    const n = perInput[0]!.length;
    [...perInput, ...perOutput].forEach((arr, k) => {
      if (arr.length !== n) throw new DataLoadError(`${file}: ${k < perInput.length ? xKey : yKey} has ${arr.length} examples, ${xKey} has ${n}; expected the same number`, file);
    });
    // class names from every example, sampled or not
    const labelNames = perOutput.map((arr) => {
      const names = new Set<string>();
      for (const e of arr) if (typeof e === 'string' && parseNumber(e) === null) names.add(e);
      return names;
    });
    const keep = sampleIndices(n, sample.maxRows, sample.seed ?? 42);
    const at = (i: number): number => (keep ? keep[i]! : i);
    const pick = (arr: unknown[]): unknown[] => (keep ? keep.map((i) => arr[i]) : arr);
    const inputs = perInput.map((arr, k) =>
      pick(arr).map((e, i) => {
        const out: number[] = [];
        flatten(e, out, `${xKey}${perInput.length > 1 ? `.${inputNames[k]}` : ''}[${at(i)}]`, file);
        return out;
      }),
    );
    const targets = perOutput.map((arr, k) =>
      pick(arr).map((e, i) => {
        if (typeof e === 'string' && parseNumber(e) === null) return [e];
        const out: number[] = [];
        flatten(e, out, `${yKey}${perOutput.length > 1 ? `.${outputNames[k]}` : ''}[${at(i)}]`, file);
        return out;
      }),
    );
    if (n === 0) throw new DataLoadError(`${file}: "${xKey}" is empty; expected at least one example`, file);
    return { file, inputs, targets, where: (i) => `${xKey}[${at(i)}]`, whereLabel: (i) => `${yKey}[${at(i)}]`, total: n, labelNames };
  };
  const keyed = (v: unknown, key: string, names: readonly string[]): unknown[][] => {
    if (Array.isArray(v)) {
      if (names.length > 1) throw new DataLoadError(`${file}: "${key}" is an array but the model has ${names.length} ${key.startsWith('x') ? 'inputs' : 'outputs'}; expected an object keyed by ${names.join(', ')}`, file);
      return [v];
    }
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      return names.map((name) => {
        const arr = o[name];
        if (!Array.isArray(arr)) throw new DataLoadError(`${file}: "${key}" has no array for '${name}' (keys: ${Object.keys(o).join(', ')}); expected one per model ${key.startsWith('x') ? 'input' : 'output'}: ${names.join(', ')}`, file);
        return arr;
      });
    }
    throw new DataLoadError(`${file}: "${key}" must be an array of examples (or an object keyed by name)`, file);
  };
  const train = table('x', 'y');
  if (!train) throw new DataLoadError(`${file}: no "x" and "y"; expected {"x": [...], "y": [...]}`, file);
  return { train, val: table('xVal', 'yVal') };
}

interface Shaped {
  x: tf.Tensor[];
  y: tf.Tensor[];
}

/** Class names per output collected from string labels (shared by train and validation). */
type ClassMaps = Array<Map<string, number> | null>;

function classMaps(tables: readonly Table[], outputs: number): ClassMaps {
  return Array.from({ length: outputs }, (_v, k) => {
    const names = new Set<string>();
    for (const t of tables) {
      for (const row of t.targets[k] ?? []) for (const v of row) if (typeof v === 'string') names.add(v);
      for (const v of t.labelNames?.[k] ?? []) names.add(v);
    }
    if (names.size === 0) return null;
    return new Map([...names].sort().map((n, i) => [n, i]));
  });
}

/**
 * Shapes a table into tensors for `model`: inputs reshaped to the model's input shapes, labels
 * split across outputs and one-hot encoded when the loss needs it. Throws a DataLoadError naming
 * the file, the example and what was expected.
 * @example
 * const { x, y } = shapeFor(model, table, 'categoricalCrossentropy', maps);
 */
function shapeFor(model: tf.LayersModel, t: Table, loss: string | undefined, maps: ClassMaps): Shaped {
  const n = t.inputs[0]!.length;
  if (t.inputs.length !== model.inputs.length) {
    throw new DataLoadError(`${t.file}: the model has ${model.inputs.length} inputs (${model.inputs.map((s) => (s.sourceLayer as tf.layers.Layer).name).join(', ')}); CSV feeds one input: use the JSON format with "x" keyed by input name`, t.file);
  }
  const x = model.inputs.map((input, k) => {
    const shape = input.shape.slice(1);
    const rows = t.inputs[k]!;
    const free = shape.filter((d) => d === null).length;
    const known = shape.reduce((a: number, d) => a * (d ?? 1), 1);
    const width = rows[0]!.length;
    rows.forEach((r, i) => {
      if (r.length !== width || (free === 0 && r.length !== known)) {
        throw new DataLoadError(`${t.file} ${t.where(i)}: ${r.length} feature value(s), expected ${free === 0 ? known : width} (the model input ${(input.sourceLayer as tf.layers.Layer).name} has shape [${input.shape.map((d) => d ?? 'null').join(', ')}])`, t.file, t.lines?.[i]);
      }
    });
    if (free > 1 || (free === 1 && width % known !== 0)) {
      throw new DataLoadError(`${t.file}: the model input ${(input.sourceLayer as tf.layers.Layer).name} has shape [${input.shape.map((d) => d ?? 'null').join(', ')}]; cannot infer ${free} free dimension(s) from ${width} values per example`, t.file);
    }
    const full = shape.map((d) => d ?? width / known);
    const dtype = input.dtype === 'int32' ? 'int32' : 'float32';
    return tf.tensor(rows.flat(), [n, ...full], dtype);
  });
  const outputs = model.outputs;
  const lossNames = (loss ?? '').split(',').map((s) => (s.trim() ? normaliseLoss(s) : ''));
  const lossOf = (k: number): string => lossNames[k] ?? lossNames[lossNames.length - 1] ?? '';
  // split label columns across outputs
  let perOutput: Array<Array<Array<number | string>>>;
  if (t.targets.length === outputs.length) perOutput = t.targets;
  else if (t.targets.length === 1) {
    const cols = t.targets[0]![0]!.length;
    const units = outputs.map((o) => o.shape[o.shape.length - 1] ?? 1);
    const sum = units.reduce((a, b) => a + b, 0);
    if (outputs.length > 1 && cols === sum) {
      let at = 0;
      perOutput = units.map((u) => {
        const from = at;
        at += u;
        return t.targets[0]!.map((r) => r.slice(from, from + u));
      });
    } else if (outputs.length > 1 && cols === outputs.length) perOutput = outputs.map((_o, k) => t.targets[0]!.map((r) => [r[k]!]));
    else if (outputs.length === 1) perOutput = t.targets;
    else throw new DataLoadError(`${t.file}: ${cols} label column(s) for ${outputs.length} outputs with ${units.join('+')} units; expected ${sum} columns (split in order) or ${outputs.length} class-id columns`, t.file);
  } else throw new DataLoadError(`${t.file}: labels for ${t.targets.length} outputs, the model has ${outputs.length}`, t.file);
  const y = outputs.map((o, k) => {
    const rows = perOutput[k]!;
    const outName = (o.sourceLayer as tf.layers.Layer).name;
    const map = maps[k] ?? null;
    const units = o.shape[o.shape.length - 1] ?? 1;
    const numeric = rows.map((r, i) =>
      r.map((v) => {
        if (typeof v === 'number') return v;
        const id = map?.get(v);
        if (id === undefined) throw new DataLoadError(`${t.file} ${(t.whereLabel ?? t.where)(i)}: label '${v}' is not a number`, t.file, t.lines?.[i]);
        return id;
      }),
    );
    const cols = numeric[0]!.length;
    numeric.forEach((r, i) => {
      if (r.length !== cols) throw new DataLoadError(`${t.file} ${(t.whereLabel ?? t.where)(i)}: ${r.length} label value(s) for output ${outName}, the first example has ${cols}; expected the same number for every example`, t.file, t.lines?.[i]);
    });
    const name = lossOf(k);
    if (cols === 1 && units > 1 && name !== 'sparseCategoricalCrossentropy') {
      if (name !== '' && name !== 'categoricalCrossentropy') {
        throw new DataLoadError(`${t.file}: one label column but output ${outName} has ${units} units and the loss is ${name}; give ${units} label columns, or use categoricalCrossentropy / sparseCategoricalCrossentropy for class ids`, t.file);
      }
      numeric.forEach((r, i) => {
        const c = r[0]!;
        if (!Number.isInteger(c) || c < 0 || c >= units) {
          throw new DataLoadError(`${t.file} ${(t.whereLabel ?? t.where)(i)}: label ${c} is not a class id in 0..${units - 1} (output ${outName} has ${units} units)`, t.file, t.lines?.[i]);
        }
      });
      return tf.tidy(() => tf.oneHot(tf.tensor1d(numeric.map((r) => r[0]!), 'int32'), units).toFloat());
    }
    if (cols !== units && !(cols === 1 && name === 'sparseCategoricalCrossentropy')) {
      throw new DataLoadError(`${t.file}: ${cols} label value(s) per example but output ${outName} has ${units} unit(s); expected ${units} (or one class id with a cross-entropy loss)`, t.file);
    }
    return tf.tensor2d(numeric.flat(), [n, cols], 'float32');
  });
  return { x, y };
}

/**
 * Reads a CSV or JSON data file (by extension; `.json` is JSON, anything else CSV) and an optional
 * validation file into tensors shaped for `model`. With `maxRows` or `budgetMs`, each file keeps a
 * seeded random sample of its examples; `rows` in the result says how many of how many were used.
 * @example
 * const data = await loadData('train.csv', model, { target: ['label'], loss: 'categoricalCrossentropy', budgetMs: 60_000 });
 */
export async function loadData(path: string, model: tf.LayersModel, options: LoadDataOptions = {}): Promise<LoadedData> {
  const inputNames = model.inputs.map((s) => (s.sourceLayer as tf.layers.Layer).name);
  const outputNames = model.outputs.map((s) => (s.sourceLayer as tf.layers.Layer).name);
  const maxRows = options.maxRows ?? (options.budgetMs !== undefined ? rowsForBudget(options.budgetMs, valuesPerRow(model)) : undefined);
  const sample = { ...(maxRows !== undefined ? { maxRows } : {}), seed: options.seed ?? 42 };
  const parse = async (p: string): Promise<{ train: Table; val: Table | null }> =>
    /\.json$/i.test(p) ? parseJsonData(await readJsonText(p), p, inputNames, outputNames, sample) : { train: await readCsvFile(p, { target: options.target, ...sample }), val: null };
  const main = await parse(path);
  let val = main.val;
  if (options.valPath) {
    const v = await parse(options.valPath);
    val = v.train;
  }
  const json = (p: string): boolean => /\.json$/i.test(p);
  const rows: RowCount[] = [
    { file: path, part: json(path) ? 'x/y' : 'rows', used: main.train.inputs[0]!.length, total: main.train.total ?? main.train.inputs[0]!.length },
    ...(val ? [{ file: val.file, part: options.valPath ? (json(options.valPath) ? 'x/y' : 'rows') : 'xVal/yVal', used: val.inputs[0]!.length, total: val.total ?? val.inputs[0]!.length }] : []),
  ];
  const tables = val ? [main.train, val] : [main.train];
  const maps = classMaps(tables, model.outputs.length);
  const train = shapeFor(model, main.train, options.loss, maps);
  let valShaped: Shaped | null = null;
  try {
    valShaped = val ? shapeFor(model, val, options.loss, maps) : null;
  } catch (err) {
    tf.dispose([...train.x, ...train.y]);
    throw err;
  }
  const rank = model.inputs[0]!.shape.length;
  const one = (ts: tf.Tensor[]): tf.Tensor | tf.Tensor[] => (ts.length === 1 ? ts[0]! : ts);
  const classNames = maps[0] ? [...maps[0].keys()] : undefined;
  return {
    x: one(train.x),
    y: one(train.y),
    ...(valShaped ? { xVal: one(valShaped.x), yVal: one(valShaped.y) } : {}),
    kind: rank === 4 ? 'image' : rank === 3 ? 'sequence' : 'tabular',
    ...(main.train.featureNames ? { featureNames: main.train.featureNames } : {}),
    ...(classNames ? { classNames } : {}),
    rows,
  };
}
