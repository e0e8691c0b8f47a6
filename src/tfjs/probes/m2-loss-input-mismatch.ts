/**
 * M2 Loss input mismatch: what the output layer produces (probabilities, logits, log-probabilities)
 * against what the loss expects — probabilities fed to a loss expecting logits, logits or scores fed
 * to a probability loss, a double softmax, a softmax over one unit. Read from the graph, then checked
 * numerically on a batch (outputs in [0, 1], rows summing to 1), which also covers custom layers.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
import { outputHead } from './model-graph.js';
import type { Probe, ProbeContext } from './probe.js';
import { asArray, exampleCount, lossNames, takeRows, unwrap } from './probe-kit.js';
import { isCrossEntropy, lossFamily } from './targets.js';
import { round } from './tensor-stats.js';

/** Rows run through the model for the numeric check. */
const BATCH = 64;
/** Outputs of a probability loss must lie in [-PROB_TOLERANCE, 1 + PROB_TOLERANCE]... */
const PROB_TOLERANCE = 1e-4;
/** ...and categorical rows must sum to 1 within this. */
const SUM_TOLERANCE = 1e-3;

const SQUASHING = new Set(['softmax', 'sigmoid']);

interface Numeric {
  readonly min: number;
  readonly max: number;
  /** Largest |row sum - 1| over the batch. */
  readonly maxSumError: number;
  readonly rows: number;
}

