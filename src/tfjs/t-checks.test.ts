/**
 * Each T-check on a small TF.js training: a sabotaged one where it must fire, and a healthy MLP
 * where none of T1-T10 may warn. Trainings are unshuffled and seeded, so they are deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { createDoctor } from './index.js';
import type { MlpOptions } from './test-support/fixtures.js';
import { blobData, disposeAll, mlp, regressionData } from './test-support/fixtures.js';

interface Training {
  readonly model: MlpOptions;
  readonly data?: { x: tf.Tensor2D; y: tf.Tensor2D };
  readonly epochs?: number;
  readonly callbacks?: tf.CustomCallbackArgs;
  readonly freeze?: string;
}

/** Trains with doctor.fit (every 2nd step sampled) and returns the findings at warning or above. */
async function train(t: Training): Promise<Finding[]> {
  const model = mlp(t.model);
  if (t.freeze) {
    model.getLayer(t.freeze).trainable = false;
    model.compile({ optimizer: t.model.optimizer ?? tf.train.adam(1e-2), loss: t.model.loss ?? 'meanSquaredError' });
  }
  const { x, y } = t.data ?? regressionData(192, t.model.features, 11);
  const doctor = createDoctor({ print: null, every: 2, checkEvery: 1000 });
  try {
    await doctor.fit(model, x, y, {
      epochs: t.epochs ?? 6,
      batchSize: 16,
      shuffle: false,
      validationSplit: 0.25,
      verbose: 0,
      ...(t.callbacks ? { callbacks: t.callbacks } : {}),
    });
    await doctor.close();
    return doctor.findings().filter((f) => f.severity !== 'info');
  } finally {
    disposeAll(model, x, y);
  }
}

const ids = (fs: readonly Finding[]): string[] => fs.map((f) => f.check);
const of = (fs: readonly Finding[], id: string): Finding | undefined => fs.find((f) => f.check === id);

describe('T-checks on TF.js trainings', () => {
  it('a healthy small MLP raises none of T1-T10', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16], outputs: 3, outputActivation: 'softmax', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }, data: blobData(192, 6, 3, 5) });
    expect(found.filter((f) => f.check.startsWith('T')).map((f) => `${f.check}: ${f.message}`)).toEqual([]);
  });

  it('a healthy tanh regression MLP raises none of T1-T10', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16], activation: 'tanh', optimizer: tf.train.adam(3e-3) } });
    expect(found.filter((f) => f.check.startsWith('T')).map((f) => `${f.check}: ${f.message}`)).toEqual([]);
  });

  it('T1 and T2: lr = 10 blows the gradients up to NaN', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16], optimizer: tf.train.sgd(10) } });
    expect(of(found, 'T1')?.severity).toBe('error');
    expect(of(found, 'T2')).toMatchObject({ severity: 'error' });
  });

  it('T3: zero-initialised deep sigmoid stack', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16, 16, 16, 16], activation: 'sigmoid', kernelInitializer: () => 'zeros' } });
    expect(of(found, 'T3')?.severity).toBe('error');
    expect(of(found, 'T3')?.layer).toMatch(/^hidden[12]\/kernel$/);
  });

  it('T4: Adam at lr = 0.1 overshoots (update/weight ratio above 0.1), SGD at lr = 1e-8 barely moves', async () => {
    const high = await train({ model: { features: 6, hidden: [16, 16], optimizer: tf.train.adam(0.1) } });
    expect(of(high, 'T4')).toMatchObject({ title: 'Update/weight ratio too high' });
    const low = await train({ model: { features: 6, hidden: [16, 16], optimizer: tf.train.sgd(1e-8) } });
    expect(of(low, 'T4')).toMatchObject({ severity: 'warning', title: 'Update/weight ratio too low' });
  });

  it('T5: a ReLU layer whose bias starts at -100 is dead', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16], biasInitializer: (i) => (i === 1 ? tf.initializers.constant({ value: -100 }) : 'zeros') } });
    expect(of(found, 'T5')).toMatchObject({ severity: 'error', layer: 'hidden2', evidence: { deadFraction: 1 } });
  });

  it('T6: sigmoid layers initialised 5x too large saturate', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16], activation: 'sigmoid', kernelInitializer: (i) => tf.initializers.randomNormal({ stddev: 5, seed: i + 1 }) } });
    expect(of(found, 'T6')?.severity).toBe('warning');
    expect(of(found, 'T6')?.layer).toMatch(/^hidden[12]$/);
  });

  it('T7: weights x100 make the activations explode', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16], kernelInitializer: (i) => tf.initializers.randomNormal({ stddev: 50, seed: i + 1 }), optimizer: tf.train.sgd(1e-12) } });
    expect(of(found, 'T7')).toMatchObject({ severity: 'error', layer: 'hidden2', evidence: { direction: 'explode' } });
  });

  it('T8: unscaled regression targets (offset 1000) drive the output bias past 100', async () => {
    const found = await train({ model: { features: 6, hidden: [], optimizer: tf.train.adam(5) }, data: regressionData(192, 6, 3, { offset: 1000 }) });
    expect(of(found, 'T8')?.message).toMatch(/Bias .*out\/bias/);
  });

  it('T9: a frozen hidden layer never changes', async () => {
    const found = await train({ model: { features: 6, hidden: [16, 16] }, freeze: 'hidden1' });
    expect(of(found, 'T9')?.message).toMatch(/hidden1\/kernel, hidden1\/bias/);
  });

  it('T10: the learning rate is cut to ~0 after the first epoch', async () => {
    const optimizer = tf.train.adam(1e-2);
    const found = await train({
      model: { features: 6, hidden: [16, 16], optimizer },
      epochs: 8,
      callbacks: {
        onEpochEnd: (epoch) => {
          if (epoch === 0) (optimizer as unknown as { learningRate: number }).learningRate = 1e-9;
        },
      },
    });
    expect(ids(found)).toContain('T10');
  });
});
