import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cloneModel, compileFor } from './clone-model.js';

describe('cloneModel', () => {
  it('copies weights and keeps the original untouched when the clone trains', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
    model.layers[0]!.trainable = false;
    const before = model.getWeights().map((w) => w.arraySync());
    const clone = await cloneModel(model);
    expect(clone.getWeights().map((w) => w.arraySync())).toEqual(before);
    expect(clone.layers[0]?.trainable).toBe(false);
    compileFor(clone, { loss: 'meanSquaredError', optimizer: 'sgd', learningRate: 0.1, batchSize: 4 });
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 2);
    await clone.fit(x, y, { epochs: 2, verbose: 0 });
    expect(model.getWeights().map((w) => w.arraySync())).toEqual(before);
    // the trainable layer of the clone learned; its frozen layer did not
    expect(clone.layers[1]!.getWeights()[0]!.arraySync()).not.toEqual(model.layers[1]!.getWeights()[0]!.arraySync());
    expect(clone.layers[0]!.getWeights()[0]!.arraySync()).toEqual(model.layers[0]!.getWeights()[0]!.arraySync());
    tf.dispose([x, y]);
    clone.dispose();
    model.dispose();
  });
});
