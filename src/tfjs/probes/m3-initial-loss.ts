/**
 * M3 Loss at initialisation: the loss of the untrained model on a batch, against where it should
 * start — ln(C) for C-class softmax cross-entropy (the entropy of the class prior if the output bias
 * was set to the log-prior), ln 2 per unit for binary cross-entropy, and for regression between the
 * loss of predicting the target mean and the loss of predicting 0 (target variance + mean^2 for MSE).
 * Far above means a bad init scale or wrong wiring; far below at init means the labels leak or the
 * weights are not fresh.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { sampleRows } from './batches.js';
import type { Probe, ProbeContext } from './probe.js';
import { asArray, evaluateLoss, exampleCount, lossNames, lossPerExample, takeRows } from './probe-kit.js';
import { lossFamily, outputUnits, readTargets } from './targets.js';
import { round } from './tensor-stats.js';

/** Rows evaluated (a seeded sample). */
const BATCH = 256;
/**
 * Cross-entropy: above the reference by more than ABS_TOLERANCE nats, or by a factor > RATIO: warning.
 * Regression: above RATIO x the predict-zero loss and above it by more than ABS_TOLERANCE x its value.
 * Below the lowest plausible start by ABS_TOLERANCE (nats, or relative for regression): info.
 */
const ABS_TOLERANCE = 0.5;
const RATIO = 2;

interface Reference {
  /** The level the loss should start near. */
  readonly expected: number;
  /** Lowest plausible start (bias at the prior / target mean). */
  readonly lowest: number;
  readonly name: string;
  readonly detail: string;
}

const entropy = (ps: readonly number[]): number => -ps.reduce((s, p) => (p > 0 ? s + p * Math.log(p) : s), 0);

