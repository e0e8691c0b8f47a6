/**
 * P3 simpler-model comparison: trains a clone of the model and a small network of the same family
 * (dense, convolutional, embedding or recurrent; one small hidden layer, same output heads and loss)
 * for the same number of epochs on the same data, and compares both with the loss of a constant
 * prediction (class prior or target mean). Small trains where the full model does not: the
 * architecture (or its initialisation) is at fault. Neither trains: look at the code or the data.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe, TrainingSpec } from './probe.js';
import { compileProbe, deadline, disposeModel, evaluateLoss, exampleCount, lossNames, lossPerExample, normaliseLoss, round, sliceRows, trainEpochs } from './probe-kit.js';

const META = { id: 'P3', title: 'Simpler-model comparison' } as const;
/** A model "trains" when its training loss ends below this fraction of the constant-prediction loss. */
const TRAINS = 0.8;
const MAX_EPOCHS = 20;
const SMALL_UNITS = 8;

/** The loss of the best constant prediction for targets `y` of one output with `units` units. */
export function constantLoss(y: tf.Tensor, loss: string, fromLogits: boolean, units: number): number {
  return tf.tidy(() => {
    const name = normaliseLoss(loss);
    const n = y.shape[0]!;
    let target = y.toFloat();
    if (name === 'sparseCategoricalCrossentropy') target = tf.oneHot(y.flatten().toInt(), units).toFloat();
    const rows = target.reshape([n, -1]);
    let mean = rows.mean(0, true);
    if (name === 'meanAbsoluteError') mean = tf.tensor(medianColumns(rows), [1, rows.shape[1]!]);
    let pred: tf.Tensor = tf.tile(mean, [n, 1]);
    if (fromLogits && /crossentropy/i.test(name)) pred = name === 'binaryCrossentropy' ? tf.log(tf.div(tf.clipByValue(pred, 1e-7, 1 - 1e-7), tf.sub(1, tf.clipByValue(pred, 1e-7, 1 - 1e-7)))) : tf.log(tf.clipByValue(pred, 1e-7, 1));
    const yForLoss = name === 'sparseCategoricalCrossentropy' ? y : y.reshape([n, -1]);
    return lossPerExample(loss, fromLogits)(yForLoss, pred).mean().dataSync()[0]!;
  });
}

function medianColumns(rows: tf.Tensor): number[] {
  const [n, k] = rows.shape as [number, number];
  const v = rows.dataSync();
  return Array.from({ length: k }, (_c, j) => {
    const col = Array.from({ length: n }, (_r, i) => v[i * k + j]!).sort((a, b) => a - b);
    return col[Math.floor(n / 2)]!;
  });
}

/** A small network of the same family as `model`, or null with the reason when none can be built. */
export function smallSibling(model: tf.LayersModel, seed: number): { model: tf.LayersModel; family: string } | { model: null; reason: string } {
  const classes = model.layers.map((l) => l.getClassName());
  const family = classes.some((c) => /^Conv2D|SeparableConv2D|DepthwiseConv2D/.test(c))
    ? 'convolutional'
    : classes.some((c) => /^(LSTM|GRU|SimpleRNN|Bidirectional)$/.test(c))
      ? 'recurrent'
      : classes.some((c) => c === 'Embedding')
        ? 'embedding'
        : classes.some((c) => c === 'Conv1D')
          ? 'convolutional-1d'
          : 'dense';
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const inputs = model.inputs.map((s) => tf.input({ shape: s.shape.slice(1) as number[], dtype: s.dtype as 'float32' | 'int32' }));
  const embedding = model.layers.find((l) => l.getClassName() === 'Embedding');
  const encoded: tf.SymbolicTensor[] = [];
  for (const [i, input] of inputs.entries()) {
    const rank = input.shape.length; // with batch
    let h: tf.SymbolicTensor = input;
    if (input.dtype === 'int32' || (family === 'embedding' && rank === 2)) {
      const inputDim = (embedding?.getConfig()['inputDim'] as number | undefined) ?? 0;
      if (!inputDim) return { model: null, reason: `input ${i} holds integer ids but the model has no Embedding layer to copy the vocabulary size from` };
      h = tf.layers.embedding({ inputDim, outputDim: SMALL_UNITS, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed + i }) }).apply(h) as tf.SymbolicTensor;
    }
    const r = h.shape.length;
    if (family === 'convolutional' && r === 4) {
      h = tf.layers.conv2d({ filters: SMALL_UNITS, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(10 + i) }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    } else if (family === 'recurrent' && r === 3) {
      h = tf.layers.gru({ units: SMALL_UNITS, kernelInitializer: init(10 + i), recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 20 + i }) }).apply(h) as tf.SymbolicTensor;
    } else if (r === 3 && (family === 'convolutional-1d' || family === 'embedding')) {
      if (family === 'convolutional-1d') h = tf.layers.conv1d({ filters: SMALL_UNITS, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(10 + i) }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.globalAveragePooling1d({}).apply(h) as tf.SymbolicTensor;
    }
    if (h.shape.length > 2) h = tf.layers.flatten({}).apply(h) as tf.SymbolicTensor;
    encoded.push(h);
  }
  let trunk = encoded.length === 1 ? encoded[0]! : (tf.layers.concatenate({}).apply(encoded) as tf.SymbolicTensor);
  trunk = tf.layers.dense({ units: SMALL_UNITS, activation: 'relu', kernelInitializer: init(30) }).apply(trunk) as tf.SymbolicTensor;
  const heads: tf.SymbolicTensor[] = [];
  for (const [k, out] of model.outputs.entries()) {
    if (out.shape.length !== 2) return { model: null, reason: `output ${k} has shape [${out.shape.join(', ')}]; P3 builds small heads only for [batch, units] outputs` };
    const layer = out.sourceLayer as tf.layers.Layer | undefined;
    const activation = (layer?.getConfig()['activation'] as string | undefined) ?? 'linear';
    heads.push(tf.layers.dense({ units: out.shape[1]!, activation: activation as 'linear', kernelInitializer: init(40 + k) }).apply(trunk) as tf.SymbolicTensor);
  }
  return { model: tf.model({ inputs, outputs: heads, name: 'p3_small' }), family };
}

