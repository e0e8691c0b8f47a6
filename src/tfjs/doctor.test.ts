import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosePaths } from '../diagnose/diagnose-paths.js';
import type { Finding } from '../findings/finding.js';
import { tensorboardReader } from '../formats/tensorboard/index.js';
import { createRun, runSink } from '../telemetry/run.js';
import { createDoctor } from './index.js';
import { blobData, disposeAll, mlp, regressionData } from './test-support/fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const classifier = () => mlp({ features: 6, hidden: [12, 8], outputs: 3, outputActivation: 'softmax', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

describe('doctor.fit', () => {
  it('records loss, metrics, lr per step, validation and epoch means per epoch, per-parameter and per-layer statistics on sampled steps', async () => {
    const model = classifier();
    const { x, y } = blobData(96, 6, 3, 1);
    const doctor = createDoctor({ print: null, every: 3, histogramsEvery: 6 });
    const history = await doctor.fit(model, x, y, { epochs: 2, batchSize: 16, shuffle: false, validationSplit: 0.25, verbose: 0 });
    await doctor.close();
    disposeAll(model, x, y);
    expect(history.history.loss).toHaveLength(2);
    const s = doctor.run.scalars;
    expect(s.get('loss')?.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.get('acc')?.values).toHaveLength(10);
    expect(s.get('lr')?.values[0]).toBeCloseTo(0.01);
    expect(s.get('val_loss')?.steps).toEqual([4, 9]);
    expect(s.get('val_acc')?.steps).toEqual([4, 9]);
    expect(s.get('epoch_loss')).toMatchObject({ unit: 'epoch', steps: [0, 1] });
    expect(s.get('epoch')?.steps).toEqual([0, 5]);
    expect(s.get('grad_norm/hidden1/kernel')?.steps).toEqual([0, 3, 6, 9]);
    // Input side first, per parameter for gradients/weights, per layer for activations.
    const layerTags = [...s.keys()].filter((t) => t.startsWith('grad_norm/'));
    expect(layerTags).toEqual(['grad_norm/hidden1/kernel', 'grad_norm/hidden1/bias', 'grad_norm/hidden2/kernel', 'grad_norm/hidden2/bias', 'grad_norm/out/kernel', 'grad_norm/out/bias']);
    expect([...s.keys()].filter((t) => t.startsWith('act_'))).toEqual([
      'act_mean/hidden1', 'act_std/hidden1', 'act_zero_frac/hidden1', 'act_dead_frac/hidden1',
      'act_mean/hidden2', 'act_std/hidden2', 'act_zero_frac/hidden2', 'act_dead_frac/hidden2',
      'act_mean/out', 'act_std/out', 'act_zero_frac/out',
    ]);
    expect(s.get('update_ratio/hidden1/kernel')?.values.every((v) => v > 0 && v < 1)).toBe(true);
    expect(doctor.run.histograms.get('gradients/hidden2/kernel')?.steps).toEqual([0, 6]);
    expect(doctor.run.histograms.get('parameters/out/bias')?.histograms[0]?.num).toBe(3);
    expect(doctor.run.histograms.get('activations/hidden1')?.histograms[0]?.num).toBe(16 * 12);
  });

  it('measures functional models and keeps non-doctor callbacks working', async () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 6, activation: 'tanh', name: 'left' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 6, activation: 'relu', name: 'right' }).apply(input) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: 'join' }).apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: 'head' }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    const { x, y } = regressionData(64, 4, 2);
    let batches = 0;
    const doctor = createDoctor({ print: null, every: 2 });
    await doctor.fit(model, x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: { onBatchEnd: () => void batches++ } });
    await doctor.close();
    disposeAll(model, x, y);
    expect(batches).toBe(4);
    const s = doctor.run.scalars;
    expect(s.get('act_sat_frac/left')?.values).toHaveLength(2);
    expect(s.get('act_dead_frac/right')?.values).toHaveLength(2);
    expect(s.get('act_std/join')?.values).toHaveLength(2);
    expect(s.has('act_sat_frac/head')).toBe(false);
  });
});