function reference(loss: string, y: tf.Tensor, yb: tf.Tensor, units: number | null): Reference | null {
  const family = lossFamily(loss);
  if (family === 'categorical' || family === 'sparse') {
    const view = readTargets(y, family, units);
    if (view.kind !== 'classes') return null;
    const c = view.numClasses;
    const total = view.counts.reduce((a, b) => a + b, 0);
    const h = entropy(view.counts.map((k) => k / Math.max(1, total)));
    return { expected: Math.log(c), lowest: h, name: `ln(${c})`, detail: `ln(${c}) = ${round(Math.log(c), 4)} (uniform over ${c} classes); entropy of the class prior ${round(h, 4)}` };
  }
  if (family === 'binary') {
    const view = readTargets(y, 'regression', units);
    if (view.kind !== 'values') return null;
    let hs = 0;
    for (let c = 0; c < view.cols; c++) {
      let pos = 0;
      for (let r = 0; r < view.rows; r++) pos += view.values[r * view.cols + c] as number;
      const p = pos / Math.max(1, view.rows);
      hs += entropy([p, 1 - p]);
    }
    const h = hs / Math.max(1, view.cols);
    return { expected: Math.log(2), lowest: h, name: 'ln(2)', detail: `ln(2) = 0.6931 per unit (p = 0.5); entropy of the label prior ${round(h, 4)}` };
  }
  if (family === 'regression') {
    // Loss of predicting 0 (an untrained net outputs ~0) and of predicting the target mean.
    const perExample = lossPerExample(loss, false);
    const [zeroLoss, meanLoss] = tf.tidy(() => {
      const target = yb.toFloat();
      const shape = target.rank === 1 ? [target.shape[0] as number, 1] : target.shape;
      const t = target.reshape(shape);
      const zero = tf.mean(perExample(t, tf.zerosLike(t))).dataSync()[0] as number;
      const mean = tf.mean(perExample(t, tf.broadcastTo(tf.mean(t, 0, true), t.shape))).dataSync()[0] as number;
      return [zero, mean];
    });
    const mse = lossFamily(loss) === 'regression' && /squared/i.test(loss) ? ' (target variance + mean^2)' : '';
    return { expected: zeroLoss, lowest: meanLoss, name: 'predict-0 loss', detail: `predicting 0 gives ${round(zeroLoss, 4)}${mse}; predicting the target mean gives ${round(meanLoss, 4)}` };
  }
  return null;
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const n = exampleCount(ctx.data.x);
  if (n === 0) return [];
  const names = lossNames(ctx.training, ctx.model.outputs.length);
  const loss = names[0] as string;
  const y = asArray(ctx.data.y)[0];
  if (!y) return [];
  const rows = sampleRows(n, BATCH, ctx.seed);
  const xb = takeRows(ctx.data.x, rows);
  const ybs = takeRows(ctx.data.y, rows);
  try {
    const measured = evaluateLoss(ctx.model, xb, ybs, ctx.training).perOutput[0] as number;
    const ref = reference(loss, y, ybs[0] as tf.Tensor, outputUnits(ctx.model));
    const evidence = {
      loss,
      measured: round(measured),
      expected: ref ? round(ref.expected) : null,
      reference: ref?.name ?? null,
      lowestPlausible: ref ? round(ref.lowest) : null,
      deviation: ref ? round(measured - ref.expected) : null,
      ratio: ref && ref.expected > 0 ? round(measured / ref.expected) : null,
      absTolerance: ABS_TOLERANCE,
      ratioThreshold: RATIO,
      rows: rows.length,
    };
    if (!Number.isFinite(measured)) {
      return [
        makeFinding(m3InitialLoss, {
          severity: 'error',
          message: `The loss of the untrained model is ${measured} on a batch of ${rows.length}: training starts from a non-finite loss.`,
          evidence,
          actions: ['check the data for NaN/Inf (D1)', 'check the output activation and the loss (M2)', 'check the weights for NaN (a corrupt checkpoint)'],
        }),
      ];
    }
    if (!ref) return [];
    const regression = lossFamily(loss) === 'regression';
    const tooHigh = regression
      ? measured > RATIO * ref.expected && measured - ref.expected > ABS_TOLERANCE * Math.max(ref.expected, 1e-12)
      : measured - ref.expected > ABS_TOLERANCE || measured > RATIO * ref.expected;
    const tooLow = regression ? measured < ref.lowest * (1 - ABS_TOLERANCE) : measured < ref.lowest - ABS_TOLERANCE;
    if (tooHigh) {
      return [
        makeFinding(m3InitialLoss, {
          severity: 'warning',
          message:
            `The untrained model starts at loss ${round(measured, 4)} on a batch of ${rows.length}; it should start near ${round(ref.expected, 4)}: ${ref.detail}. ` +
            `That is ${round(measured - ref.expected, 3)} above (${round(measured / Math.max(ref.expected, 1e-12), 3)}x): ${regression ? 'the initial outputs are much larger than the targets' : 'the initial predictions are confidently wrong'}, so the first steps are spent undoing the init (a "hockey stick" loss curve).`,
          evidence,
          actions: regression
            ? ['standardise the targets (or scale the output)', 'shrink the final layer init (e.g. kernelInitializer with a 10x smaller scale) and set its bias to the target mean (M4)', 'check the inputs are scaled (D2)']
            : ['shrink the final layer init (e.g. kernelInitializer with a small scale, or zeros) so the first predictions are near uniform', 'check the output activation and fromLogits (M2) and the weight init (M5)', 'check the inputs are scaled (D2)'],
        }),
      ];
    }
    if (tooLow) {
      return [
        makeFinding(m3InitialLoss, {
          severity: 'info',
          title: `${m3InitialLoss.title}: already below chance`,
          message: `The model starts at loss ${round(measured, 4)}, well below ${regression ? 'the loss of predicting the target mean' : 'the entropy of the class prior'} (${round(ref.lowest, 4)}): the weights are not fresh (pre-trained?) or the inputs leak the labels.`,
          evidence,
          actions: ['if this model is meant to be untrained, look for label information in the inputs (an id, a sorted index, the target itself)'],
        }),
      ];
    }
    return [];
  } finally {
    tf.dispose([...xb, ...ybs]);
  }
}

/**
 * M3 Loss at initialisation, measured on a seeded batch of up to 256 with the training loss (honours
 * fromLogits; the model is only read). Cross-entropy: warning when the loss exceeds ln(C) (ln 2 per
 * binary unit) by > 0.5 nats or 2x; regression: warning when it exceeds 2x the loss of predicting 0
 * (var + mean^2 for MSE); error when non-finite; info when far below the prior entropy / the
 * predict-the-mean loss (not a fresh model, or label leakage).
 * @example
 * const [f] = await m3InitialLoss.run(ctx); f?.evidence.expected // 2.303 for 10 classes
 */
export const m3InitialLoss: Probe = {
  id: 'M3',
  title: 'Loss at initialisation',
  severity: 'error',
  kind: 'probe',
  description: 'Computes the untrained loss on a batch and compares it with ln(C), ln 2 per binary unit, or the predict-zero / predict-mean loss for regression.',
  budgetMs: 2_000,
  run,
};
