/**
 * P4 reproducibility: trains two clones from the same weights on the same batches in the same order
 * and compares the losses step by step. When they differ it names the source by toggling: with
 * dropout/noise layers switched off the runs match -> those layers draw unseeded random masks;
 * still different -> a nondeterministic op or a custom layer with its own randomness. It also checks
 * the two other usual suspects and reports them in the evidence: `model.fit({ shuffle: true })`
 * (TF.js shuffles with an unseeded Math.random) and weight initialisers without a seed.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe, TrainingSpec } from './probe.js';
import type { LayerJson } from './probe-kit.js';
import { compileProbe, deadline, disposeModel, exampleCount, modelArtifacts, rebuildWith, round, sliceRows, topologyLayers, unwrap } from './probe-kit.js';

const META = { id: 'P4', title: 'Reproducibility' } as const;
const STEPS = 12;
const STANDARD = /^(Dense|Conv1D|Conv2D|Conv2DTranspose|Conv3D|SeparableConv2D|DepthwiseConv2D|Flatten|Reshape|Permute|Activation|ReLU|LeakyReLU|PReLU|ELU|Softmax|ThresholdedReLU|BatchNormalization|LayerNormalization|Dropout|SpatialDropout1D|SpatialDropout2D|GaussianNoise|GaussianDropout|AlphaDropout|MaxPooling1D|MaxPooling2D|AveragePooling1D|AveragePooling2D|GlobalAveragePooling1D|GlobalAveragePooling2D|GlobalMaxPooling1D|GlobalMaxPooling2D|Embedding|LSTM|GRU|SimpleRNN|Bidirectional|TimeDistributed|Concatenate|Add|Multiply|Average|Maximum|Minimum|Dot|InputLayer|ZeroPadding2D|UpSampling2D|Cropping2D|RepeatVector|Masking|Rescaling|CenterCrop|Resizing)$/;

function isNoise(l: LayerJson): boolean {
  return /dropout|gaussiannoise/i.test(l.class_name) || typeof l.config['rate'] === 'number';
}

/** Per-step losses of `model` trained on fixed batches in a fixed order. */
async function run(model: tf.LayersModel, spec: TrainingSpec, x: tf.Tensor[], y: tf.Tensor[]): Promise<number[]> {
  compileProbe(model, spec);
  const n = exampleCount(x);
  const bs = Math.max(1, Math.min(spec.batchSize, n));
  const losses: number[] = [];
  let start = 0;
  for (let s = 0; s < STEPS; s++) {
    if (start + bs > n) start = 0;
    const xb = sliceRows(x, start, bs);
    const yb = sliceRows(y, start, bs);
    start += bs;
    try {
      const v = await model.trainOnBatch(unwrap(xb), unwrap(yb));
      losses.push(Array.isArray(v) ? (v[0] ?? NaN) : v);
    } finally {
      tf.dispose([...xb, ...yb]);
    }
  }
  return losses;
}

function firstDifference(a: readonly number[], b: readonly number[]): number | null {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) return i;
  return null;
}

async function twice(make: () => Promise<tf.LayersModel | null>, spec: TrainingSpec, x: tf.Tensor[], y: tf.Tensor[]): Promise<{ a: number[]; b: number[]; at: number | null } | null> {
  const m1 = await make();
  if (!m1) return null;
  const m2 = await make();
  try {
    const a = await run(m1, spec, x, y);
    const b = await run(m2!, spec, x, y);
    return { a, b, at: firstDifference(a, b) };
  } finally {
    disposeModel(m1);
    disposeModel(m2);
  }
}