describe('doctor.callback() in model.fit', () => {
  it('records loss, metrics and lr per batch and epoch, and nothing per layer', async () => {
    const model = classifier();
    const { x, y } = blobData(64, 6, 3, 3);
    const doctor = createDoctor({ print: null });
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, validationData: [x, y], callbacks: [doctor.callback()] });
    await doctor.close();
    disposeAll(model, x, y);
    const tags = [...doctor.run.scalars.keys()].sort();
    expect(tags).toEqual(['acc', 'epoch', 'epoch_acc', 'epoch_loss', 'epoch_val_acc', 'epoch_val_loss', 'loss', 'lr', 'val_acc', 'val_loss']);
    expect(doctor.run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(doctor.run.histograms.size).toBe(0);
  });
});

describe('log directory', () => {
  it('round-trips through the TensorBoard reader and diagnosePaths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-tfjs-'));
    dirs.push(dir);
    const model = classifier();
    const { x, y } = blobData(96, 6, 3, 4);
    const doctor = createDoctor({ print: null, logDir: dir, every: 2, histogramsEvery: 4 });
    await doctor.fit(model, x, y, { epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0 });
    await doctor.close();
    disposeAll(model, x, y);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(doctor.run.files).toEqual([join(dir, files[0] as string)]);

    const back = createRun(dir, 'tensorboard');
    const { problems } = await tensorboardReader.read(join(dir, files[0] as string), runSink(back), {});
    expect(problems).toEqual([]);
    expect([...back.scalars.keys()].sort()).toEqual([...doctor.run.scalars.keys()].sort());
    expect([...back.histograms.keys()].sort()).toEqual([...doctor.run.histograms.keys()].sort());
    for (const [tag, series] of doctor.run.scalars) {
      const read = back.scalars.get(tag);
      expect(read?.steps, tag).toEqual(series.steps);
      expect(read?.unit, tag).toBe(series.unit);
      expect(read?.values, tag).toEqual(series.values.map((v) => Math.fround(v)));
    }
    const h = back.histograms.get('parameters/hidden1/kernel')?.histograms[0];
    expect(h?.num).toBe(6 * 12);

    const diagnosis = await diagnosePaths([dir]);
    expect(diagnosis.problems).toEqual([]);
    expect(diagnosis.runs).toHaveLength(1);
    expect(diagnosis.runs[0]?.curves).toMatchObject({ trainLoss: 'loss', valLoss: 'val_loss', trainMetric: 'acc', valMetric: 'val_acc', lr: 'lr', epoch: 'epoch' });
  });
});

