/**
 * D2 Unscaled features: per-feature mean and standard deviation of the training inputs (columns of a
 * table, channels of an image, last-axis features of a sequence); and whether validation/test inputs
 * were scaled with the training statistics.
 */
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
import { namedTensors } from './batches.js';
import type { Probe, ProbeContext } from './probe.js';
import { deadline } from './probe-kit.js';
import type { FeatureStats } from './tensor-stats.js';
import { featureStats, round } from './tensor-stats.js';

/** Off-centre: |mean| above this many standard deviations (and above MIN_OFFSET in absolute terms). */
const MEAN_STD_RATIO = 3;
const MIN_OFFSET = 1;
/** Standard deviation far from 1: above STD_HIGH, or below STD_LOW with the whole range under 1. */
const STD_HIGH = 10;
const STD_LOW = 0.1;
/** Largest / smallest feature range (max - min, non-constant features) above this: scales differ. */
const RANGE_RATIO = 100;
/** Raw magnitudes (|mean| or std) above this break training outright: error instead of warning. */
const ERROR_SCALE = 1000;
/** Val/test mean shift, in training standard deviations, above max(SHIFT_Z, SHIFT_SE / sqrt(n)). */
const SHIFT_Z = 1;
const SHIFT_SE = 4;
/** Val/test std / train std outside [1 / STD_RATIO, STD_RATIO] (with at least MIN_ROWS_STD rows). */
const STD_RATIO = 3;
const MIN_ROWS_STD = 10;
/** Features listed by name in a message. */
const LIST = 5;

interface Flag {
  readonly index: number;
  readonly stats: FeatureStats;
  readonly why: string[];
}

const featureName = (names: readonly string[] | undefined, kind: string, i: number): string => names?.[i] ?? (kind === 'image' ? `channel ${i}` : `feature ${i}`);

