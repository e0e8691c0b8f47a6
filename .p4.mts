import * as tf from '@tensorflow/tfjs';
import { createDoctor } from './src/tfjs/index.js';
const n = 512, d = 8;
const x = tf.randomNormal([n, d], 0, 1, 'float32', 1); const w = tf.randomNormal([d, 1], 0, 1, 'float32', 2);
const y = tf.matMul(x, w);
const m = tf.sequential();
m.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [d] }));
m.add(tf.layers.dense({ units: 16, activation: 'tanh' }));
m.add(tf.layers.dense({ units: 1 }));
m.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError', metrics: ['mae'] });
const doctor = createDoctor({ every: 5, logDir: '/tmp/proto/run1' });
const t0 = performance.now();
const h = await doctor.fit(m, x, y, { epochs: 5, batchSize: 32, validationSplit: 0.2, verbose: 0 });
console.log('ms', performance.now() - t0, h.history.loss?.length, tf.memory().numTensors);
console.log([...doctor.run.scalars.keys()].join(' '));
console.log([...doctor.run.histograms.keys()].join(' '));
console.log(doctor.findings().map(f => `${f.severity} ${f.check} ${f.message}`));
await doctor.close();
for (const k of ['loss','act_std/dense_Dense1','update_ratio/dense_Dense1/kernel','act_dead_frac/dense_Dense1','act_sat_frac/dense_Dense2', 'val_loss', 'epoch_loss', 'lr', 'epoch']) { const s = doctor.run.scalars.get(k); console.log(k, s?.steps.slice(0,5), s?.values.slice(0,5).map(v=>+v.toPrecision(3))); }
