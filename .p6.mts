import * as tf from '@tensorflow/tfjs';
import { createDoctor } from './src/tfjs/index.js';
import { mlp, regressionData, blobData, disposeAll } from './src/tfjs/test-fixtures.js';
async function go(name: string, model: tf.LayersModel, data: {x: tf.Tensor, y: tf.Tensor}, epochs = 8, extra: Partial<tf.ModelFitArgs> = {}) {
  const doctor = createDoctor({ every: 5, print: null });
  const t0 = performance.now();
  await doctor.fit(model, data.x, data.y, { epochs, batchSize: 32, validationSplit: 0.25, verbose: 0, ...extra });
  await doctor.close();
  const f = doctor.findings().filter(f => f.severity !== 'info');
  console.log(`== ${name} (${Math.round(performance.now() - t0)} ms, ${doctor.run.scalars.get('loss')?.values.length} steps)`);
  for (const x of f) console.log(`  ${x.severity} ${x.check} ${x.message.slice(0, 230)}`);
  const stds = [...doctor.run.scalars].filter(([k]) => k.startsWith('act_std/')).map(([k, s]) => `${k}=${s.values.at(-1)?.toPrecision(2)}`);
  console.log('  ', stds.join(' '));
  disposeAll(model, data.x, data.y);
}
await go('healthy reg', mlp({ features: 8, hidden: [16, 16] }), regressionData(256, 8, 1));
await go('healthy cls', mlp({ features: 8, hidden: [16, 16], outputs: 3, outputActivation: 'softmax', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }), blobData(256, 8, 3, 1));
await go('healthy tanh glorot default', mlp({ features: 8, hidden: [16, 16, 16], activation: 'tanh' }), regressionData(256, 8, 1));
await go('lr=10 (T2/T4)', mlp({ features: 8, hidden: [16, 16], optimizer: tf.train.sgd(10) }), regressionData(256, 8, 2));
await go('lr=1e-8 (T4 low)', mlp({ features: 8, hidden: [16, 16], optimizer: tf.train.sgd(1e-8) }), regressionData(256, 8, 2));
await go('zero-init sigmoid (T3)', mlp({ features: 8, hidden: [16, 16, 16, 16, 16], activation: 'sigmoid', kernelInitializer: () => 'zeros' }), regressionData(256, 8, 3));
await go('deep sigmoid (T3)', mlp({ features: 8, hidden: [16, 16, 16, 16, 16, 16, 16, 16], activation: 'sigmoid' , optimizer: tf.train.sgd(0.01)}), regressionData(256, 8, 3));
await go('bias -100 relu (T5)', mlp({ features: 8, hidden: [16, 16], biasInitializer: (i) => (i === 1 ? tf.initializers.constant({ value: -100 }) : 'zeros') }), regressionData(256, 8, 4));
await go('sigmoid big init (T6)', mlp({ features: 8, hidden: [16, 16], activation: 'sigmoid', kernelInitializer: (i) => tf.initializers.randomNormal({ stddev: 5, seed: i }) }), regressionData(256, 8, 5));
await go('x100 weights (T7)', mlp({ features: 8, hidden: [16, 16], kernelInitializer: (i) => tf.initializers.randomNormal({ stddev: 50, seed: i }), optimizer: tf.train.sgd(1e-12) }), regressionData(256, 8, 6));
