import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createDoctor } from './index.js';
import { disposeAll, mlp, regressionData } from './test-support/fixtures.js';

describe('no tensor leaks', () => {
  it('tf.memory().numTensors after 1,000 instrumented steps equals the count after 10 (every 2nd step sampled, histograms every 10th)', () => {
    const model = mlp({ features: 4, hidden: [8, 8] });
    const { x, y } = regressionData(32, 4, 1);
    const optimizer = tf.train.adam(1e-3);
    const doctor = createDoctor({ print: null, every: 2, histogramsEvery: 10, checkEvery: 250 });
    const loss = (): tf.Scalar => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    let after10 = -1;
    for (let step = 1; step <= 1000; step++) {
      doctor.trainStep({ optimizer, loss, model });
      if (step === 10) after10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after10);
    expect(doctor.run.scalars.get('grad_norm/hidden1/kernel')?.values).toHaveLength(500);
    expect(doctor.run.histograms.get('activations/hidden2')?.histograms).toHaveLength(100);
    optimizer.dispose();
    disposeAll(model, x, y);
  });

  it('doctor.fit leaves no tensor behind and restores the optimizer', async () => {
    const model = mlp({ features: 4, hidden: [8] });
    const { x, y } = regressionData(64, 4, 2);
    const doctor = createDoctor({ print: null, every: 2 });
    await doctor.fit(model, x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const before = tf.memory().numTensors;
    await doctor.fit(model, x, y, { epochs: 3, batchSize: 16, verbose: 0, validationSplit: 0.25 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.getOwnPropertyDescriptor(model.optimizer, 'minimize')).toBeUndefined();
    await doctor.close();
    disposeAll(model, x, y);
  });
});
