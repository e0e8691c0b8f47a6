/**
 * D4 Unshuffled training order: labels arriving in long same-class runs (multi-category
 * Wald-Wolfowitz runs test) or, for real-valued targets, a strong lag-1 autocorrelation of the
 * target sequence. With `shuffle: false`, `fitDataset` without `.shuffle()`, or a hand-written batch
 * loop, every batch then holds one class and the model chases the latest one.
 */
import { autocorrelation } from '../../analysis/autocorrelation.js';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import type { Probe, ProbeContext } from './probe.js';
import { asArray, deadline } from './probe-kit.js';
import { lossFamily, outputUnits, readTargets } from './targets.js';
import { round } from './tensor-stats.js';

/** Fewer rows than this: no judgement. */
const MIN_ROWS = 20;
/** Runs test: z below -RUNS_Z (far fewer runs than random order) and runs / expected below RUNS_RATIO. */
const RUNS_Z = 4;
const RUNS_RATIO = 0.75;
/** Real-valued targets: lag-1 autocorrelation above AUTOCORR_MIN and above AUTOCORR_Z / sqrt(n). */
const AUTOCORR_MIN = 0.2;
const AUTOCORR_Z = 4;

const actions = (batchSize: number): string[] => [
  'shuffle the training set every epoch: fit(..., {shuffle: true}) (the TF.js default), or dataset.shuffle(bufferSize >= dataset size) before .batch()',
  `shuffle once before splitting too, so each split and each ${batchSize}-example batch mixes classes`,
  'if order matters (time series), split by time but still shuffle windows within the training split',
];

/** Runs statistics of a categorical sequence (Mood 1940: mean and variance under random order). */
export function runsTest(labels: ArrayLike<number>): { runs: number; expected: number; sd: number; z: number; longest: number; longestAt: number; longestLabel: number } {
  const n = labels.length;
  const counts = new Map<number, number>();
  let runs = n > 0 ? 1 : 0;
  let longest = n > 0 ? 1 : 0;
  let longestAt = 0;
  let current = 1;
  for (let i = 0; i < n; i++) {
    const l = labels[i] as number;
    counts.set(l, (counts.get(l) ?? 0) + 1);
    if (i === 0) continue;
    if (l !== labels[i - 1]) {
      runs++;
      current = 1;
    } else if (++current > longest) {
      longest = current;
      longestAt = i - current + 1;
    }
  }
  let s2 = 0;
  let s3 = 0;
  for (const c of counts.values()) {
    s2 += c * c;
    s3 += c * c * c;
  }
  const expected = n > 0 ? (n * (n + 1) - s2) / n : 0;
  const variance = n > 1 ? (s2 * (s2 + n * (n + 1)) - 2 * n * s3 - n ** 3) / (n * n * (n - 1)) : 0;
  const sd = Math.sqrt(Math.max(variance, 0));
  const z = sd > 0 ? (runs - expected) / sd : 0;
  return { runs, expected, sd, z, longest, longestAt, longestLabel: n > 0 ? (labels[longestAt] as number) : -1 };
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const y = asArray(ctx.data.y)[0];
  if (!y) return [];
  const n = y.shape[0] ?? 0;
  if (n < MIN_ROWS) return [];
  const family = lossFamily(ctx.training.loss);
  const view = readTargets(y, family === 'other' ? 'regression' : family, outputUnits(ctx.model), clock);
  const cut = (view.kind === 'classes' ? view.labels.length : view.rows) < n;
  const cutEvidence = cut ? { cutShort: true, rowsRead: view.kind === 'classes' ? view.labels.length : view.rows } : {};
  if (view.kind === 'classes') {
    const valid = Array.from(view.labels).filter((l) => l >= 0);
    if (valid.length < MIN_ROWS) return [];
    const t = runsTest(valid);
    const present = view.counts.filter((c) => c > 0).length;
    if (present < 2 || !(t.z < -RUNS_Z && t.runs / t.expected < RUNS_RATIO)) return [];
    const sorted = t.runs === present;
    const name = ctx.data.classNames?.[t.longestLabel] ?? String(t.longestLabel);
    return [
      makeFinding(d4UnshuffledOrder, {
        severity: 'warning',
        message:
          `${sorted ? 'The training targets are sorted by class: ' : ''}the ${valid.length} training labels form ${t.runs} same-class runs where random order gives ${round(t.expected, 4)} +- ${round(t.sd, 3)} (z = ${round(t.z, 3)}); ` +
          `mean run ${round(valid.length / t.runs, 3)} vs ${round(valid.length / t.expected, 3)} expected, longest run ${t.longest} rows of class ${name} from row ${t.longestAt}. ` +
          `Trained in this order, batches of ${ctx.training.batchSize} hold one class and the model chases the latest one (see C7 for the periodic loss it leaves).`,
        tags: ['y'],
        evidence: {
          test: 'runs',
          rows: valid.length,
          runs: t.runs,
          expectedRuns: round(t.expected),
          runsSd: round(t.sd),
          z: round(t.z),
          zThreshold: -RUNS_Z,
          runsRatio: round(t.runs / t.expected),
          runsRatioThreshold: RUNS_RATIO,
          meanRunLength: round(valid.length / t.runs),
          expectedMeanRunLength: round(valid.length / t.expected),
          longestRun: t.longest,
          longestRunStart: t.longestAt,
          longestRunClass: t.longestLabel,
          sortedByClass: sorted,
          ...cutEvidence,
        },
        actions: actions(ctx.training.batchSize),
      }),
    ];
  }
  const rows = view.rows;
  const series = Array.from({ length: rows }, (_, r) => view.values[r * view.cols] as number);
  const r1 = autocorrelation(series, 1);
  const limit = Math.max(AUTOCORR_MIN, AUTOCORR_Z / Math.sqrt(rows));
  if (!(r1 > limit)) return [];
  let monotone = true;
  for (let i = 1; i < rows && monotone; i++) if ((series[i] as number) < (series[i - 1] as number)) monotone = false;
  return [
    makeFinding(d4UnshuffledOrder, {
      severity: 'warning',
      message:
        `${monotone ? 'The training targets are sorted in ascending order: ' : ''}consecutive training targets are correlated: lag-1 autocorrelation ${round(r1, 3)} over ${rows} rows (random order gives ~0 +- ${round(1 / Math.sqrt(rows), 2)}; threshold ${round(limit, 3)}). ` +
        'Trained in this order, each batch covers a narrow slice of the target range and the model drifts with it.',
      tags: ['y'],
      evidence: { test: 'autocorrelation', rows, lag1Autocorrelation: round(r1), threshold: round(limit), autocorrMin: AUTOCORR_MIN, zThreshold: AUTOCORR_Z, z: round(r1 * Math.sqrt(rows)), sortedAscending: monotone, ...cutEvidence },
      actions: actions(ctx.training.batchSize),
    }),
  ];
}

/**
 * D4 Unshuffled training order. Class targets: multi-category runs test on the label sequence,
 * warning when runs fall > 4 sd below the random-order expectation and under 75% of it. Real-valued
 * targets: warning when the lag-1 autocorrelation exceeds max(0.2, 4/sqrt(n)). Needs >= 20 rows.
 * @example
 * const [f] = await d4UnshuffledOrder.run(ctx); f?.evidence.longestRun
 */
export const d4UnshuffledOrder: Probe = {
  id: 'D4',
  title: 'Unshuffled training order',
  severity: 'warning',
  kind: 'probe',
  description: 'Runs test (classes) or lag-1 autocorrelation (values) of the training targets in their stored order: long same-class runs mean the data is not shuffled.',
  budgetMs: 5_000,
  run,
};