function flagsOf(features: readonly FeatureStats[]): { flags: Flag[]; ranges: { ratio: number; widest: number; narrowest: number }; constant: number[] } {
  const flags: Flag[] = [];
  const constant: number[] = [];
  let widest = -1;
  let narrowest = -1;
  features.forEach((s, index) => {
    if (s.count === 0) return;
    const range = s.max - s.min;
    if (range === 0) {
      constant.push(index);
      return;
    }
    if (widest < 0 || range > (features[widest] as FeatureStats).max - (features[widest] as FeatureStats).min) widest = index;
    if (narrowest < 0 || range < (features[narrowest] as FeatureStats).max - (features[narrowest] as FeatureStats).min) narrowest = index;
    const why: string[] = [];
    if (Math.abs(s.mean) > MEAN_STD_RATIO * s.std && Math.abs(s.mean) > MIN_OFFSET) why.push('off-centre');
    if (s.std > STD_HIGH) why.push('large std');
    if (s.std < STD_LOW && range < 1) why.push('tiny std');
    if (why.length > 0) flags.push({ index, stats: s, why });
  });
  const span = (i: number): number => (i < 0 ? Number.NaN : (features[i] as FeatureStats).max - (features[i] as FeatureStats).min);
  return { flags, ranges: { ratio: widest < 0 ? 1 : span(widest) / span(narrowest), widest, narrowest }, constant };
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const kind = ctx.data.kind ?? 'tabular';
  const findings: Finding[] = [];
  const all = namedTensors(ctx.data).filter((t) => t.role === 'input');
  const train = all.filter((t) => t.split === 'train');
  let cutShort = false;
  for (const [k, input] of train.entries()) {
    if (input.tensor.dtype !== 'float32') continue; // integer inputs are ids (embeddings), not features
    const stats = featureStats(input.tensor, clock);
    if (stats.rowsRead < stats.rows) cutShort = true;
    const names = train.length === 1 ? ctx.data.featureNames : undefined;
    const name = (i: number): string => featureName(names, kind, i);
    const { flags, ranges, constant } = flagsOf(stats.features);
    const rangeBad = ranges.ratio > RANGE_RATIO;
    if (flags.length > 0 || rangeBad) {
      const worst = [...flags].sort((a, b) => Math.max(Math.abs(b.stats.mean), b.stats.std) - Math.max(Math.abs(a.stats.mean), a.stats.std))[0];
      const scale = worst ? Math.max(Math.abs(worst.stats.mean), worst.stats.std) : 0;
      const severity: Severity = scale > ERROR_SCALE ? 'error' : 'warning';
      const listed = flags
        .slice(0, LIST)
        .map((f) => `${name(f.index)} (mean ${round(f.stats.mean, 3)}, std ${round(f.stats.std, 3)}: ${f.why.join(', ')})`)
        .join('; ');
      const rangeText = rangeBad
        ? ` Feature ranges differ by ${round(ranges.ratio, 3)}x (${name(ranges.widest)} spans ${round(span(stats.features, ranges.widest), 3)}, ${name(ranges.narrowest)} spans ${round(span(stats.features, ranges.narrowest), 3)}).`
        : '';
      findings.push(
        makeFinding(d2UnscaledFeatures, {
          severity,
          message:
            (flags.length > 0 ? `${flags.length} of ${stats.features.length} ${kind === 'image' ? 'channels' : 'features'} of ${input.name} are not standardised: ${listed}${flags.length > LIST ? '; ...' : ''}.` : `Features of ${input.name} are on very different scales.`) +
            rangeText +
            ' Unscaled inputs make the loss surface badly conditioned: slow, zig-zagging training or saturated units.',
          tags: [input.name],
          evidence: {
            tensor: input.name,
            features: stats.features.length,
            flaggedFeatures: flags.length,
            offCentre: flags.filter((f) => f.why.includes('off-centre')).length,
            largeStd: flags.filter((f) => f.why.includes('large std')).length,
            tinyStd: flags.filter((f) => f.why.includes('tiny std')).length,
            constantFeatures: constant.length,
            worstFeature: worst ? name(worst.index) : null,
            worstMean: worst ? round(worst.stats.mean) : null,
            worstStd: worst ? round(worst.stats.std) : null,
            rangeRatio: round(ranges.ratio),
            rangeRatioThreshold: RANGE_RATIO,
            meanStdRatioThreshold: MEAN_STD_RATIO,
            stdHighThreshold: STD_HIGH,
            stdLowThreshold: STD_LOW,
            errorScale: ERROR_SCALE,
            rowsRead: stats.rowsRead,
          },
          actions: [
            kind === 'image'
              ? 'scale pixels to [0, 1] (divide by 255) or standardise per channel with the training mean/std'
              : 'standardise each feature with the training mean and std: (x - mean) / std (log-transform heavy-tailed positive features first)',
            'compute the statistics on the training split only and apply the same ones to val/test',
            'or add a normalisation layer as the first layer of the model',
          ],
        }),
      );
    }
    // Val/test scaled with the training statistics?
    for (const split of ['val', 'test'] as const) {
      const other = all.filter((t) => t.split === split)[k];
      if (!other || other.tensor.dtype !== 'float32' || clock.over()) continue;
      const os = featureStats(other.tensor, clock);
      if (os.rowsRead < os.rows) cutShort = true;
      const n = os.rowsRead;
      const zLimit = Math.max(SHIFT_Z, SHIFT_SE / Math.sqrt(Math.max(1, n)));
      const shifted: Array<{ index: number; z: number; ratio: number }> = [];
      stats.features.forEach((t, i) => {
        const o = os.features[i];
        if (!o || o.count === 0 || !(t.std > 0)) return;
        const z = (o.mean - t.mean) / t.std;
        const ratio = o.std / t.std;
        const stdOff = n >= MIN_ROWS_STD && (ratio > STD_RATIO || ratio < 1 / STD_RATIO);
        if (Math.abs(z) > zLimit || stdOff) shifted.push({ index: i, z, ratio });
      });
      if (shifted.length === 0) continue;
      shifted.sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
      const worst = shifted[0] as { index: number; z: number; ratio: number };
      findings.push(
        makeFinding(d2UnscaledFeatures, {
          severity: 'warning',
          title: `${d2UnscaledFeatures.title}: ${split} not scaled like train`,
          message:
            `${shifted.length} of ${stats.features.length} features of ${other.name} sit off the training distribution in training-std units: ` +
            shifted
              .slice(0, LIST)
              .map((s) => `${name(s.index)} mean shift ${round(s.z, 3)} std, std ratio ${round(s.ratio, 3)}`)
              .join('; ') +
            `. ${split === 'val' ? 'Validation' : 'Test'} inputs look scaled differently from training (their own statistics, or not at all), so ${split} scores mislead.`,
          tags: [other.name, input.name],
          evidence: {
            tensor: other.name,
            split,
            shiftedFeatures: shifted.length,
            features: stats.features.length,
            worstFeature: name(worst.index),
            worstMeanShiftStd: round(worst.z),
            worstStdRatio: round(worst.ratio),
            meanShiftThreshold: round(zLimit),
            stdRatioThreshold: STD_RATIO,
            rows: n,
          },
          actions: [
            `scale ${split} inputs with the mean/std computed on the training split (never with ${split}'s own statistics)`,
            'fit the scaler once on train, save it with the model, and apply it in every pipeline (val, test, serving)',
          ],
        }),
      );
    }
  }
  if (cutShort) {
    findings.push(
      makeFinding(d2UnscaledFeatures, {
        severity: 'info',
        title: `${d2UnscaledFeatures.title}: cut short`,
        message: 'The time budget ran out before every row was read; the statistics above use the rows read so far.',
        evidence: { cutShort: true, budgetMs: ctx.budgetMs },
        actions: ['raise the D2 budget to read every row'],
      }),
    );
  }
  return findings;
}

const span = (features: readonly FeatureStats[], i: number): number => {
  const f = features[i];
  return f ? f.max - f.min : Number.NaN;
};

/**
 * D2 Unscaled features: per-feature (last-axis) mean/std of the training inputs. Warning when a
 * feature is off-centre (|mean| > 3 std and > 1), has std > 10, or std < 0.1 within a range < 1, or
 * when feature ranges differ by > 100x; error when a feature's |mean| or std exceeds 1000. Warning
 * when val/test means sit > max(1, 4/sqrt(n)) training stds away or their std ratio is outside
 * [1/3, 3]: they were not scaled with the training statistics. Integer inputs (ids) are skipped.
 * @example
 * const [f] = await d2UnscaledFeatures.run(ctx); f?.evidence.worstFeature // 'income'
 */
export const d2UnscaledFeatures: Probe = {
  id: 'D2',
  title: 'Unscaled features',
  severity: 'error',
  kind: 'probe',
  description: 'Per-feature mean/std of the inputs: flags off-centre, huge or tiny scales and ranges differing >100x, and val/test not scaled with training statistics.',
  budgetMs: 10_000,
  run,
};
