/**
 * Keras `History.history` dumped to JSON (`json.dump(history.history, f)`): one object whose keys
 * are the logged metrics and whose values are lists with one number per epoch,
 * `{"loss": [...], "val_loss": [...], "accuracy": [...]}`, in any key order. The list index is
 * the epoch (unit `epoch`). Python writes non-finite values as bare `NaN`/`Infinity`. The pandas
 * dump of the same dict (`pd.DataFrame(history.history).to_json()`, `{"loss": {"0": 0.9, ...}}`)
 * is read as well.
 */
import { basename, extname } from 'node:path';
import type { TelemetrySink } from '../../telemetry/run.js';
import { describeJsonError } from '../json/json-error.js';
import { jsonNumber, parseLenientJson } from '../json/lenient-json.js';
import { problemList, type ProblemList } from '../problems/problem-list.js';
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import { readWholeFile } from '../whole-file/read-whole-file.js';

/** The head starts like a history: `{"<key>": [<number or ]>` or the pandas `{"<key>": {"0": <number>`. */
const HISTORY_HEAD = /^\{\s*"[^"\\]{1,200}"\s*:\s*(\[\s*(-?\d|-?Infinity|NaN|\])|\{\s*"\d+"\s*:\s*(-?\d|-?Infinity|NaN|null))/;
/** A key Keras logs: the loss, or a metric (`accuracy`, `acc`, `mae`, `val_*`, `lr` ...). */
const METRIC_KEY = /"(val_)?[^"]*(loss|acc|err|mae|mse|auc|f1|precision|recall|iou|dice|lr|learning_rate)[^"]*"\s*:/i;

/**
 * Reads Keras history JSON files. A resumed read re-reads the file only when its size changed and
 * pushes only the epochs not pushed before.
 * @example
 * const run = createRun('model_history.json', 'keras-history');
 * await kerasHistoryReader.read('model_history.json', runSink(run), {});
 * run.scalars.get('val_loss')?.steps; // [0, 1, 2, ...]
 */
export const kerasHistoryReader: FormatReader = {
  name: 'keras-history',
  detect(path: string, head: Uint8Array): boolean {
    try {
      if (extname(path).toLowerCase() !== '.json' || basename(path).toLowerCase() === 'trainer_state.json') return false;
      const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '').trimStart();
      return HISTORY_HEAD.test(text) && METRIC_KEY.test(text) && !text.includes('"log_history"');
    } catch {
      return false;
    }
  },
  read,
};

/** Cursor state: epochs pushed per key. */
type HistoryState = Readonly<Record<string, number>>;

async function read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const unchanged = options.from ?? { offset: 0 };
  const prior = historyState(options.from?.state);
  const file = await readWholeFile(path, options, problems, { resumable: prior !== null });
  if ('done' in file) return file.done;
  const { text, size } = file;
  options.onProgress?.(size);
  let doc: unknown;
  try {
    doc = parseLenientJson(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    problems.add('bad-json', `not valid JSON (${describeJsonError(error, text)}); expected a Keras history object {"loss": [...], ...}`);
    return { cursor: unchanged, problems: problems.toArray(), records: 0 };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.add('bad-shape', `byte 0: expected an object of lists {"loss": [...], ...}, found ${Array.isArray(doc) ? 'an array' : String(doc)}`);
    return { cursor: unchanged, problems: problems.toArray(), records: 0 };
  }
  const lists = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(doc)) {
    const list = asList(value);
    if (list) lists.set(key, list);
    else problems.add('bad-shape', `key "${key}": expected a list of numbers (one per epoch), found ${describe(value)}; skipped`);
  }
  reportLengths(lists, problems);
  // A history shorter than what was pushed is a new fit: push it all again (a restart).
  const restart = prior !== null && [...lists].some(([key, list]) => list.length < (prior[key] ?? 0));
  const pushed: Record<string, number> = {};
  let records = 0;
  for (const [key, list] of lists) {
    const from = prior && !restart ? Math.min(prior[key] ?? 0, list.length) : 0;
    for (let epoch = from; epoch < list.length; epoch++) {
      if (list[epoch] === null || list[epoch] === undefined) continue; // missing (pandas writes NaN as null)
      const value = jsonNumber(list[epoch]);
      if (value === undefined) {
        problems.add('bad-value', `key "${key}", epoch ${epoch}: expected a number, found ${describe(list[epoch])}; skipped`);
        continue;
      }
      sink.scalar(key, epoch, value, NaN, 'epoch');
      records++;
    }
    pushed[key] = list.length;
  }
  return { cursor: { offset: size, state: pushed }, problems: problems.toArray(), records };
}

/** A history value as a list: a list as it is, a pandas `{"0": v, "1": v}` map in index order. */
function asList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return null;
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.every(([k]) => /^\d+$/.test(k))) return null;
  const out: unknown[] = [];
  for (const [k, v] of entries) out[Number(k)] = v;
  return Array.from(out);
}

/** One problem when the lists do not all have the length of the longest (validation every n epochs, a cut dump). */
function reportLengths(lists: ReadonlyMap<string, unknown[]>, problems: ProblemList): void {
  const lengths = [...lists].map(([key, list]) => ({ key, n: list.length }));
  const longest = lengths.reduce((a, b) => (b.n > a.n ? b : a), { key: '', n: 0 });
  const shorter = lengths.filter((l) => l.n < longest.n);
  if (shorter.length === 0) return;
  const list = shorter.map((l) => `"${l.key}" has ${l.n}`).join(', ');
  problems.add('bad-shape', `lists of different lengths: "${longest.key}" has ${longest.n} values, ${list}; expected one value per epoch in every list (read each as epochs 0, 1, ...)`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function historyState(state: unknown): HistoryState | null {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(state)) if (typeof v === 'number') out[k] = v;
  return out;
}