interface Outcome {
  readonly start: number;
  readonly end: number;
  readonly epochs: number;
  readonly trains: boolean;
}

async function trainAndMeasure(model: tf.LayersModel, spec: TrainingSpec, x: tf.Tensor[], y: tf.Tensor[], epochs: number, clock: ReturnType<typeof deadline>, baseline: number, seed: number): Promise<Outcome> {
  compileProbe(model, spec);
  const start = evaluateLoss(model, x, y, spec).total;
  const done = await trainEpochs(model, x, y, { epochs, batchSize: spec.batchSize, deadline: clock, seed });
  const end = evaluateLoss(model, x, y, spec).total;
  return { start, end, epochs: done.length, trains: Number.isFinite(end) && end < TRAINS * baseline };
}

export const p3SimplerModel: Probe = {
  ...META,
  severity: 'error',
  kind: 'probe',
  description:
    'Trains a clone and a small network of the same family (one hidden layer of 8, same heads and loss) for the same epochs and compares both with the constant-prediction loss: only the small one trains -> architecture; neither -> code or data.',
  budgetMs: 6000,
  async run(ctx) {
    const built = smallSibling(ctx.model, ctx.seed);
    if (built.model === null) {
      return [
        makeFinding(META, {
          severity: 'info',
          title: 'Simpler-model comparison: not applicable',
          message: `no simpler sibling could be built: ${built.reason}.`,
          evidence: { notApplicable: true },
          actions: ['compare by hand with a smaller model of your own'],
        }),
      ];
    }
    const small = built.model;
    const full = await cloneModel(ctx.model);
    const rows = Math.min(exampleCount(ctx.data.x), 2048);
    const x = sliceRows(ctx.data.x, 0, rows);
    const y = sliceRows(ctx.data.y, 0, rows);
    try {
      const names = lossNames(ctx.training, full.outputs.length);
      const baseline = full.outputs.reduce((s, o, k) => s + constantLoss(y[k] ?? y[0]!, names[k]!, ctx.training.fromLogits === true, o.shape[o.shape.length - 1] ?? 1), 0);
      const fullOutcome = await trainAndMeasure(full, ctx.training, x, y, MAX_EPOCHS, deadline(ctx, 0.5), baseline, ctx.seed);
      ctx.progress?.(0.5);
      const smallOutcome = await trainAndMeasure(small, ctx.training, x, y, Math.max(1, fullOutcome.epochs), deadline(ctx, 0.5), baseline, ctx.seed);
      ctx.progress?.(1);
      const evidence = {
        constantPredictionLoss: round(baseline),
        trainsBelow: round(TRAINS * baseline),
        fullLossStart: round(fullOutcome.start),
        fullLossEnd: round(fullOutcome.end),
        smallLossStart: round(smallOutcome.start),
        smallLossEnd: round(smallOutcome.end),
        epochs: fullOutcome.epochs,
        smallModel: `${built.family}: ${SMALL_UNITS}-unit hidden layer, ${small.countParams()} parameters (full: ${full.countParams()})`,
      };
      if (fullOutcome.trains) return [];
      if (smallOutcome.trains) {
        return [
          makeFinding(META, {
            severity: 'warning',
            title: 'A simpler model trains where the full one does not',
            message: `after ${fullOutcome.epochs} epochs the full model's loss is ${round(fullOutcome.end, 4)} (constant prediction: ${round(baseline, 4)}) while a small ${built.family} network reached ${round(smallOutcome.end, 4)}: the architecture or its initialisation is the problem, not the data or the loss.`,
            evidence,
            actions: [
              'start from the small model and grow it step by step, checking that each change still trains',
              'check initialisation (M5), frozen or dead layers (M7), and normalisation/activation choices in the deep part',
            ],
          }),
        ];
      }
      return [
        makeFinding(META, {
          severity: 'error',
          title: 'Neither the model nor a simpler one trains',
          message: `after ${fullOutcome.epochs} epochs neither the full model (${round(fullOutcome.end, 4)}) nor a small ${built.family} network (${round(smallOutcome.end, 4)}) gets below ${TRAINS}x the constant-prediction loss ${round(baseline, 4)}: the problem is in the code or the data (labels, preprocessing, loss), not the architecture.`,
          evidence,
          actions: [
            'check that labels are aligned with inputs (D7 shows a batch) and carry signal (D8: zeroed inputs should do worse)',
            'check the loss wiring (M2) and that P1 can overfit a tiny batch',
          ],
        }),
      ];
    } finally {
      tf.dispose([...x, ...y]);
      disposeModel(full);
      disposeModel(small);
    }
  },
};

