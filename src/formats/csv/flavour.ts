/**
 * Which CSV logger wrote a file, from its name and first bytes: Lightning's `metrics.csv` has a
 * `step` column, Keras' `CSVLogger` file starts with `epoch` and has none, and any other CSV that
 * looks like a training history (loss-like columns of numbers, or a bare column of numbers in a
 * file named like a history) is a plain CSV. One function decides for all three readers so their
 * `detect` can never both claim a file.
 */
import { basename, extname } from 'node:path';
import { csvDelimiter, isHistoryLike, isLossLike, isPhaseColumn, isTextAllowed, xColumnKind, xColumns } from './columns.js';
import { isMissingCell, parseCsvLine, parseNumberCell } from './parse-line.js';

/** The CSV dialects nndoctor reads. */
export type CsvFlavour = 'lightning' | 'keras' | 'plain';

/** Extensions of Lightning and Keras logs; a plain history may also be `.txt`/`.tsv`. */
const LOGGER_EXTS = new Set(['.csv', '.log']);
const PLAIN_EXTS = new Set(['.csv', '.log', '.txt', '.tsv']);
/** File names of histories written by hand (`history.csv`, `loss_history.csv`, `training_log.csv`, `losses.txt`). */
const HISTORY_FILE = /(hist|loss|log|train|curve|progress|metric)/i;
/** Data rows looked at (at most) to judge a plain CSV. */
const SAMPLE_ROWS = 20;

/**
 * Classifies a file as Lightning CSV, Keras CSV, plain CSV history or neither. Never throws.
 * Zero bytes (a crashed writer's unwritten tail) end the text looked at; other control bytes make
 * the file binary (neither).
 * @example
 * csvFlavour('v0/metrics.csv', new TextEncoder().encode('epoch,step,train_loss\n'))    // 'lightning'
 * csvFlavour('run/training.log', new TextEncoder().encode('epoch,loss,val_loss\n'))  // 'keras'
 * csvFlavour('run/loss_history.csv', new TextEncoder().encode('train_loss,valid_loss\n0.9,1.1\n')) // 'plain'
 * csvFlavour('notes.csv', new TextEncoder().encode('name,value\n'))                 // null
 */
export function csvFlavour(path: string, head: Uint8Array): CsvFlavour | null {
  try {
    const name = basename(path).toLowerCase();
    const ext = extname(name);
    if (head.length === 0) return name === 'metrics.csv' ? 'lightning' : name === 'training.log' ? 'keras' : null;
    if (!PLAIN_EXTS.has(ext)) return null;
    const lines = headLines(head);
    if (lines === null) return null;
    const logger = LOGGER_EXTS.has(ext);
    const first = lines.complete[0];
    if (first === undefined) {
      // A header still being written (no line end yet): the complete cells may already tell.
      if (!logger || lines.partial === null) return null;
      const cells = parseCsvLine(lines.partial).map((c) => c.trim());
      cells.pop(); // may be cut short
      if (name === 'metrics.csv' || (cells.includes('step') && cells.includes('epoch'))) return 'lightning';
      return cells[0] === 'epoch' && !cells.includes('step') ? 'keras' : null;
    }
    const header = parseCsvLine(first).map((c) => c.trim());
    const rows = lines.complete.slice(1, 1 + SAMPLE_ROWS);
    if (logger) {
      const has = new Set(header);
      if (has.has('step') && (has.has('epoch') || name === 'metrics.csv')) {
        return has.has('epoch') && stepless(header, rows) ? 'plain' : 'lightning';
      }
      // Keras writes numbers only: a phase or timestamp text column is a table of another writer.
      if (header[0] === 'epoch' && !has.has('step')) return textColumns(header, rows) ? 'plain' : 'keras';
    }
    return isPlainHistory(name, lines.complete) ? 'plain' : null;
  } catch {
    return null;
  }
}

