import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { createDoctor } from './index.js';
import { disposeAll } from './test-support/fixtures.js';

/** Squares its input: overflows float32 (to Infinity) when the input is above ~1.8e19. */
class Overflow extends tf.layers.Layer {
  static readonly className = 'Overflow';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.square(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs));
  }
}

/** sqrt(relu(x)): finite forward, but its gradient at x <= 0 is Inf * 0 = NaN. */
class Root extends tf.layers.Layer {
  static readonly className = 'Root';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.sqrt(tf.relu(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs)));
  }
}

const BATCH = 16;
const BAD_BATCH = 3;

/** 128 examples; the examples of batch 3 (rows 48-63, unshuffled) carry a 1e30 feature. */
function data(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const base = tf.randomNormal([128, 4], 0, 1, 'float32', 7);
    const rows = tf.range(0, 128).reshape([128, 1]);
    const planted = tf.logicalAnd(tf.greaterEqual(rows, BAD_BATCH * BATCH), tf.less(rows, (BAD_BATCH + 1) * BATCH));
    const column0 = tf.oneHot(tf.tensor1d([0], 'int32'), 4).reshape([1, 4]).cast('bool');
    const x = tf.where(tf.logicalAnd(planted, column0), tf.fill([128, 4], 1e30), base) as tf.Tensor2D;
    return { x, y: tf.randomNormal([128, 1], 0, 1, 'float32', 8) as tf.Tensor2D };
  });
}

function model(middle: tf.layers.Layer): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, inputShape: [4], name: 'pre', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }));
  m.add(middle);
  m.add(tf.layers.dense({ units: 1, name: 'out', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }));
  m.compile({ optimizer: tf.train.sgd(1e-3), loss: 'meanSquaredError' });
  return m;
}

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

describe('T1 localisation', () => {
  it('doctor.fit names the planted layer whose output overflows, and the step; stopOn: error stops with finite weights', async () => {
    const { x, y } = data();
    const m = model(new Overflow({ name: 'overflow' }));
    cleanup = () => disposeAll(m, x, y);
    const seen: Array<{ f: Finding; step: number }> = [];
    const doctor = createDoctor({ print: null, stopOn: 'error', every: 2, onFinding: (f, c) => seen.push({ f, step: c.step }) });
    const history = await doctor.fit(m, x, y, { epochs: 3, batchSize: BATCH, shuffle: false, verbose: 0 });
    await doctor.close();
    const t1 = doctor.findings().find((f) => f.check === 'T1');
    expect(t1?.layer).toBe('overflow');
    expect(t1?.steps).toEqual([BAD_BATCH, BAD_BATCH]);
    expect(t1?.message).toMatch(/Loss is (Infinity|NaN) at step 3; re-running the batch layer by layer, the first non-finite output is layer overflow's/);
    expect(t1?.evidence).toMatchObject({ origin: 'output', layersChecked: 3 });
    expect(doctor.stopped?.check).toBe('T1');
    expect(seen.find((s) => s.f.check === 'T1')?.step).toBe(BAD_BATCH);
    // Stopped after the bad batch, which was not applied: the weights are still finite.
    expect(doctor.run.scalars.get('loss')?.steps.at(-1)).toBe(BAD_BATCH);
    expect(history.epoch).toHaveLength(1);
    const finite = tf.tidy(() => m.getWeights().every((w) => tf.all(tf.isFinite(w)).dataSync()[0] === 1));
    expect(finite).toBe(true);
  });

  it('trainStep with the model localises the same way in a custom loop', () => {
    const { x, y } = data();
    const m = model(new Overflow({ name: 'overflow' }));
    const optimizer = tf.train.sgd(1e-3);
    cleanup = () => {
      optimizer.dispose();
      disposeAll(m, x, y);
    };
    const doctor = createDoctor({ print: null });
    for (let b = 0; b < 6; b++) {
      const xb = x.slice([b * BATCH, 0], [BATCH, 4]);
      const yb = y.slice([b * BATCH, 0], [BATCH, 1]);
      doctor.trainStep({ optimizer, model: m, loss: () => tf.losses.meanSquaredError(yb, m.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar });
      tf.dispose([xb, yb]);
    }
    const t1 = doctor.findings().find((f) => f.check === 'T1');
    expect(t1).toMatchObject({ layer: 'overflow', steps: [BAD_BATCH, BAD_BATCH] });
    expect(doctor.stopped).toBeNull();
  });

  it('a finite loss with a non-finite gradient names the gradient, not a later symptom', async () => {
    const { x, y } = tf.tidy(() => ({ x: tf.randomNormal([64, 4], 0, 1, 'float32', 3) as tf.Tensor2D, y: tf.randomNormal([64, 1], 0, 1, 'float32', 4) as tf.Tensor2D }));
    const m = model(new Root({ name: 'root' }));
    cleanup = () => disposeAll(m, x, y);
    const doctor = createDoctor({ print: null, stopOn: 'error' });
    await doctor.fit(m, x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    await doctor.close();
    const t1 = doctor.findings().find((f) => f.check === 'T1');
    expect(t1?.message).toMatch(/Gradients turn non-finite at step 0 while the loss is finite .* at pre\/bias \(layer pre\).*right after it \(root\)/);
    expect(t1?.evidence).toMatchObject({ origin: 'gradient', param: 'pre/bias', suspects: 'root', variablesAffected: 2 });
    expect(doctor.stopped?.check).toBe('T1');
  });

  it('model.fit with only the callback reports the step and says how to localise', async () => {
    const { x, y } = data();
    const m = model(new Overflow({ name: 'overflow' }));
    cleanup = () => disposeAll(m, x, y);
    const doctor = createDoctor({ print: null, stopOn: 'error' });
    await m.fit(x, y, { epochs: 2, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: [doctor.callback()] });
    const t1 = doctor.findings().find((f) => f.check === 'T1');
    expect(t1).toMatchObject({ layer: null, steps: [BAD_BATCH, BAD_BATCH], evidence: { origin: 'not-localised' } });
    expect(doctor.run.scalars.get('loss')?.steps.at(-1)).toBe(BAD_BATCH);
  });
});
