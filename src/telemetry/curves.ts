/**
 * Curves: the series a diagnosis reads (train loss, val loss, metric, learning rate ...), picked from
 * a run by tag conventions or named explicitly by the user, with restarts resolved the way TensorBoard
 * does (a step that goes backwards discards the older points at and after it).
 */
import type { Run } from './run.js';
import type { ScalarSeries, StepUnit } from './series.js';
import { segments } from './series.js';
import type { Split, TagInfo } from './tags.js';
import { classifyTag } from './tags.js';

/** A scalar curve ready for analysis: steps strictly increasing, values may be non-finite. */
export interface Curve {
  readonly tag: string;
  readonly unit: StepUnit;
  readonly steps: readonly number[];
  readonly values: readonly number[];
  /** Steps at which the log restarted (steps went backwards); older points from there on were dropped. */
  readonly restarts: readonly number[];
}

/** A metric curve and its direction. */
export interface MetricCurve extends Curve {
  readonly higherIsBetter: boolean;
}

/** The curves of a run by role; `null` where the run has none. */
export interface Curves {
  readonly trainLoss: Curve | null;
  readonly valLoss: Curve | null;
  readonly trainMetric: MetricCurve | null;
  readonly valMetric: MetricCurve | null;
  readonly lr: Curve | null;
  readonly gradNorm: Curve | null;
  /** Epoch number per step, when the log has it (Lightning `epoch`, Hugging Face `epoch`). */
  readonly epoch: Curve | null;
}

/** Tags named by the user (CLI `--train-loss` etc.), overriding the conventions. */
export interface CurveTags {
  readonly trainLoss?: string;
  readonly valLoss?: string;
  readonly metric?: string;
  readonly valMetric?: string;
  readonly lr?: string;
}

/**
 * Turns a series into a curve: restarts resolved, duplicate steps keep the latest value.
 * @example
 * toCurve(series).steps // strictly increasing
 */
export function toCurve(series: ScalarSeries): Curve {
  const segs = segments(series.steps);
  if (segs.length <= 1) {
    const dedup = dedupe(series.steps, series.values);
    return { tag: series.tag, unit: series.unit, steps: dedup.steps, values: dedup.values, restarts: [] };
  }
  const restarts: number[] = [];
  let steps: number[] = [];
  let values: number[] = [];
  for (const [start, end] of segs) {
    const first = series.steps[start] as number;
    if (steps.length > 0) restarts.push(first);
    const keep = steps.findIndex((s) => s >= first);
    if (keep >= 0) {
      steps = steps.slice(0, keep);
      values = values.slice(0, keep);
    }
    // A loop, not push(...slice): spreading 125k+ arguments overflows the call stack.
    for (let i = start; i < end; i++) {
      steps.push(series.steps[i] as number);
      values.push(series.values[i] as number);
    }
  }
  const dedup = dedupe(steps, values);
  return { tag: series.tag, unit: series.unit, steps: dedup.steps, values: dedup.values, restarts };
}

function dedupe(steps: readonly number[], values: readonly number[]): { steps: number[]; values: number[] } {
  const outS: number[] = [];
  const outV: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as number;
    if (outS.length > 0 && outS[outS.length - 1] === s) outV[outV.length - 1] = values[i] as number;
    else {
      outS.push(s);
      outV.push(values[i] as number);
    }
  }
  return { steps: outS, values: outV };
}

interface Candidate {
  readonly series: ScalarSeries;
  readonly info: TagInfo;
}

/** Prefers real curves (2+ points) over one-off summaries, then by {@link score}, then the shortest tag. */
function pick(cands: readonly Candidate[], splits: readonly Split[]): Candidate | null {
  const curves = cands.filter((c) => c.series.values.length >= 2);
  return pickIn(curves, splits) ?? pickIn(cands, splits);
}

function pickIn(cands: readonly Candidate[], splits: readonly Split[]): Candidate | null {
  for (const split of splits) {
    const matching = cands.filter((c) => c.info.split === split);
    if (matching.length === 0) continue;
    matching.sort((a, b) => score(a) - score(b) || a.series.tag.length - b.series.tag.length || a.series.tag.localeCompare(b.series.tag));
    return matching[0] ?? null;
  }
  return null;
}