describe('live alerts', () => {
  it('onFinding and the printed alert come once per finding (again only when it escalates)', async () => {
    const model = mlp({ features: 6, hidden: [8, 8], activation: 'sigmoid', kernelInitializer: (i) => tf.initializers.randomNormal({ stddev: 5, seed: i + 1 }) });
    const { x, y } = regressionData(128, 6, 5);
    const seen: Array<{ f: Finding; step: number }> = [];
    const lines: string[] = [];
    const doctor = createDoctor({ every: 1, checkEvery: 4, onFinding: (f, c) => seen.push({ f, step: c.step }), print: (l) => lines.push(l) });
    await doctor.fit(model, x, y, { epochs: 6, batchSize: 16, verbose: 0 });
    await doctor.close();
    disposeAll(model, x, y);
    expect(seen.length).toBeGreaterThan(0);
    expect(lines).toHaveLength(seen.length);
    expect(lines[0]).toMatch(/^nndoctor: step \d+ (ERROR|WARNING) [CT]\d+ /);
    const byKey = new Map<string, string[]>();
    for (const { f } of seen) byKey.set(`${f.check}|${f.title}`, [...(byKey.get(`${f.check}|${f.title}`) ?? []), f.severity]);
    for (const [key, severities] of byKey) expect([key, severities]).toEqual([key, [...new Set(severities)]]);
    expect(byKey.has('T6|Saturated activations')).toBe(true);
    expect(doctor.findings().every((f) => f.evidence.insufficientData !== true)).toBe(true);
    expect(doctor.stopped).toBeNull();
  });

  it('alerts a network dead from step 0 (zero-init ReLUs, T5) within the first 20% of the steps; a healthy one gets no T5', async () => {
    const train = async (kernelInitializer?: (layer: number) => 'zeros') => {
      const model = mlp({ features: 6, hidden: [12, 8], outputs: 3, outputActivation: 'softmax', loss: 'categoricalCrossentropy', ...(kernelInitializer ? { kernelInitializer } : {}) });
      const { x, y } = blobData(400, 6, 3, 7);
      const alerts: Array<{ check: string; severity: string; step: number }> = [];
      const doctor = createDoctor({ print: null, every: 2, onFinding: (f, c) => alerts.push({ check: f.check, severity: f.severity, step: c.step }) });
      await doctor.fit(model, x, y, { epochs: 4, batchSize: 16, verbose: 0 });
      await doctor.close();
      disposeAll(model, x, y);
      return { alerts, steps: doctor.run.scalars.get('loss')?.values.length ?? 0 };
    };
    const dead = await train(() => 'zeros');
    expect(dead.steps).toBe(100);
    const t5 = dead.alerts.find((a) => a.check === 'T5');
    expect(t5?.severity).toBe('error');
    // Early evaluation after the 3rd sampled point (step 4 = 2 x every): the first epoch ends at step 24, checkEvery is 100.
    expect(t5?.step).toBe(4);
    expect(t5?.step).toBeLessThanOrEqual(0.2 * dead.steps);
    const healthy = await train();
    expect(healthy.alerts.filter((a) => a.check === 'T5')).toEqual([]);
  });

  it("stopOn: 'error' stops fit at the first non-finite loss, like TerminateOnNaN", async () => {
    const model = mlp({ features: 6, hidden: [8, 8], optimizer: tf.train.sgd(50) });
    const { x, y } = regressionData(256, 6, 6, { scale: 10 });
    const doctor = createDoctor({ print: null, stopOn: 'error' });
    const history = await doctor.fit(model, x, y, { epochs: 20, batchSize: 16, verbose: 0 });
    await doctor.close();
    const finite = tf.tidy(() => model.getWeights().every((w) => tf.all(tf.isFinite(w)).dataSync()[0] === 1));
    disposeAll(model, x, y);
    expect(doctor.stopped?.check).toBe('T1');
    expect(history.epoch.length).toBeLessThan(20);
    const steps = doctor.run.scalars.get('loss')?.steps ?? [];
    expect(doctor.stopped?.steps?.[0]).toBe(steps[steps.length - 1]);
    expect(finite).toBe(true);
  });

  it('trainStep in a custom loop records the loss and lets the loop see doctor.stopped', () => {
    const w = tf.variable(tf.tensor2d([[1], [2]]), true, 'custom/w');
    const optimizer = tf.train.sgd(0.1);
    const xs = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    const ys = tf.tensor2d([[2], [-1], [1]]);
    const doctor = createDoctor({ print: null, every: 2, stopOn: 'warning' });
    const losses: number[] = [];
    for (let i = 0; i < 10 && !doctor.stopped; i++) losses.push(doctor.trainStep({ variables: [w], optimizer, loss: () => tf.losses.meanSquaredError(ys, tf.matMul(xs, w)) as tf.Scalar }));
    // The early evaluation after step 8 (4 x every) sees SGD at 0.1 change the 2 weights by ~13% per step.
    expect(doctor.stopped).toMatchObject({ check: 'T4', severity: 'warning', steps: [4, 8] });
    expect(losses).toHaveLength(9);
    expect(losses[8]).toBeLessThan(losses[0] as number);
    expect(doctor.run.scalars.get('loss')?.values).toEqual(losses);
    expect(doctor.run.scalars.get('grad_norm/custom/w')?.steps).toEqual([0, 2, 4, 6, 8]);
    expect(doctor.run.scalars.has('act_mean/custom')).toBe(false);
    optimizer.dispose();
    tf.dispose([w, xs, ys]);
  });
});
