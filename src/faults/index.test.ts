import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.js';
import type { TrainingConfig } from './config.js';
import { describeConfig, healthyConfig, learningRateAt, withOverrides } from './config.js';
import { faults, findFault } from './index.js';

/** Freezes every nested object, so an `apply` that mutates its input throws. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const REQUIRED = ['lr-too-high', 'lr-too-low', 'relu-before-softmax', 'unshuffled-data', 'zero-init', 'deep-sigmoid', 'unscaled-inputs', 'log-zero-nan', 'frozen-layers', 'heavy-dropout'];

describe('fault registry', () => {
  it('is sorted by id, with unique kebab-case ids, and holds every required fault', () => {
    const ids = faults.map((f) => f.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const id of REQUIRED) expect(ids).toContain(id);
  });

  it.each(faults.map((f) => [f.id, f] as const))('%s: apply returns a new config and leaves its input untouched', (_id, fault) => {
    const input = deepFreeze(healthyConfig());
    const before = JSON.stringify(input);
    const out: TrainingConfig = fault.apply(input);
    expect(out).not.toBe(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(JSON.stringify(out)).not.toBe(before);
    // Pure: the same input gives the same config.
    expect(JSON.stringify(fault.apply(input))).toBe(JSON.stringify(out));
  });

  it.each(faults.map((f) => [f.id, f] as const))('%s: documents itself and names registered checks with a severity each', (_id, fault) => {
    // log/live checks, and the static model checks the demo runs before training (M1)
    const known = new Set([...checks.map((c) => c.id), 'M1']);
    expect(fault.title.length).toBeGreaterThan(5);
    expect(fault.description.length).toBeGreaterThan(40);
    for (const id of fault.checks) expect(known.has(id), `${fault.id}: ${id} is not a registered check`).toBe(true);
    expect(Object.keys(fault.severity).sort()).toEqual([...fault.checks].sort());
    for (const id of fault.causes) expect(id).toMatch(/^[CDMPT]\d+$/);
  });

  it('finds faults by id, case-insensitively, and nothing else', () => {
    expect(findFault('LR-Too-High')?.id).toBe('lr-too-high');
    expect(findFault(' zero-init ')?.id).toBe('zero-init');
    expect(findFault('nope')).toBeUndefined();
  });
});

describe('training config', () => {
  it('returns a fresh healthy config each time', () => {
    const a = healthyConfig();
    const b = healthyConfig();
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(a.data).not.toBe(b.data);
  });

  it('applies overrides without touching the input', () => {
    const base = deepFreeze(healthyConfig());
    const out = withOverrides(base, { epochs: 2, seed: 7, data: { train: 500 }, optimizer: { learningRate: 0.5 } });
    expect(out.epochs).toBe(2);
    expect(out.seed).toBe(7);
    expect(out.data).toEqual({ ...base.data, train: 500 });
    expect(out.optimizer).toEqual({ name: 'adam', learningRate: 0.5 });
    expect(out.model).toBe(base.model);
  });

  it('describes a config in one line', () => {
    expect(describeConfig(healthyConfig())).toBe('784-32-32-10 MLP (relu) on 2,000 MNIST digits (500 for validation), 6 epochs of batch 32, adam at lr 1e-3, seed 1');
  });
});

describe('learning-rate schedules', () => {
  const adam = { name: 'adam' as const, learningRate: 1e-3 };
  it('is constant without a schedule, steps at the given share of the run, decays exponentially to endFactor', () => {
    expect(learningRateAt(adam, 50, 100)).toBe(1e-3);
    const step = { ...adam, schedule: { kind: 'step' as const, at: 0.5, factor: 100 } };
    expect(learningRateAt(step, 49, 100)).toBe(1e-3);
    expect(learningRateAt(step, 50, 100)).toBeCloseTo(0.1, 12);
    const decay = { ...adam, schedule: { kind: 'exponential' as const, endFactor: 1e-6 } };
    expect(learningRateAt(decay, 0, 100)).toBe(1e-3);
    expect(learningRateAt(decay, 100, 100)).toBeCloseTo(1e-9, 15);
    expect(learningRateAt(decay, 50, 100)).toBeCloseTo(1e-6, 12);
  });

  it('faults that change the schedule, the sign or the data size describe themselves in the config line', () => {
    expect(describeConfig(findFault('lr-spike')?.apply(healthyConfig()) ?? healthyConfig())).toContain('(x100 from 50% of the run)');
    expect(findFault('gradient-ascent')?.apply(healthyConfig()).optimizer.learningRate).toBe(-1e-3);
    const tiny = findFault('noisy-labels')?.apply(healthyConfig());
    // Same number of optimiser steps as the healthy run (6 epochs of 63 batches = 378; 4 batches per epoch).
    expect(tiny?.data).toMatchObject({ train: 128, labelNoise: 0.4 });
    expect((tiny?.epochs ?? 0) * 4).toBeGreaterThanOrEqual(370);
    const clean = findFault('small-train-set')?.apply(healthyConfig());
    // 64 clean examples: 2 batches per epoch, 189 epochs for the same 378 steps.
    expect(clean?.data.train).toBe(64);
    expect(clean?.data.labelNoise).toBeUndefined();
    expect(clean?.epochs).toBe(189);
  });
});