/**
 * Words that do not make a loss tag a component of the objective: the split, the logging level, and
 * the usual names of the whole objective (`mean_loss`, `Loss/total_loss`, `avg_loss`).
 */
const WHOLE_LOSS_WORDS = new Set([
  'loss', 'train', 'training', 'tr', 'trn', 'val', 'valid', 'validation', 'eval', 'evaluation', 'dev', 'test', 'testing',
  'epoch', 'step', 'batch', 'total', 'mean', 'avg', 'average', 'overall', 'running', 'full', 'objective',
]);

/**
 * Lower is better: penalise numbered components (`train_loss_0`), per-step duplicates of an epoch
 * series, and loss components next to the whole objective: a tag with a qualifying word
 * (`train_kl_epoch`, `data_loss`, `train/box_loss`) or without the word `loss` (`train_nll_epoch`)
 * loses to `train_loss_epoch` / `mean_loss` when both are logged. When only components are logged,
 * the shortest is used, as before.
 */
function score(c: Candidate): number {
  const tag = c.series.tag.toLowerCase();
  let s = 0;
  if (/\d$/.test(tag)) s += 4;
  if (/(^|[/_])(step|batch)([/_]|$)/.test(tag)) s += 1;
  if (c.info.kind === 'metric' && !/acc/.test(tag)) s += 2;
  if (c.info.kind === 'loss') {
    const words = tag.split(/[^a-z0-9]+/).filter((w) => w.length > 0 && !/^\d+$/.test(w));
    if (!words.includes('loss')) s += 2;
    else if (words.some((w) => !WHOLE_LOSS_WORDS.has(w))) s += 2;
  }
  return s;
}

/**
 * Picks the curves of a run by role.
 * @example
 * const curves = resolveCurves(run);
 * curves.trainLoss?.tag // 'train/epoch_loss'
 */
export function resolveCurves(run: Run, tags: CurveTags = {}): Curves {
  const cands: Candidate[] = [];
  for (const series of run.scalars.values()) cands.push({ series, info: classifyTag(series.tag) });
  const byKind = (kind: TagInfo['kind']): Candidate[] => cands.filter((c) => c.info.kind === kind);
  const named = (tag: string | undefined): Candidate | null | undefined => {
    if (tag === undefined) return undefined;
    const series = run.scalars.get(tag);
    return series ? { series, info: classifyTag(tag) } : null;
  };
  const losses = byKind('loss');
  const metrics = byKind('metric');
  const trainLoss = named(tags.trainLoss) ?? pick(losses, ['train', null]);
  const valLoss = named(tags.valLoss) ?? pick(losses, ['val', 'test']);
  const trainMetric = named(tags.metric) ?? pick(metrics, ['train', null]);
  const valMetricCand =
    named(tags.valMetric) ??
    (trainMetric
      ? pick(metrics.filter((m) => sameMetric(m.series.tag, trainMetric.series.tag)), ['val', 'test'])
      : null) ??
    pick(metrics, ['val', 'test']);
  const lr = named(tags.lr) ?? pick(byKind('lr'), [null, 'train']);
  const gradNorm = pick(byKind('grad_norm'), [null, 'train']);
  const epoch = pick(byKind('epoch'), [null, 'train']);
  const curve = (c: Candidate | null | undefined): Curve | null => (c ? toCurve(c.series) : null);
  const metric = (c: Candidate | null | undefined): MetricCurve | null =>
    c ? { ...toCurve(c.series), higherIsBetter: c.info.higherIsBetter } : null;
  return {
    trainLoss: curve(trainLoss),
    valLoss: curve(valLoss),
    trainMetric: metric(trainMetric),
    valMetric: metric(valMetricCand),
    lr: curve(lr),
    gradNorm: curve(gradNorm),
    epoch: curve(epoch),
  };
}

const SPLIT_WORD = /(^|[/_\-. ])(train|training|val|valid|validation|eval|test|dev)(?=$|[/_\-. ])/gi;

function sameMetric(a: string, b: string): boolean {
  const strip = (t: string): string => t.replace(SPLIT_WORD, '$1').replace(/[/_\-. ]+/g, '_').replace(/^_|_$/g, '').toLowerCase();
  return strip(a) === strip(b);
}
