import { describe, expect, it } from 'vitest';
import { runFrom } from '../test-support/runs.js';
import { ruleTable } from '../test-support/rule-table.js';
import { t1LiveFinding, t1NonFinite } from './t1-non-finite.js';

const steps = [0, 10, 20, 30, 40];
const s = (values: number[]) => ({ steps, values });
const ok = (level: number) => s([level, level, level, level, level]);
const nanFrom = (i: number, level = 1) => s(steps.map((_, k) => (k >= i ? NaN : level)));

ruleTable(t1NonFinite, {
  valid: [
    { name: 'every curve finite', run: runFrom({ loss: ok(1), 'act_mean/l1': ok(0.2), 'grad_norm/l1/kernel': ok(0.1), 'weight_norm/l1/kernel': ok(3) }) },
    { name: 'no per-layer telemetry: a NaN loss is C6 territory', run: runFrom({ loss: nanFrom(2) }) },
    { name: 'infinite values only in non-layer tags', run: runFrom({ loss: ok(1), 'act_std/l1': ok(0.5), other_metric: nanFrom(1) }) },
  ],
  invalid: [
    {
      name: 'activations of the second layer and gradients of the first at the same step: the activation names it',
      run: runFrom({ loss: nanFrom(2), 'act_mean/l1': ok(0.1), 'act_mean/l2': nanFrom(2), 'grad_norm/l1/kernel': nanFrom(2), 'grad_norm/l2/kernel': nanFrom(2) }),
      findings: [{ severity: 'error', layer: 'l2', steps: [20, 20], message: /step 20: the output \(activations\) of layer l2/, evidence: { step: 20, quantity: 'act_mean', curvesAffected: 3, lossStep: 20 } }],
    },
    {
      name: 'weights non-finite before any activation',
      run: runFrom({ loss: nanFrom(3), 'act_std/l1': nanFrom(3), 'weight_norm/l1/kernel': ok(2), 'weight_norm/l2/kernel': nanFrom(1) }),
      findings: [{ severity: 'error', layer: 'l2/kernel', steps: [10, 10], message: /the weights of layer l2\/kernel/, evidence: { quantity: 'weight_norm', lossStep: 30 } }],
    },
    {
      name: 'loss non-finite between sampled steps: the step is the loss step, the layer the first sampled one',
      run: runFrom({ loss: { steps: [0, 5, 10, 15, 20, 25, 30], values: [1, 1, 1, 1, 1, NaN, NaN] }, 'grad_norm/l1/kernel': nanFrom(3), 'grad_norm/l2/kernel': nanFrom(3) }),
      findings: [{ severity: 'error', layer: 'l1/kernel', steps: [25, 30], message: /already non-finite at step 25/, evidence: { step: 25, layerStep: 30, quantity: 'grad_norm' } }],
    },
    {
      name: 'loss NaN while every per-layer curve stays finite',
      run: runFrom({ loss: nanFrom(4), 'act_mean/l1': ok(0.1), 'grad_norm/l1/kernel': ok(0.1) }),
      findings: [{ severity: 'error', layer: null, steps: [40, 40], message: /stay finite/, evidence: { lossStep: 40, curvesAffected: 0, perLayerCurves: 2 } }],
    },
    {
      name: 'dead-fraction curves count as activations (prefixed tags too)',
      run: runFrom({ 'train/act_dead_frac/relu1': nanFrom(2), 'grad_norm/relu1/kernel': nanFrom(3) }),
      findings: [{ severity: 'error', layer: 'relu1', steps: [20, 20], evidence: { quantity: 'train/act_dead_frac', lossStep: null } }],
    },
  ],
});

describe('T1 live localisation finding', () => {
  it('names the layer whose output turned non-finite, and the step', () => {
    const f = t1LiveFinding({ step: 12, loss: NaN, kind: 'output', layer: 'overflow', param: null, layersChecked: 4 });
    expect(f).toMatchObject({ check: 'T1', severity: 'error', layer: 'overflow', steps: [12, 12] });
    expect(f.message).toMatch(/Loss is NaN at step 12; .*first non-finite output is layer overflow's/);
    expect(f.evidence).toMatchObject({ step: 12, origin: 'output', loss: 'NaN', layersChecked: 4 });
  });

  it('says when the gradient, not the loss, turned non-finite', () => {
    const f = t1LiveFinding({ step: 3, loss: 0.52, kind: 'gradient', layer: 'root', param: 'root/kernel', layersChecked: 0, affected: 2 });
    expect(f.message).toMatch(/Gradients turn non-finite at step 3 while the loss is finite \(0\.52\); the backward pass first produces NaN\/Inf at root\/kernel \(layer root\), the output-most of 2 variables/);
    expect(f.tags).toEqual(['grad_norm/root/kernel']);
    expect(f.evidence).toMatchObject({ loss: 0.52, variablesAffected: 2 });
  });

  it('says what is missing when only the fit callback saw the loss', () => {
    const f = t1LiveFinding({ step: 7, loss: Infinity, kind: 'not-localised', layer: null, param: null, layersChecked: 0 });
    expect(f.message).toMatch(/Loss is Infinity at step 7; per-layer localisation needs doctor.fit\(\) or doctor.trainStep\(\)/);
    expect(f.layer).toBeNull();
  });

  it('points at the loss function when every layer output is finite', () => {
    const f = t1LiveFinding({ step: 0, loss: NaN, kind: 'loss', layer: null, param: null, layersChecked: 3 });
    expect(f.message).toMatch(/every layer output is finite \(3 layers checked\): the loss function itself/);
    expect(f.actions[0]).toMatch(/epsilon/);
  });
});
