/**
 * The preflight runner through its API: report shape, budget, selection, failure isolation and the
 * guarantee that the user's model and data are left untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, renderReport } from '../src/cli/diagnose-command.js';
import { makeFinding } from '../src/checks/check.js';
import { blobs, disposeData, mlp } from '../src/test-support/tfjs-fixtures.js';
import { probes } from '../src/tfjs/probes/index.js';
import { preflight, resolveTraining, selectProbes } from '../src/tfjs/probes/preflight.js';
import type { Probe } from '../src/tfjs/probes/probe.js';

const ids = probes.map((p) => p.id);

describe('probe registry', () => {
  it('is sorted D, M, P by number with unique ids', () => {
    const key = (id: string): number => 'DMP'.indexOf(id[0]!) * 100 + Number(id.slice(1));
    expect([...ids].sort((a, b) => key(a) - key(b))).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of probes) {
      expect(p.kind).toBe('probe');
      expect(p.budgetMs).toBeGreaterThan(0);
      expect(p.description.length).toBeGreaterThan(20);
    }
  });

  it('selects by id, case-insensitively, and returns unknown ids', () => {
    expect(selectProbes(probes, { only: ['m7', 'P1'] }).probes.map((p) => p.id)).toEqual(['M7', 'P1']);
    expect(selectProbes(probes, { skip: ['P5'] }).probes.map((p) => p.id)).not.toContain('P5');
    expect(selectProbes(probes, { only: ['Z9'] }).unknown).toEqual(['Z9']);
  });
});

describe('resolveTraining', () => {
  it('infers the loss from the output activation and the labels', () => {
    const d = blobs(16, 4, 3, 1);
    const s = blobs(16, 4, 3, 1, { sparse: true });
    const model = mlp({ inputs: 4, outputs: 3, outputActivation: 'softmax' });
    expect(resolveTraining(model, d).spec).toEqual({ loss: 'categoricalCrossentropy', optimizer: 'adam', learningRate: 1e-3, batchSize: 32 });
    expect(resolveTraining(model, s).spec.loss).toBe('sparseCategoricalCrossentropy');
    expect(resolveTraining(mlp({ inputs: 4, outputs: 1 }), d, { learningRate: 0.1 }).spec).toMatchObject({ loss: 'meanSquaredError', learningRate: 0.1 });
    expect(resolveTraining(mlp({ inputs: 4, outputs: 1, outputActivation: 'sigmoid' }), d).spec.loss).toBe('binaryCrossentropy');
    disposeData(d);
    disposeData(s);
  });
});

describe('preflight', () => {
  it('runs every probe on a small MLP within the budget, in the Diagnosis shape, leaving model and data untouched', async () => {
    await tf.setBackend('cpu');
    const data = blobs(96, 8, 3, 1, { spread: 1 });
    const model = mlp({ inputs: 8, hidden: [16], outputs: 3, outputActivation: 'softmax', name: 'small_mlp' });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const x = Array.from((data.x as tf.Tensor).dataSync());
    const progress: string[] = [];
    const result = await preflight(model, data, { budgetMs: 20_000, training: { loss: 'categoricalCrossentropy', learningRate: 0.01, batchSize: 16 }, onProgress: (p) => progress.push(p.probe) });
    expect(result.version).toBe(1);
    expect(result.problems).toEqual([]);
    const [run] = result.runs;
    expect(run?.run).toBe('small_mlp');
    expect(run?.format).toBe('preflight');
    expect(Object.keys(run!.probeMs)).toEqual(ids);
    expect([...new Set(progress.filter((p) => p))]).toEqual(ids);
    for (const f of run!.findings) {
      expect(ids).toContain(f.check);
      expect(f.actions.length).toBeGreaterThan(0);
    }
    // a healthy model: nothing at error
    expect(run!.findings.filter((f) => f.severity === 'error').map((f) => f.check)).toEqual([]);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(Array.from((data.x as tf.Tensor).dataSync())).toEqual(x);
    // the report renderers and exit codes of `diagnose` work on it
    expect(renderReport(result, 'text', false)).toContain('small_mlp');
    expect(renderReport(result, 'markdown', false)).toContain('| small_mlp | preflight |');
    expect(JSON.parse(renderReport(result, 'json', false)).runs[0].training.loss).toBe('categoricalCrossentropy');
    expect(exitCodeFor(result, 'error')).toBe(0);
    model.dispose();
    disposeData(data);
  });

  it('isolates a probe that throws, and restores and reports a probe that modifies the model', async () => {
    const data = blobs(32, 4, 2, 1);
    const model = mlp({ inputs: 4, outputs: 2, outputActivation: 'softmax', name: 'm' });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const thrower: Probe = { id: 'X1', title: 'thrower', severity: 'error', kind: 'probe', description: 'throws', budgetMs: 100, run: async () => Promise.reject(new Error('boom')) };
    const vandal: Probe = {
      id: 'X2', title: 'vandal', severity: 'error', kind: 'probe', description: 'zeroes the weights', budgetMs: 100,
      run: async (ctx) => {
        ctx.model.setWeights(ctx.model.getWeights().map((w) => tf.zerosLike(w)));
        ctx.model.layers[0]!.trainable = false;
        return [];
      },
    };
    const fine: Probe = { id: 'X3', title: 'fine', severity: 'info', kind: 'probe', description: 'says hello', budgetMs: 100, run: async () => [makeFinding({ id: 'X3', title: 'fine' }, { severity: 'warning', message: 'hello', evidence: {}, actions: ['none'] })] };
    const result = await preflight(model, data, { probes: [thrower, vandal, fine], budgetMs: 1000 });
    expect(result.problems.map((p) => [p.code, p.message.slice(0, 2)])).toEqual([['probe-failed', 'X1'], ['probe-modified-model', 'X2']]);
    expect(result.runs[0]?.findings.map((f) => f.check)).toEqual(['X3']);
    expect(exitCodeFor(result, 'warning')).toBe(1);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(model.layers[0]?.trainable).toBe(true);
    expect(() => selectProbes([thrower], { only: ['nope'] }).unknown).not.toThrow();
    await expect(preflight(model, data, { only: ['nope'] })).rejects.toThrow(/unknown probe id/);
    model.dispose();
    disposeData(data);
  });

  it('splits the budget: a probe gets a share proportional to its default budget', async () => {
    const data = blobs(16, 4, 2, 1);
    const model = mlp({ inputs: 4, outputs: 2, outputActivation: 'softmax' });
    const seen: Record<string, number> = {};
    const probe = (id: string, budgetMs: number): Probe => ({ id, title: id, severity: 'info', kind: 'probe', description: id, budgetMs, run: async (ctx) => ((seen[id] = ctx.budgetMs), []) });
    await preflight(model, data, { probes: [probe('A1', 1000), probe('A2', 3000)], budgetMs: 4000 });
    expect(seen['A1']).toBeGreaterThan(900);
    expect(seen['A1']).toBeLessThanOrEqual(1000);
    expect(seen['A2']).toBeGreaterThan(2900);
    model.dispose();
    disposeData(data);
  });
});
