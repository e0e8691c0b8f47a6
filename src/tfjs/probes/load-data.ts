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
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type { ProbeData } from './probe.js';
import { jsonErrorAt } from '../../formats/json/json-error.js';
import { normaliseLoss } from './probe-kit.js';

/** A data file that cannot be used; `file`, `line` locate the fault. */
export class DataLoadError extends Error {
  override readonly name = 'DataLoadError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
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
}

/** Splits CSV text into rows of fields (RFC 4180 quotes), with the 1-based line where each row starts. */
export function splitCsv(text: string, delimiter: string): Array<{ fields: string[]; line: number }> {
  const rows: Array<{ fields: string[]; line: number }> = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (any || field.length > 0) {
        fields.push(field);
        rows.push({ fields, line: start });
      }
      fields = [];
      field = '';
      any = false;
      line++;
      start = line;
    } else {
      field += ch;
      any = true;
    }
  }
  if (any || field.length > 0) {
    fields.push(field);
    rows.push({ fields, line: start });
  }
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

/**
 * Parses CSV text (header row first) into a table with one input and the target columns.
 * @example
 * parseCsv('a,b,label\n1,2,0\n', 'train.csv', ['label'])
 */
export function parseCsv(text: string, file: string, target?: readonly string[]): Table & { targetNames: string[] } {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(',') ? ',' : firstLine.includes(';') ? ';' : firstLine.includes('\t') ? '\t' : ',';
  const rows = splitCsv(text.replace(/^\uFEFF/, ''), delimiter);
  if (rows.length === 0) throw new DataLoadError(`${file}: empty file (expected a header row and one example per line)`, file);
  const header = rows[0]!.fields.map((h) => h.trim());
  if (header.every((h) => parseNumber(h) !== null && h !== '')) {
    throw new DataLoadError(`${file} line ${rows[0]!.line}: the first line is all numbers; expected a header row naming the columns`, file, rows[0]!.line);
  }
  if (header.length < 2) throw new DataLoadError(`${file} line ${rows[0]!.line}: ${header.length} column; expected at least one feature and one label column (separated by commas)`, file, rows[0]!.line);
  const targetNames = target && target.length > 0 ? [...target] : [header[header.length - 1]!];
  const targetIdx = targetNames.map((t) => {
    const i = header.indexOf(t);
    if (i < 0) throw new DataLoadError(`${file}: no column '${t}' for --target (columns: ${header.join(', ')})`, file, rows[0]!.line);
    return i;
  });
  const featureIdx = header.map((_h, i) => i).filter((i) => !targetIdx.includes(i));
  if (featureIdx.length === 0) throw new DataLoadError(`${file}: every column is a label; expected at least one feature column`, file);
  const features: number[][] = [];
  const labels: Array<Array<number | string>> = [];
  const lines: number[] = [];
  for (const row of rows.slice(1)) {
    if (row.fields.length === 1 && row.fields[0]!.trim() === '') continue;
    if (row.fields.length !== header.length) {
      throw new DataLoadError(`${file} line ${row.line}: ${row.fields.length} fields, expected ${header.length} (as in the header)`, file, row.line);
    }
    features.push(
      featureIdx.map((i) => {
        const v = parseNumber(row.fields[i]!);
        if (v === null) throw new DataLoadError(`${file} line ${row.line}, column '${header[i]}': '${row.fields[i]}' is not a number (encode categorical features as numbers first, or name this column with --target)`, file, row.line);
        return v;
      }),
    );
    labels.push(targetIdx.map((i) => parseNumber(row.fields[i]!) ?? row.fields[i]!.trim()));
    lines.push(row.line);
  }
  if (features.length === 0) throw new DataLoadError(`${file}: a header but no examples`, file);
  return { file, inputs: [features], targets: [labels], featureNames: featureIdx.map((i) => header[i]!), lines, where: (i) => `line ${lines[i] ?? '?'}`, targetNames };
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
 * Parses the JSON data format into tables (training and, when present, validation).
 * @example
 * parseJsonData('{"x": [[1, 2]], "y": [0]}', 'data.json', ['input1'], ['dense_2'])
 */
export function parseJsonData(text: string, file: string, inputNames: readonly string[], outputNames: readonly string[]): { train: Table; val: Table | null } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text, err);
    throw new DataLoadError(`${file}${at ? ` line ${at.line}, column ${at.column}` : ''}: not valid JSON (${(err as Error).message}); expected {"x": [...], "y": [...]}`, file, at?.line);
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
    const inputs = perInput.map((arr, k) =>
      arr.map((e, i) => {
        const out: number[] = [];
        flatten(e, out, `${xKey}${perInput.length > 1 ? `.${inputNames[k]}` : ''}[${i}]`, file);
        return out;
      }),
    );
    const targets = perOutput.map((arr, k) =>
      arr.map((e, i) => {
        if (typeof e === 'string' && parseNumber(e) === null) return [e];
        const out: number[] = [];
        flatten(e, out, `${yKey}${perOutput.length > 1 ? `.${outputNames[k]}` : ''}[${i}]`, file);
        return out;
      }),
    );
    if (n === 0) throw new DataLoadError(`${file}: "${xKey}" is empty; expected at least one example`, file);
    return { file, inputs, targets, where: (i) => `${xKey}[${i}]`, whereLabel: (i) => `${yKey}[${i}]` };
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
    for (const t of tables) for (const row of t.targets[k] ?? []) for (const v of row) if (typeof v === 'string') names.add(v);
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
 * validation file into tensors shaped for `model`.
 * @example
 * const data = await loadData('train.csv', model, { target: ['label'], loss: 'categoricalCrossentropy' });
 */
export async function loadData(path: string, model: tf.LayersModel, options: LoadDataOptions = {}): Promise<ProbeData> {
  const read = async (p: string): Promise<string> => {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new DataLoadError(`${p}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message} (expected a CSV or JSON data file)`, p);
    }
  };
  const inputNames = model.inputs.map((s) => (s.sourceLayer as tf.layers.Layer).name);
  const outputNames = model.outputs.map((s) => (s.sourceLayer as tf.layers.Layer).name);
  const parse = (text: string, p: string): { train: Table; val: Table | null } =>
    /\.json$/i.test(p) ? parseJsonData(text, p, inputNames, outputNames) : { train: parseCsv(text, p, options.target), val: null };
  const main = parse(await read(path), path);
  let val = main.val;
  if (options.valPath) {
    const v = parse(await read(options.valPath), options.valPath);
    val = v.train;
  }
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
  };
}
