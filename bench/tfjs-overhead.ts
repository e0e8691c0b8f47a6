/**
 * Benchmark: the cost of the TF.js doctor per training step, measured in one run on the same model and
 * data: plain `model.fit`, `doctor.fit` with the default sampling, and `doctor.fit` recording the loss
 * only (plus `model.fit` with `doctor.callback()` for reference). Configurations are interleaved over
 * several rounds; the ratios are taken within each round (back-to-back epochs) and the median over
 * rounds is reported, so machine noise hits every configuration alike.
 * Targets: default sampling <= 1.10x plain, loss-only <= 1.02x.
 * Run directly: `npx tsx bench/tfjs-overhead.ts`.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Doctor } from '../src/tfjs/index.js';
import { createDoctor, quietBackend } from '../src/tfjs/index.js';

const FEATURES = 64;
const CLASSES = 10;
const EXAMPLES = 2048;
const BATCH = 64;
const ROUNDS = 5;

type Config = 'plain' | 'callback' | 'default' | 'lossOnly';
const CONFIGS: readonly Config[] = ['plain', 'default', 'lossOnly', 'callback'];

function buildModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 128, activation: 'relu', inputShape: [FEATURES] }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/**
 * ms per step of one epoch under `config`. Each configuration keeps one doctor for the whole benchmark,
 * so its step counter (and with it sampling, histograms and check evaluations) runs as in a real run.
 */
async function epoch(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, config: Config, doctor: Doctor | null): Promise<number> {
  const args: tf.ModelFitArgs = { epochs: 1, batchSize: BATCH, verbose: 0 };
  const t0 = performance.now();
  if (!doctor) await model.fit(x, y, args);
  else if (config === 'callback') await model.fit(x, y, { ...args, callbacks: [doctor.callback()] });
  else await doctor.fit(model, x, y, args);
  return (performance.now() - t0) / Math.ceil(EXAMPLES / BATCH);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/**
 * Runs the benchmark; returns ms/step per configuration and the overhead ratios.
 * @example
 * const figures = await benchTfjsOverhead(); // { plainMsPerStep: 9.1, defaultRatio: 1.04, ... }
 */
export async function benchTfjsOverhead(): Promise<Record<string, number>> {
  quietBackend();
  const x = tf.randomNormal([EXAMPLES, FEATURES], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniformInt([EXAMPLES], 0, CLASSES, 2), CLASSES).toFloat());
  const model = buildModel();
  const doctors: Record<Config, Doctor | null> = {
    plain: null,
    default: createDoctor({ print: null }),
    lossOnly: createDoctor({ print: null, lossOnly: true }),
    callback: createDoctor({ print: null }),
  };
  try {
    await epoch(model, x, y, 'plain', null); // warm-up: kernels, optimizer slots
    const times: Record<Config, number[]> = { plain: [], callback: [], default: [], lossOnly: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? CONFIGS : [...CONFIGS].reverse();
      for (const c of order) times[c].push(await epoch(model, x, y, c, doctors[c]));
    }
    // Ratios within each round (the configurations ran back to back), then the median over rounds.
    const ratio = (c: Config): number => median(times[c].map((t, i) => t / (times.plain[i] as number)));
    return {
      plainMsPerStep: median(times.plain),
      defaultMsPerStep: median(times.default),
      lossOnlyMsPerStep: median(times.lossOnly),
      callbackMsPerStep: median(times.callback),
      defaultRatio: ratio('default'),
      lossOnlyRatio: ratio('lossOnly'),
      callbackRatio: ratio('callback'),
      steps: Math.ceil(EXAMPLES / BATCH) * ROUNDS,
    };
  } finally {
    for (const d of Object.values(doctors)) await d?.close();
    model.dispose();
    tf.dispose([x, y]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await benchTfjsOverhead();
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(20)} ${Number.isInteger(v) ? v : v.toFixed(3)}\n`);
}
