/**
 * What CSV column names say about a table: which column is the x axis of a training history (epoch,
 * step, a pandas index) and whether the names look like training metrics. Shared by the CSV flavour
 * detection and the plain CSV reader so they agree.
 */

/** The role of an x-axis column. */
export type XColumnKind = 'epoch' | 'step' | 'index';

const EPOCH_NAME = /^(epoch|epochs|ep|epoch_?(num|no|nr|idx|index))$/;
const STEP_NAME = /^(step|steps|global_?step|iteration|iterations|iter|iters|it|n_iter|updates?|train_step)$/;
/** pandas writes its index with an empty header cell, or `Unnamed: 0` after a read/write round trip. */
const INDEX_NAME = /^(|unnamed: ?0|index)$/;

/**
 * The x-axis role of a (trimmed) column name, or null for a value column.
 * @example
 * xColumnKind('Epoch')      // 'epoch'
 * xColumnKind('global_step') // 'step'
 * xColumnKind('')           // 'index' (pandas index)
 * xColumnKind('loss')       // null
 */
export function xColumnKind(name: string): XColumnKind | null {
  const n = name.trim().toLowerCase();
  if (EPOCH_NAME.test(n)) return 'epoch';
  if (STEP_NAME.test(n)) return 'step';
  if (INDEX_NAME.test(n)) return 'index';
  return null;
}

/** Where the x-axis candidates of a header are (-1: none). */
export interface XColumns {
  readonly epoch: number;
  readonly step: number;
  /** A pandas index: an empty or `Unnamed: 0` first header cell. */
  readonly index: number;
}

/**
 * The first epoch, step and pandas-index columns of a header (trimmed names). An index column is
 * only the first column (an empty cell elsewhere is a trailing delimiter, not an index).
 * @example
 * xColumns(['', 'loss', 'val_loss']) // { epoch: -1, step: -1, index: 0 }
 */
export function xColumns(header: readonly string[]): XColumns {
  const find = (kind: XColumnKind): number => header.findIndex((c, i) => xColumnKind(c) === kind && (kind !== 'index' || i === 0));
  return { epoch: find('epoch'), step: find('step'), index: find('index') };
}

/** Words of a loss or metric column: one is needed for a CSV to count as a training history. */
const LOSS_WORDS = new Set([
  'loss', 'losses', 'val', 'valid', 'validation', 'acc', 'accuracy', 'err', 'error', 'errors', 'lr', 'learning',
  'perplexity', 'ppl', 'mae', 'mse', 'rmse', 'nll', 'cost', 'f1', 'auc', 'iou', 'dice', 'bleu', 'wer', 'cer',
]);
/** Other words of history columns (metrics, time, counters): most columns of a history have one. */
const HISTORY_WORDS = new Set([
  'train', 'training', 'test', 'eval', 'evaluation', 'dev', 'epoch', 'epochs', 'step', 'steps', 'global', 'iter',
  'iteration', 'batch', 'time', 'duration', 'elapsed', 'sec', 'secs', 'seconds', 'min', 'mins', 'minutes', 'precision',
  'recall', 'top1', 'top5', 'kl', 'elbo', 'map', 'psnr', 'ssim', 'score', 'metric', 'metrics', 'grad', 'norm', 'reward',
  'rate', 'mean', 'avg', 'std', 'running', 'per', 'wacc', 'beta', 'weight', 'decay', 'momentum', 'ce', 'bce', 'kld',
  'recon', 'reconstruction', 'total', 'mape', 'r2', 'roc', 'ap', 'miou', 'jaccard', 'rouge', 'ema', 'smooth', 'lr0',
]);

/** Lower-case words of a column name: `val_loss` -> [val, loss]; `trainLoss` -> [train, loss]; `lr0` -> [lr0, lr]. */
function words(name: string): string[] {
  const out: string[] = [];
  for (const w of name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/)) {
    if (w === '') continue;
    out.push(w);
    const stem = w.replace(/\d+$/, '');
    if (stem !== w && stem !== '') out.push(stem);
  }
  return out;
}

/**
 * Whether a column name is a loss or metric of a training history (`loss`, `val_acc`, `lr-Adam`,
 * `trainLoss`, `learning_rate`, `error_rate`), and not a word such as `value` or `interval`.
 * @example
 * isLossLike('valid_loss') // true
 * isLossLike('value')      // false
 */
export function isLossLike(name: string): boolean {
  return name.toLowerCase().includes('loss') || words(name).some((w) => LOSS_WORDS.has(w));
}

/**
 * Whether a column name is one a training history has: a loss or metric, an x axis, a time or a
 * counter. A table whose columns mostly are not is a data set, not a history.
 * @example
 * isHistoryLike('duration_min') // true
 * isHistoryLike('sepal_length') // false
 */
export function isHistoryLike(name: string): boolean {
  return isLossLike(name) || xColumnKind(name) !== null || words(name).some((w) => HISTORY_WORDS.has(w));
}

/** Names of columns that may hold text in a history (timestamps): not counted as text columns. */
const TIME_NAME = /(time|date|stamp|duration|elapsed|^eta$|^run)/i;

/**
 * Whether a column may hold text in a training history without making it a data set (a timestamp,
 * a duration written as `0:01:23`, a run id).
 * @example
 * isTextAllowed('timestamp') // true
 */
export function isTextAllowed(name: string): boolean {
  return TIME_NAME.test(name.trim());
}

const PHASE_NAME = /^(phase|split|mode|stage|subset)$/i;

/**
 * Whether a column names the data split of each row (`phase` = `train`/`val`), so its text cells
 * prefix the row's tags (`val/loss`) instead of being text in a number column.
 * @example
 * isPhaseColumn('Phase') // true
 */
export function isPhaseColumn(name: string): boolean {
  return PHASE_NAME.test(name.trim());
}

/**
 * The cell separator of a CSV dialect, from its header line: `,` unless the line has none and has
 * tabs (TSV) or semicolons.
 * @example
 * csvDelimiter('epoch\tloss') // '\t'
 * csvDelimiter('loss')        // ','
 */
export function csvDelimiter(headerLine: string): string {
  if (headerLine.includes(',')) return ',';
  if (headerLine.includes('\t')) return '\t';
  if (headerLine.includes(';')) return ';';
  return ',';
}