/** The complete (non-blank) lines of the first bytes and the last one without a line end, or null for binary bytes. */
function headLines(head: Uint8Array): { complete: string[]; partial: string | null } | null {
  const zero = head.indexOf(0);
  let text = new TextDecoder('utf-8', { fatal: false }).decode(zero === -1 ? head : head.subarray(0, zero));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/[\x01-\x08\x0b\x0c\x0e-\x1f]/.test(text)) return null;
  const parts = text.split(/\r*\n|\r/);
  const last = parts.pop() as string;
  const complete = parts.filter((l) => l.trim() !== '');
  return { complete, partial: last.trim() === '' ? null : last };
}

/** Whether an `epoch,step` table leaves `step` empty in every sampled row (an epoch-level history). */
function stepless(header: readonly string[], rows: readonly string[]): boolean {
  const stepCol = header.indexOf('step');
  const epochCol = header.indexOf('epoch');
  let seen = 0;
  for (const row of rows) {
    const cells = parseCsvLine(row);
    if (cells.length !== header.length) continue;
    if (!isMissingCell(cells[stepCol] ?? '') || parseNumberCell(cells[epochCol] ?? '') === undefined) return false;
    seen += 1;
  }
  return seen > 0;
}

/** Whether a phase or timestamp column holds text in the sampled rows. */
function textColumns(header: readonly string[], rows: readonly string[]): boolean {
  const cols = header.map((c, i) => (isPhaseColumn(c) || isTextAllowed(c) ? i : -1)).filter((i) => i >= 0);
  if (cols.length === 0) return false;
  return rows.some((row) => {
    const cells = parseCsvLine(row);
    return cells.length === header.length && cols.some((i) => {
      const cell = cells[i] as string;
      return !isMissingCell(cell) && parseNumberCell(cell) === undefined;
    });
  });
}

/**
 * Whether complete lines (header first) are a training history a plain CSV reader can take:
 * - no header (every line one number): a loss per row, when the file is named like a history and
 *   the numbers are not all integers (a column of ids or class labels is not a loss);
 * - a header with a loss-like column holding numbers in the first rows, at most one text column
 *   (timestamps aside), and either an x column (epoch, step, pandas index) or no text at all, most
 *   columns named like metrics and a file named like a history.
 */
function isPlainHistory(name: string, lines: readonly string[]): boolean {
  const first = lines[0] as string;
  const stem = name.slice(0, name.length - extname(name).length);
  const delimiter = csvDelimiter(first);
  const header = parseCsvLine(first, delimiter).map((c) => c.trim());
  if (header.every((c) => parseNumberCell(c) !== undefined)) {
    if (header.length !== 1 || !HISTORY_FILE.test(stem)) return false;
    const values = lines.map((l) => (l.includes(',') || l.includes('\t') || l.includes(';') ? undefined : parseNumberCell(l)));
    return values.every((v) => v !== undefined) && values.some((v) => !Number.isInteger(v));
  }
  // Console output ("loss: 0.53 - acc: 0.81") is not a header.
  if (header.some((c) => (/[:=]\s*[-+.\d]/.test(c) && xColumnKind(c) === null) || parseNumberCell(c) !== undefined)) return false;
  if (!header.some(isLossLike)) return false;
  const rows = lines.slice(1, 1 + SAMPLE_ROWS).map((l) => parseCsvLine(l, delimiter));
  const firstRow = rows[0];
  if (firstRow === undefined || firstRow.length !== header.length) return false;
  const x = xColumns(header);
  const hasX = x.epoch >= 0 || x.step >= 0 || x.index >= 0;
  let text = 0;
  let lossNumbers = false;
  for (let c = 0; c < header.length; c++) {
    const column = header[c] as string;
    const cells = rows.filter((r) => r.length === header.length).map((r) => r[c] as string).filter((v) => !isMissingCell(v));
    const numeric = cells.length > 0 && cells.every((v) => parseNumberCell(v) !== undefined);
    if (numeric && isLossLike(column)) lossNumbers = true;
    if (!numeric && cells.length > 0 && !isTextAllowed(column) && !isPhaseColumn(column)) text += 1;
  }
  if (!lossNumbers || text > 1) return false;
  if (hasX) return true;
  const historyLike = header.filter(isHistoryLike).length;
  return text === 0 && historyLike * 2 >= header.length && HISTORY_FILE.test(stem);
}
