/**
 * Test support for the P and M probe tests (not shipped): the probe contract as assertions. Each helper
 * builds the data and the model from factories, runs the probe with `runProbe`, asserts the contract and
 * disposes the model and the data, so a test only states what it runs on and what it expects.
 */
import type * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { Finding } from '../../../findings/finding.js';
import { disposeData, runProbe } from '../../../test-support/tfjs-fixtures.js';
import type { Probe, ProbeData, TrainingSpec } from '../probe.js';

/** What a probe runs on: factories called data first, then model; the helpers dispose both afterwards. */
export interface ProbeSubject {
  readonly data: () => ProbeData;
  readonly model: () => tf.LayersModel;
}

/** Budget and seed of the probe run (as `runProbe` takes them). */
export type ProbeRunOptions = NonNullable<Parameters<typeof runProbe>[4]>;

/**
 * Runs `probe` once on a fresh subject, hands the findings to `check`, then asserts that the probe
 * left the model (weights, trainable flags) and the data unchanged, and disposes both.
 * @example
 * await expectProbeCase(p7PredictionDynamics, { data: () => blobs(96, 8, 3, 1), model: build }, spec('categoricalCrossentropy'), (all) => {
 *   expect(all.map((f) => f.severity)).toEqual(['info']);
 * }, { budgetMs: 15_000 });
 */
export async function expectProbeCase(probe: Probe, subject: ProbeSubject, training: TrainingSpec, check: (findings: Finding[]) => void, options: ProbeRunOptions = {}): Promise<void> {
  const data = subject.data();
  const model = subject.model();
  const r = await runProbe(probe, model, data, training, options);
  check(r.findings);
  expect(r.modelUnchanged).toBe(true);
  expect(r.dataUnchanged).toBe(true);
  model.dispose();
  disposeData(data);
}

/**
 * Runs `probe` twice on a fresh subject (the first run warms up) and asserts that the second run
 * leaves no tensor behind; then disposes the model and the data.
 * @example
 * await expectNoLeak(m7FrozenParameters, { data: () => blobs(64, 8, 3, 1), model: () => mlp({ inputs: 8, outputs: 3 }) }, spec('categoricalCrossentropy'));
 */
export async function expectNoLeak(probe: Probe, subject: ProbeSubject, training: TrainingSpec, options: ProbeRunOptions = {}): Promise<void> {
  const data = subject.data();
  const model = subject.model();
  await runProbe(probe, model, data, training, options);
  const r = await runProbe(probe, model, data, training, options);
  expect(r.leaked).toBe(0);
  model.dispose();
  disposeData(data);
}
