/**
 * Plain CSV training histories, written by hand or by pandas rather than by a logger: `history.csv`,
 * `loss_history.csv`, `training_log.csv`, `losses.txt`. Any reasonable layout is read:
 * - the x axis is the first epoch column (`epoch`, `Epoch`, `epochs`: unit `epoch`, values kept as
 *   given, 1-based too), else a step column (`step`, `global_step`, `iteration`: unit `step`, with an
 *   `epoch` column then becoming an `epoch` series), else a pandas index (empty or `Unnamed: 0` first
 *   header cell: unit `epoch`), else the row number (0-based: rows are epochs);
 * - an `epoch,step` table whose `step` cells are empty uses the epoch;
 * - no header at all: a single column of numbers is the train loss (`loss`), one per row (unit `step`);
 * - spaces around cells and names (`epoch, loss, val_loss`), `,` `\t` or `;` separators;
 * - a `phase`/`split`/`mode` column (`train`, `val`) prefixes the row's tags (`val/loss`);
 * - a column whose first value is text (a timestamp) is skipped; a text cell in a number column is
 *   a `bad-value` problem; empty, `NA`, `None`, `null` cells are not logged values.
 * A header written again below the rows (another fit appended) starts the row count again, so a
 * table without an x column shows the restart as steps going back.
 */
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import type { TelemetrySink } from '../../telemetry/run.js';
import type { StepUnit } from '../../telemetry/series.js';
import { csvDelimiter, isLossLike, isPhaseColumn, xColumns } from '../csv/columns.js';
import { csvFlavour } from '../csv/flavour.js';
import { isMissingCell, parseNumberCell } from '../csv/parse-line.js';
import { readCsvTable, type CsvTableContext } from '../csv/read-table.js';

/** How the rows below one header map to points. */
interface Layout {
  /** The header (joined) this layout is for. */
  readonly key: string;
  /** Column holding the x value, or -1: the row number. */
  readonly x: number;
  readonly unit: StepUnit;
  /** Column whose value becomes the `epoch` series (when the x axis is a step), or -1. */
  readonly epoch: number;
  /** Column whose text prefixes the tags (`train`, `val`), or -1. */
  readonly phase: number;
  /** Columns that are neither x nor values (an unused step or index column). */
  readonly skip: readonly number[];
}

/** Reader state kept in the cursor. */
interface PlainExtra {
  layout: Layout | null;
  /** Columns whose first value was text: skipped. */
  readonly text: string[];
  /** Columns that held a number: text in them is a `bad-value`. */
  readonly numeric: string[];
  /** The last step given an `epoch` point. */
  lastEpochStep: number | null;
}

/** Cells that mean "nothing logged here" besides empty and `NA`: Python's `None`, JSON's `null`. */
const NOTHING = /^(none|null|nil|n\/a|-)$/i;

/**
 * Reads plain CSV histories (format `csv`).
 * @example
 * // loss_history.csv: train_loss,valid_loss\n1.79,1.32\n1.16,1.08\n
 * const run = createRun('anime', 'csv');
 * await plainCsvReader.read('anime/loss_history.csv', runSink(run), {});
 * run.scalars.get('valid_loss')?.steps; // [0, 1] (epochs)
 */
export const plainCsvReader: FormatReader = {
  name: 'csv',
  detect(path: string, head: Uint8Array): boolean {
    return csvFlavour(path, head) === 'plain';
  },
  read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
    return readCsvTable<PlainExtra>(path, options, {
      checkHeader: (header) => (header.some((c) => c !== '') ? null : `expected column names or numbers, found "${header.join(',')}"`),
      headerless: (cells) => {
        if (cells.length === 0 || !cells.every((c) => parseNumberCell(c) !== undefined)) return null;
        return cells.length === 1 ? ['loss'] : cells.map((_, i) => `column_${i}`);
      },
      delimiter: csvDelimiter,
      extra: plainExtra,
      row: (cells, line, table) => decodeRow(cells, line, table, sink),
    });
  },
};