function measure(model: tf.LayersModel, ctx: ProbeContext): Numeric[] {
  const n = exampleCount(ctx.data.x);
  if (n === 0) return [];
  const rows = Array.from({ length: Math.min(n, BATCH) }, (_, i) => i);
  const xb = takeRows(ctx.data.x, rows);
  try {
    return tf.tidy(() => {
      const outs = asArray(model.apply(unwrap(xb), { training: false }) as tf.Tensor | tf.Tensor[]);
      return outs.map((o) => {
        const last = o.rank - 1;
        const sums = tf.abs(tf.sub(tf.sum(o, last), 1));
        return { min: tf.min(o).dataSync()[0] as number, max: tf.max(o).dataSync()[0] as number, maxSumError: tf.max(sums).dataSync()[0] as number, rows: rows.length };
      });
    });
  } finally {
    tf.dispose(xb);
  }
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const fromLogits = ctx.training.fromLogits ?? false;
  const names = lossNames(ctx.training, ctx.model.outputs.length);
  let numeric: Numeric[] = [];
  try {
    numeric = measure(ctx.model, ctx);
  } catch {
    numeric = []; // shape problems are M9's business; the static checks still apply
  }
  ctx.model.outputs.forEach((_o, i) => {
    const loss = names[i] as string;
    const family = lossFamily(loss);
    const head = outputHead(ctx.model, i);
    const final = head.finalActivation;
    const shape = ctx.model.outputs[i]?.shape ?? [];
    const units = shape[shape.length - 1];
    const num = numeric[i];
    const where = head.activations[0]?.layer ?? head.outputLayer.name;
    const outName = ctx.model.outputs.length > 1 ? `output ${i} (${head.outputLayer.name})` : 'the model output';
    const base = {
      loss,
      fromLogits,
      finalActivation: final,
      activationChain: head.activations.map((a) => `${a.layer}:${a.activation}`).join(' <- ') || 'linear',
      outputUnits: typeof units === 'number' ? units : null,
      outputMin: num ? round(num.min) : null,
      outputMax: num ? round(num.max) : null,
      maxRowSumError: num ? round(num.maxSumError) : null,
      probabilityTolerance: PROB_TOLERANCE,
      rowSumTolerance: SUM_TOLERANCE,
    };
    const add = (severity: Severity, title: string, message: string, actions: string[]): void => {
      findings.push(makeFinding(m2LossInputMismatch, { severity, title: `${m2LossInputMismatch.title}: ${title}`, message, layer: where, evidence: base, actions }));
    };
    // Softmax over a single unit is the constant 1.
    if (final === 'softmax' && units === 1) {
      add('error', 'softmax over one unit', `${outName} is a softmax over 1 unit: it is always exactly 1, so the loss and gradients are constant and nothing trains.`, [
        "for a binary task use activation: 'sigmoid' with binaryCrossentropy",
        'or give the output layer one unit per class (units: 2) with sparseCategoricalCrossentropy',
      ]);
      return;
    }
    // Double squashing (softmax of a softmax, sigmoid of a softmax...).
    const [a0, a1] = head.activations;
    if (a0 && a1 && SQUASHING.has(a0.activation) && SQUASHING.has(a1.activation)) {
      add(
        'error',
        `double ${a1.activation === a0.activation ? a0.activation : `${a1.activation} + ${a0.activation}`}`,
        `${a1.layer} applies ${a1.activation} and ${a0.layer} applies ${a0.activation} again: the second squashes probabilities in (0, 1) into a nearly uniform output, so predictions stay near chance and gradients shrink.`,
        [`remove one of them: keep ${a0.activation} in exactly one layer (or none, with fromLogits: true)`],
      );
      return;
    }
    if (!isCrossEntropy(family)) return;
    const expects = family === 'binary' ? 'sigmoid' : 'softmax';
    const looksLikeProbabilities = num !== undefined && num.min >= -PROB_TOLERANCE && num.max <= 1 + PROB_TOLERANCE && (family === 'binary' || num.maxSumError <= SUM_TOLERANCE);
    if (fromLogits) {
      if (SQUASHING.has(final) || (family !== 'binary' && typeof units === 'number' && units > 1 && looksLikeProbabilities)) {
        add(
          'error',
          'probabilities fed to a loss expecting logits',
          `${loss} is configured with fromLogits: true, but ${outName} already ${SQUASHING.has(final) ? `applies ${final}` : 'outputs probabilities'} (outputs in [${base.outputMin}, ${base.outputMax}]): the loss applies ${expects} a second time, so outputs are squeezed toward uniform and the gradients all but vanish.`,
          [`remove the ${SQUASHING.has(final) ? final : expects} from ${where} (keep the output linear) and keep fromLogits: true`, `or set fromLogits: false and keep the ${SQUASHING.has(final) ? final : expects}`],
        );
      }
      return;
    }
    // Probability loss: the output must be probabilities.
    if (final === 'logsoftmax') {
      add('error', 'log-probabilities fed to a probability loss', `${outName} ends in logSoftmax (values <= 0) but ${loss} expects probabilities: the loss clips them to [1e-7, 1] and learns nothing sensible.`, [
        "use activation: 'softmax'",
        'or keep logSoftmax and compute the loss from logits (fromLogits: true)',
      ]);
      return;
    }
    const staticWrong = final !== expects && !(family === 'binary' && final === 'softmax') && !(family !== 'binary' && final === 'sigmoid');
    const inRange = num !== undefined && num.min >= -PROB_TOLERANCE && num.max <= 1 + PROB_TOLERANCE;
    // A sigmoid with a categorical loss is the warning below, not "not probabilities".
    const numericWrong = num !== undefined && !(inRange && (family === 'binary' || final === 'sigmoid' || num.maxSumError <= SUM_TOLERANCE));
    if (staticWrong || numericWrong) {
      const measured = num ? ` On a batch of ${num.rows} the outputs span [${base.outputMin}, ${base.outputMax}]${family === 'binary' ? '' : ` and rows sum to 1 +- ${base.maxRowSumError}`}.` : '';
      add(
        'error',
        'logits fed to a probability loss',
        `${loss} expects probabilities (fromLogits is false), but ${outName} is ${final === 'linear' ? 'linear (raw scores/logits)' : `${final}, not ${expects}`}.${measured} TF.js divides by the row sum and clips to [1e-7, 1 - 1e-7]: negative scores get no gradient and the loss is meaningless.`,
        [`add activation: '${expects}' to ${where}`, `or pass fromLogits: true to the loss (tf.losses.${family === 'binary' ? 'sigmoidCrossEntropy' : 'softmaxCrossEntropy'} in TF.js) and keep the output linear`],
      );
      return;
    }
    if (family !== 'binary' && final === 'sigmoid') {
      add(
        'warning',
        'sigmoid outputs with a categorical loss',
        `${outName} applies sigmoid (independent per-class probabilities that need not sum to 1; measured row-sum error ${base.maxRowSumError}) but ${loss} treats them as one distribution: the loss renormalises them and the classes do not compete properly.`,
        [`use activation: 'softmax' for single-label classification`, 'or binaryCrossentropy if an example can have several labels'],
      );
    } else if (family === 'binary' && final === 'softmax' && typeof units === 'number' && units > 1) {
      add(
        'warning',
        'softmax outputs with binary cross-entropy',
        `${outName} is a softmax over ${units} units but binaryCrossentropy scores each unit independently: for multi-label targets the units cannot all be 1; for single-label targets categorical cross-entropy is the matching loss.`,
        ["multi-label: use activation: 'sigmoid'", 'single-label: use categoricalCrossentropy / sparseCategoricalCrossentropy'],
      );
    }
  });
  return findings;
}

/**
 * M2 Loss input mismatch, per model output: error for a softmax over 1 unit, a double softmax/sigmoid,
 * probabilities fed to a `fromLogits` loss, log-probabilities or logits fed to a probability
 * cross-entropy (static, confirmed numerically: outputs outside [0, 1] +- 1e-4 or rows not summing to
 * 1 +- 1e-3 on a batch of up to 64); warning for sigmoid with categorical CE or softmax with binary CE.
 * @example
 * const [f] = await m2LossInputMismatch.run(ctx); f?.title // 'Loss input mismatch: logits fed to a probability loss'
 */
export const m2LossInputMismatch: Probe = {
  id: 'M2',
  title: 'Loss input mismatch',
  severity: 'error',
  kind: 'probe',
  description: 'Checks the output activation against the loss (logits vs probabilities, double softmax, softmax over one unit) statically and numerically on a batch.',
  budgetMs: 2_000,
  run,
};
