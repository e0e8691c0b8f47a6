/**
 * Keras `CSVLogger` (`training.log` by default): a header `epoch,<metrics...>` and one row per
 * epoch. Every metric cell becomes a point at that epoch (unit `epoch`). Keras writes `nan`/`inf`
 * for non-finite values: they are data (NaN/Infinity), not problems. `NA` marks a metric missing
 * in that epoch and is skipped.
 */
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import type { TelemetrySink } from '../../telemetry/run.js';
import { csvFlavour } from '../csv/flavour.js';
import { isMissingCell, parseNumberCell } from '../csv/parse-line.js';
import { readCsvTable, type CsvTableContext } from '../csv/read-table.js';

/**
 * Reads Keras `CSVLogger` files.
 * @example
 * const run = createRun('car_cnn', 'keras-csv');
 * await kerasCsvReader.read('car_cnn/training.log', runSink(run), {});
 * run.scalars.get('val_loss')?.values[0]; // 1.8974509239196777
 */
export const kerasCsvReader: FormatReader = {
  name: 'keras-csv',
  detect(path: string, head: Uint8Array): boolean {
    return csvFlavour(path, head) === 'keras';
  },
  read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
    return readCsvTable<null>(path, options, {
      checkHeader: (header) => (header.includes('epoch') ? null : `expected an "epoch" column, found ${header.join(',')}`),
      extra: () => null,
      row: (cells, line, table) => decodeRow(cells, line, table, sink),
    });
  },
};

/** Pushes one epoch row; returns false when the row has no usable epoch. */
function decodeRow(cells: readonly string[], line: number, table: CsvTableContext<null>, sink: TelemetrySink): boolean {
  const { header, problems } = table;
  const epochCol = header.indexOf('epoch');
  const epochCell = cells[epochCol] ?? '';
  const epoch = parseNumberCell(epochCell);
  if (epoch === undefined || !Number.isFinite(epoch)) {
    problems.add('bad-value', `line ${line}, column "epoch": expected a number, found "${epochCell}"; row skipped`);
    return false;
  }
  for (let c = 0; c < header.length; c++) {
    const cell = cells[c] as string;
    if (c === epochCol || isMissingCell(cell)) continue;
    const value = parseNumberCell(cell);
    if (value === undefined) {
      problems.add('bad-value', `line ${line}, column "${header[c] as string}": expected a number, found "${cell}"`);
      continue;
    }
    sink.scalar(header[c] as string, epoch, value, NaN, 'epoch');
  }
  return true;
}
