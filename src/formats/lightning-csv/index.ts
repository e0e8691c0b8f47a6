/**
 * PyTorch Lightning `CSVLogger` (`metrics.csv`): a header `epoch,step,<metrics...>` and sparse rows
 * where a cell is empty when that metric was not logged in that row. Every non-empty cell becomes
 * a point of the series named by its column, at the row's `step`; the `epoch` column becomes an
 * `epoch` series (step -> epoch), once per distinct step. Top-level scalars of a `hparams.yaml`
 * beside the file become run metadata.
 */
import { dirname, join } from 'node:path';
import type { FormatReader, ReadOptions, ReadResult } from '../reader.js';
import type { TelemetrySink } from '../../telemetry/run.js';
import { csvFlavour } from '../csv/flavour.js';
import { isMissingCell, parseNumberCell } from '../csv/parse-line.js';
import { readCsvTable, type CsvTableContext } from '../csv/read-table.js';
import { readHparams } from './hparams.js';

/** Reader state kept in the cursor: the last step whose epoch was pushed. */
interface LightningExtra {
  lastEpochStep: number | null;
}

/**
 * Reads Lightning `metrics.csv` files.
 * @example
 * const run = createRun('lightning_logs/version_0', 'lightning-csv');
 * const { cursor, problems } = await lightningCsvReader.read('lightning_logs/version_0/metrics.csv', runSink(run), {});
 * run.scalars.get('valid_loss')?.steps; // [340, 681, ...]
 */
export const lightningCsvReader: FormatReader = {
  name: 'lightning-csv',
  detect(path: string, head: Uint8Array): boolean {
    return csvFlavour(path, head) === 'lightning';
  },
  read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
    return readCsvTable<LightningExtra>(path, options, {
      checkHeader: (header) => (header.includes('step') ? null : `expected a "step" column, found ${header.join(',')}`),
      extra: (prior) => ({ lastEpochStep: lastEpochStep(prior) }),
      row: (cells, line, table) => decodeRow(cells, line, table, sink),
      fresh: async () => {
        for (const [key, value] of await readHparams(join(dirname(path), 'hparams.yaml'))) sink.meta(key, value);
      },
    });
  },
};

/** Pushes one row; returns false when the row has no usable step. */
function decodeRow(cells: readonly string[], line: number, table: CsvTableContext<LightningExtra>, sink: TelemetrySink): boolean {
  const { header, extra, problems } = table;
  const stepCol = header.indexOf('step');
  const stepCell = cells[stepCol] ?? '';
  const step = parseNumberCell(stepCell);
  if (step === undefined || !Number.isFinite(step)) {
    problems.add('bad-value', `line ${line}, column "step": expected a number, found "${stepCell}"; row skipped`);
    return false;
  }
  for (let c = 0; c < header.length; c++) {
    const column = header[c] as string;
    const cell = cells[c] as string;
    if (c === stepCol || isMissingCell(cell)) continue;
    const value = parseNumberCell(cell);
    if (value === undefined) {
      problems.add('bad-value', `line ${line}, column "${column}": expected a number, found "${cell}"`);
      continue;
    }
    if (column !== 'epoch') {
      sink.scalar(column, step, value, NaN, 'step');
    } else if (extra.lastEpochStep !== step) {
      sink.scalar('epoch', step, value, NaN, 'step');
      extra.lastEpochStep = step;
    }
  }
  return true;
}

/** The `lastEpochStep` of a previous cursor's state, if it has one. */
function lastEpochStep(prior: unknown): number | null {
  if (typeof prior !== 'object' || prior === null) return null;
  const v = (prior as Record<string, unknown>)['lastEpochStep'];
  return typeof v === 'number' ? v : null;
}
