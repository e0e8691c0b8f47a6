/**
 * M4 Final-layer init: the output bias should start where the targets are — the log class prior for
 * imbalanced classes, the target mean for regression — so the first steps are not spent learning the
 * prior (the "hockey stick" loss curve).
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { sampleRows } from './batches.js';
import { outputHead } from './model-graph.js';
import type { Probe, ProbeContext } from './probe.js';
import { asArray, exampleCount, takeRows, unwrap } from './probe-kit.js';
import { columnMoments, lossFamily, outputUnits, readTargets } from './targets.js';
import { round } from './tensor-stats.js';

/** Class prior max/min above this counts as imbalanced (softmax classes, or p/(1-p) of a binary unit). */
const IMBALANCE = 3;
/** The (centred) bias may differ from the (centred) log-prior by this many nats per class. */
const BIAS_TOLERANCE = 0.5;
/** Regression: mean initial prediction off the target mean by more than this many target stds. */
const MEAN_GAP_STDS = 1;
/** Rows used to measure the initial predictions (regression). */
const BATCH = 256;
/** Values listed in evidence. */
const MAX_LISTED = 20;

const centred = (v: readonly number[]): number[] => {
  const m = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  return v.map((x) => x - m);
};
const list = (v: readonly number[]): number[] => v.slice(0, MAX_LISTED).map((x) => round(x, 4));

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const y = asArray(ctx.data.y)[0];
  if (!y) return [];
  const family = lossFamily(ctx.training.loss);
  const head = outputHead(ctx.model, 0);
  const producer = head.producer;
  if (!producer) return [];
  const biasVar = producer.weights.find((w) => /bias$/.test(w.originalName ?? w.name));
  const bias = biasVar ? Array.from(biasVar.read().dataSync()) : null;
  const units = outputUnits(ctx.model);
  const layer = producer.name;
  const noBias = bias === null ? [`${layer} has no bias (useBias: false): enable it so the prior can be set`] : [];
  const setIt = (values: readonly number[]): string =>
    `set ${layer}'s bias before training: const [k, b] = layer.getWeights(); layer.setWeights([k, tf.tensor1d([${values.map((v) => round(v, 4)).join(', ')}])])`;

  if (family === 'categorical' || family === 'sparse' || family === 'binary') {
    const view = readTargets(y, family, units);
    if (view.kind === 'classes' && family !== 'binary') {
      const c = view.numClasses;
      if (bias !== null && bias.length !== c) return [];
      const total = view.counts.reduce((a, b) => a + b, 0);
      const prior = view.counts.map((k) => (k + 1) / (total + c)); // add-one smoothing: no log(0)
      const present = view.counts.filter((k) => k > 0);
      const ratio = Math.max(...present) / Math.max(1, Math.min(...present));
      if (ratio <= IMBALANCE) return [];
      const suggested = centred(prior.map((p) => Math.log(p)));
      const current = bias ? centred(bias) : new Array<number>(c).fill(0);
      const maxError = Math.max(...current.map((b, k) => Math.abs(b - (suggested[k] as number))));
      if (maxError <= BIAS_TOLERANCE) return [];
      const h = -prior.reduce((s, p) => s + p * Math.log(p), 0);
      return [
        makeFinding(m4FinalLayerInit, {
          severity: 'warning',
          message:
            `The class prior is imbalanced (max/min ${round(ratio, 3)} > ${IMBALANCE}) but the output bias of ${layer} ${bias && Math.max(...bias.map(Math.abs)) < 1e-3 ? 'is 0' : 'is not the log-prior'} (largest gap ${round(maxError, 3)} nats). ` +
            `Starting from uniform predictions costs about ${round(Math.log(c) - h, 3)} nats the model must first unlearn (ln ${c} = ${round(Math.log(c), 4)} vs prior entropy ${round(h, 4)}). Suggested bias: log prior = [${list(suggested).join(', ')}${c > MAX_LISTED ? ', ...' : ''}].`,
          layer,
          evidence: {
            classes: c,
            prior: list(prior),
            imbalanceRatio: round(ratio),
            imbalanceThreshold: IMBALANCE,
            currentBias: bias ? list(bias) : null,
            suggestedBias: list(suggested),
            maxBiasGap: round(maxError),
            biasTolerance: BIAS_TOLERANCE,
            natsToUnlearn: round(Math.log(c) - h),
          },
          actions: [...noBias, setIt(suggested), 'also weight the loss or resample if rare classes matter (D3)'],
        }),
      ];
    }
    // Binary units (sigmoid or logits): bias = log(p / (1 - p)) per unit.
    const values = view.kind === 'values' ? view : null;
    const cols = values ? values.cols : 1;
    const rows = values ? values.rows : view.kind === 'classes' ? view.labels.length : 0;
    if (rows === 0 || (bias !== null && bias.length !== cols)) return [];
    const p = new Array<number>(cols).fill(0);
    if (values) {
      for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) p[k] = (p[k] as number) + (values.values[r * cols + k] as number);
    } else if (view.kind === 'classes') p[0] = view.counts[1] ?? 0;
    const prior = p.map((s) => (s + 0.5) / (rows + 1));
    const suggested = prior.map((q) => Math.log(q / (1 - q)));
    const current = bias ?? new Array<number>(cols).fill(0);
    const bad = suggested.map((s, k) => ({ k, s, ratio: Math.max(prior[k] as number, 1 - (prior[k] as number)) / Math.min(prior[k] as number, 1 - (prior[k] as number)), gap: Math.abs((current[k] as number) - s) })).filter((u) => u.ratio > IMBALANCE && u.gap > BIAS_TOLERANCE);
    if (bad.length === 0) return [];
    const worst = bad.reduce((a, b) => (b.gap > a.gap ? b : a));
    return [
      makeFinding(m4FinalLayerInit, {
        severity: 'warning',
        message:
          `${bad.length} of ${cols} binary output${cols === 1 ? '' : 's'} have an imbalanced prior (e.g. unit ${worst.k}: p = ${round(prior[worst.k] as number, 3)}, ratio ${round(worst.ratio, 3)} > ${IMBALANCE}) but bias ${round(current[worst.k] as number, 3)} instead of log(p / (1 - p)) = ${round(worst.s, 4)}. ` +
          'The model first spends steps learning the base rate (a "hockey stick" loss curve).',
        layer,
        evidence: {
          units: cols,
          positiveRate: list(prior),
          imbalanceThreshold: IMBALANCE,
          currentBias: bias ? list(bias) : null,
          suggestedBias: list(suggested),
          maxBiasGap: round(worst.gap),
          biasTolerance: BIAS_TOLERANCE,
        },
        actions: [...noBias, setIt(suggested)],
      }),
    ];
  }

  if (family === 'regression' && head.finalActivation === 'linear') {
    const n = exampleCount(ctx.data.x);
    const rows = sampleRows(n, BATCH, ctx.seed);
    const xb = takeRows(ctx.data.x, rows);
    let predMean: number[];
    try {
      predMean = tf.tidy(() => {
        const out = asArray(ctx.model.apply(unwrap(xb), { training: false }) as tf.Tensor | tf.Tensor[])[0] as tf.Tensor;
        return Array.from(tf.mean(tf.reshape(out, [out.shape[0] as number, -1]), 0).dataSync());
      });
    } finally {
      tf.dispose(xb);
    }
    const view = readTargets(y, 'regression', units);
    if (view.kind !== 'values' || view.cols !== predMean.length) return [];
    const { mean, variance } = columnMoments(view);
    const gaps = mean.map((m, k) => {
      const sd = Math.sqrt(variance[k] as number);
      return { k, m, sd, pred: predMean[k] as number, z: Math.abs(m - (predMean[k] as number)) / Math.max(sd, 1e-12) };
    });
    const bad = gaps.filter((g) => g.z > MEAN_GAP_STDS && Number.isFinite(g.z));
    if (bad.length === 0) return [];
    const worst = bad.reduce((a, b) => (b.z > a.z ? b : a));
    const suggested = gaps.map((g) => (bias ? (bias[g.k] as number) : 0) + (g.m - g.pred));
    return [
      makeFinding(m4FinalLayerInit, {
        severity: 'warning',
        message:
          `The untrained model predicts ${round(worst.pred, 4)} on average for output ${worst.k} while the targets average ${round(worst.m, 4)} (std ${round(worst.sd, 4)}): ${round(worst.z, 3)} target stds off (threshold ${MEAN_GAP_STDS}). ` +
          `The first phase of training only moves the output to the mean (a "hockey stick" loss curve). Suggested bias for ${layer}: [${list(suggested).join(', ')}].`,
        layer,
        evidence: {
          outputs: gaps.length,
          targetMean: list(mean),
          targetStd: list(variance.map((v) => Math.sqrt(v))),
          meanPrediction: list(predMean),
          worstGapStds: round(worst.z),
          gapThresholdStds: MEAN_GAP_STDS,
          currentBias: bias ? list(bias) : null,
          suggestedBias: list(suggested),
        },
        actions: [...noBias, setIt(suggested), 'or standardise the targets (subtract the mean, divide by the std) and undo it at prediction time'],
      }),
    ];
  }
  return [];
}

/**
 * M4 Final-layer init. Softmax classes: warning when the class prior is imbalanced (max/min > 3) and
 * the centred output bias differs from the centred log-prior by > 0.5 nats (e.g. it is 0); binary
 * units: same with log(p / (1 - p)); regression (linear output): warning when the mean initial
 * prediction is > 1 target std from the target mean. Gives the suggested bias values.
 * @example
 * const [f] = await m4FinalLayerInit.run(ctx); f?.evidence.suggestedBias // [-0.9, 1.4, -0.5]
 */
export const m4FinalLayerInit: Probe = {
  id: 'M4',
  title: 'Final-layer init',
  severity: 'warning',
  kind: 'probe',
  description: 'Checks the output bias against the log class prior (imbalanced classes) or the initial predictions against the target mean (regression), and suggests bias values.',
  budgetMs: 2_000,
  run,
};
