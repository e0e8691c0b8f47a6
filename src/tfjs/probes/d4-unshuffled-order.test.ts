import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { permutation } from './batches.js';
import { d4UnshuffledOrder, runsTest } from './d4-unshuffled-order.js';
import { context, mlp, runClean, spec } from './test-support/probe-fixtures.js';

describe('D4 unshuffled order', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runsTest matches the random-order expectation', () => {
    const t = runsTest([0, 0, 1, 1, 1, 0, 2, 2]);
    expect(t.runs).toBe(4);
    expect(t.longest).toBe(3);
    expect(t.longestAt).toBe(2);
    // 64 labels 0..3 cycling: the most runs possible, z far above 0
    expect(runsTest(Array.from({ length: 64 }, (_, i) => i % 4)).z).toBeGreaterThan(4);
  });

  it('is silent on shuffled class labels', async () => {
    const model = mlp(4, 3);
    const order = permutation(120, 3);
    const y = tf.tensor1d(order.map((i) => i % 3));
    const x = tf.randomNormal([120, 4], 0, 1, 'float32', 1);
    expect(await runClean(d4UnshuffledOrder, context(model, { x, y }, spec('sparseCategoricalCrossentropy')))).toEqual([]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('warns on labels sorted by class (one-hot)', async () => {
    const model = mlp(4, 3);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 120 }, (_, i) => Math.floor(i / 40)), 'int32'), 3);
    const x = tf.randomNormal([120, 4], 0, 1, 'float32', 1);
    const findings = await runClean(d4UnshuffledOrder, context(model, { x, y }, spec('categoricalCrossentropy')));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.severity).toBe('warning');
    expect(findings[0]!.evidence).toMatchObject({ test: 'runs', runs: 3, sortedByClass: true, longestRun: 40 });
    expect(findings[0]!.evidence.z as number).toBeLessThan(-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('warns on partly ordered labels (blocks of 16)', async () => {
    const model = mlp(4, 2);
    const y = tf.tensor1d(Array.from({ length: 128 }, (_, i) => Math.floor(i / 16) % 2));
    const x = tf.randomNormal([128, 4], 0, 1, 'float32', 1);
    const findings = await runClean(d4UnshuffledOrder, context(model, { x, y }, spec('sparseCategoricalCrossentropy')));
    expect(findings.map((f) => [f.severity, f.evidence.runs, f.evidence.sortedByClass])).toEqual([['warning', 8, false]]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('regression: warns on sorted targets, silent on shuffled ones', async () => {
    const model = mlp(4, 1);
    const x = tf.randomNormal([100, 4], 0, 1, 'float32', 1);
    const sortedY = tf.tensor2d(Array.from({ length: 100 }, (_, i) => i / 10), [100, 1]);
    const perm = permutation(100, 9);
    const shuffledY = tf.tensor2d(perm.map((i) => i / 10), [100, 1]);
    const f = await runClean(d4UnshuffledOrder, context(model, { x, y: sortedY }, spec('meanSquaredError')));
    expect(f.map((g) => [g.severity, g.evidence.test, g.evidence.sortedAscending])).toEqual([['warning', 'autocorrelation', true]]);
    expect(await runClean(d4UnshuffledOrder, context(model, { x, y: shuffledY }, spec('meanSquaredError')))).toEqual([]);
    tf.dispose([x, sortedY, shuffledY]);
    model.dispose();
  });
});
