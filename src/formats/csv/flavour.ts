/**
 * Which CSV logger wrote a file, from its name and header: Lightning's `metrics.csv` has a `step`
 * column, Keras' `CSVLogger` file starts with `epoch` and has none. One function decides for both
 * readers so their `detect` can never both claim a file.
 */
import { basename, extname } from 'node:path';
import { parseCsvLine } from './parse-line.js';

/** The CSV dialects nndoctor reads. */
export type CsvFlavour = 'lightning' | 'keras';

/**
 * Classifies a file as Lightning CSV, Keras CSV or neither. Never throws.
 * @example
 * csvFlavour('v0/metrics.csv', new TextEncoder().encode('epoch,step,train_loss\n'))    // 'lightning'
 * csvFlavour('run/training.log', new TextEncoder().encode('epoch,loss,val_loss\n'))  // 'keras'
 * csvFlavour('notes.csv', new TextEncoder().encode('name,value\n'))                 // null
 */
export function csvFlavour(path: string, head: Uint8Array): CsvFlavour | null {
  try {
    const name = basename(path).toLowerCase();
    const ext = extname(name);
    if (head.length === 0) return name === 'metrics.csv' ? 'lightning' : name === 'training.log' ? 'keras' : null;
    if (ext !== '.csv' && ext !== '.log') return null;
    const parsed = headerCells(head);
    if (parsed === null) return null;
    const { header, complete } = parsed;
    // A header still being written (no newline yet) cannot prove a metrics.csv is not Lightning's.
    if (!complete && name === 'metrics.csv') return 'lightning';
    const has = new Set(header);
    if (has.has('step') && (has.has('epoch') || name === 'metrics.csv')) return 'lightning';
    if (header[0] === 'epoch' && !has.has('step')) return 'keras';
    return null;
  } catch {
    return null;
  }
}

/**
 * The header cells in the first bytes (without a last cell that may be cut short when the line is
 * incomplete), or null when the bytes are binary or hold no cell.
 */
function headerCells(head: Uint8Array): { header: string[]; complete: boolean } | null {
  if (head.includes(0)) return null;
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nl = text.indexOf('\n');
  const line = (nl === -1 ? text : text.slice(0, nl)).replace(/\r$/, '');
  const cells = parseCsvLine(line).map((c) => c.trim());
  if (nl === -1) cells.pop();
  return cells.some((c) => c !== '') || nl === -1 ? { header: cells, complete: nl !== -1 } : null;
}