/** Pushes one row; returns false when the row has no usable x value. */
function decodeRow(cells: readonly string[], line: number, table: CsvTableContext<PlainExtra>, sink: TelemetrySink): boolean {
  const { header, extra, problems } = table;
  const layout = layoutFor(cells, table);
  let x = table.row;
  if (layout.x >= 0) {
    const cell = cells[layout.x] as string;
    const value = parseNumberCell(cell);
    if (value === undefined || !Number.isFinite(value)) {
      problems.add('bad-value', `line ${line}, column "${header[layout.x] as string}": expected a number (the ${layout.unit}), found "${cell.trim()}"; row skipped`);
      return false;
    }
    x = value;
  }
  let prefix = '';
  if (layout.phase >= 0) {
    const phase = (cells[layout.phase] as string).trim();
    if (phase !== '' && parseNumberCell(phase) === undefined) prefix = `${phase}/`;
  }
  for (let c = 0; c < header.length; c++) {
    if (c === layout.x || c === layout.phase || layout.skip.includes(c)) continue;
    const column = header[c] as string;
    const cell = (cells[c] as string).trim();
    if (isMissingCell(cell) || NOTHING.test(cell) || extra.text.includes(column)) continue;
    const value = parseNumberCell(cell);
    if (value === undefined) {
      if (!extra.numeric.includes(column) && !isLossLike(column)) {
        extra.text.push(column); // a text column (a timestamp): not a series
        continue;
      }
      problems.add('bad-value', `line ${line}, column "${column}": expected a number, found "${cell}"`);
      continue;
    }
    if (!extra.numeric.includes(column)) extra.numeric.push(column);
    if (c === layout.epoch) {
      if (extra.lastEpochStep !== x) sink.scalar('epoch', x, value, NaN, layout.unit);
      extra.lastEpochStep = x;
      continue;
    }
    sink.scalar(prefix + column, x, value, NaN, layout.unit);
  }
  return true;
}

/** The layout of the current header, decided at its first row. */
function layoutFor(cells: readonly string[], table: CsvTableContext<PlainExtra>): Layout {
  const { header, extra } = table;
  const key = `${table.headerless ? 'headerless' : 'header'}\u0001${header.join('\u0001')}`;
  if (extra.layout?.key === key) return extra.layout;
  const { epoch, step, index } = xColumns(table.headerless ? [] : header);
  const phase = table.headerless ? -1 : header.findIndex(isPhaseColumn);
  const skip = (...cols: number[]): number[] => cols.filter((c) => c >= 0);
  let layout: Layout;
  if (step >= 0 && parseNumberCell(cells[step] ?? '') !== undefined) {
    layout = { key, x: step, unit: 'step', epoch, phase, skip: skip(index) };
  } else if (epoch >= 0) {
    layout = { key, x: epoch, unit: 'epoch', epoch: -1, phase, skip: skip(step, index) };
  } else if (index >= 0) {
    layout = { key, x: index, unit: 'epoch', epoch: -1, phase, skip: skip(step) };
  } else {
    layout = { key, x: -1, unit: table.headerless ? 'step' : 'epoch', epoch: -1, phase, skip: skip(step) };
  }
  extra.layout = layout;
  return layout;
}

/** Fresh state, or the one of a previous cursor. */
function plainExtra(prior: unknown): PlainExtra {
  const p = (typeof prior === 'object' && prior !== null ? prior : {}) as Record<string, unknown>;
  const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  const layout = p['layout'];
  const validLayout = typeof layout === 'object' && layout !== null && typeof (layout as Layout).key === 'string' && typeof (layout as Layout).x === 'number';
  return {
    layout: validLayout ? (layout as Layout) : null,
    text: names(p['text']),
    numeric: names(p['numeric']),
    lastEpochStep: typeof p['lastEpochStep'] === 'number' ? p['lastEpochStep'] : null,
  };
}