export const p4Reproducibility: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'Trains two clones from the same weights on the same batches in the same order and compares losses step by step; when they differ it names the source by toggling dropout/noise layers off, and it reports whether fit(shuffle) and the weight initialisers are seeded.',
  budgetMs: 4000,
  async run(ctx) {
    const clock = deadline(ctx);
    const rows = Math.min(exampleCount(ctx.data.x), 256);
    const x = sliceRows(ctx.data.x, 0, rows);
    const y = sliceRows(ctx.data.y, 0, rows);
    try {
      const base = await twice(() => cloneModel(ctx.model), ctx.training, x, y);
      ctx.progress?.(0.3);
      if (!base) return [];
      const topology = (await modelArtifacts(ctx.model)).modelTopology;
      const layers = topologyLayers(topology);
      const noisy = layers.filter(isNoise).map((l) => `${String(l.config.name)} (${l.class_name}${l.config['seed'] === null || l.config['seed'] === undefined ? ', no seed' : `, seed ${String(l.config['seed'])}`})`);
      const custom = layers.filter((l) => !STANDARD.test(l.class_name)).map((l) => `${String(l.config.name)} (${l.class_name})`);

      // model.fit's shuffle
      let shuffleReproducible: boolean | null = null;
      if (!clock.over() && rows > Math.min(ctx.training.batchSize, rows)) {
        const histories: number[][] = [];
        for (let r = 0; r < 2; r++) {
          const m = await cloneModel(ctx.model);
          try {
            compileProbe(m, ctx.training);
            const h = await m.fit(x.length === 1 ? x[0]! : x, y.length === 1 ? y[0]! : y, { epochs: 1, batchSize: ctx.training.batchSize, shuffle: true, verbose: 0 });
            histories.push((h.history['loss'] ?? []).map(Number));
          } finally {
            disposeModel(m);
          }
        }
        shuffleReproducible = firstDifference(histories[0] ?? [], histories[1] ?? []) === null;
      }
      ctx.progress?.(0.5);
      // weight initialisers: rebuild from the topology twice
      let initialisationSeeded: boolean | null = null;
      if (!clock.over()) {
        const a = await tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] } as unknown as tf.io.ModelJSON);
        const b = await tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] } as unknown as tf.io.ModelJSON);
        const wa = a.getWeights();
        const wb = b.getWeights();
        initialisationSeeded = wa.every((w, i) => tf.tidy(() => tf.equal(w, wb[i]!).all().dataSync()[0] === 1));
        a.dispose();
        b.dispose();
      }
      ctx.progress?.(0.6);
      const extra = {
        fitShuffleReproducible: shuffleReproducible,
        initialisationSeeded,
      };
      const notes = [
        shuffleReproducible === false ? 'model.fit({ shuffle: true }) shuffles with an unseeded Math.random in TF.js, so two fits see batches in different orders' : '',
        initialisationSeeded === false ? 'weight initialisers have no seed, so a model rebuilt from its config starts from different weights' : '',
      ].filter((s) => s.length > 0);
      const noteActions = [
        ...(shuffleReproducible === false ? ['for reproducible runs, shuffle the data yourself with a seeded permutation each epoch and call fit with shuffle: false'] : []),
        ...(initialisationSeeded === false ? ['pass a seed to every initialiser (e.g. tf.initializers.glorotUniform({ seed })) or save and reload the initial weights'] : []),
      ];

      if (base.at === null) {
        return [
          makeFinding(META, {
            severity: 'info',
            message: `two runs from the same weights on the same batches in the same order gave identical losses over ${base.a.length} steps${notes.length > 0 ? `; but ${notes.join('; ')}` : ''}.`,
            evidence: { steps: base.a.length, ...extra },
            actions: noteActions.length > 0 ? noteActions : ['nothing to do'],
          }),
        ];
      }
      // toggle dropout/noise off
      let source = 'a nondeterministic operation in the backend or a custom layer that draws its own random numbers';
      let suspect: string[] = custom;
      let withoutNoise: { at: number | null } | null = null;
      if (noisy.length > 0 && !clock.over()) {
        withoutNoise = await twice(
          () =>
            rebuildWith(ctx.model, (l) => {
              if (!isNoise(l)) return false;
              if (typeof l.config['rate'] === 'number') l.config['rate'] = 0;
              if (typeof l.config['stddev'] === 'number') l.config['stddev'] = 0;
              return true;
            }),
          ctx.training,
          x,
          y,
        );
        if (withoutNoise && withoutNoise.at === null) {
          source = 'dropout/noise layers without a seed: each run draws different masks';
          suspect = noisy;
        }
      }
      ctx.progress?.(1);
      return [
        makeFinding(META, {
          severity: 'warning',
          title: 'Runs are not reproducible',
          message: `two runs from the same weights on the same batches in the same order diverge at step ${base.at} (loss ${round(base.a[base.at]!, 6)} vs ${round(base.b[base.at]!, 6)}); source: ${source}${suspect.length > 0 ? ` — ${suspect.join(', ')}` : ''}${notes.length > 0 ? `; also ${notes.join('; ')}` : ''}.`,
          layer: suspect[0]?.split(' ')[0] ?? null,
          evidence: {
            firstDifferentStep: base.at,
            lossesRunA: base.a.map((v) => round(v)),
            lossesRunB: base.b.map((v) => round(v)),
            source,
            suspects: suspect.join(', '),
            reproducibleWithoutNoiseLayers: withoutNoise === null ? null : withoutNoise.at === null,
            ...extra,
          },
          actions: [
            source.startsWith('dropout') ? 'give every dropout/noise layer a seed (note: a TF.js dropout with a fixed seed draws the same mask at every step) or accept the variation and compare runs over several seeds' : 'look for tf.random* calls without a seed in custom layers; run on the CPU backend to rule out GPU nondeterminism',
            ...noteActions,
          ],
        }),
      ];
    } finally {
      tf.dispose([...x, ...y]);
    }
  },
};
