import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { ctxOf, healthyShapes, lateDrop, nanAt, oscillating, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c6CurveVanishes } from './c6-curve-vanishes.js';

const run = (r: ReturnType<typeof runWith>) => c6CurveVanishes.run(ctxOf(r));
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('C6 curve vanishes', () => {
  describe('valid: must not fire', () => {
    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['diverging but finite (C2)', risingAfterFall],
      ['still falling', stillFalling],
      ['late drop', lateDrop],
      ['oscillating', oscillating],
      ['underfit', underfit],
      [
        'per-step train loss ending a little before the epoch-end validation point',
        () => runWith({ 'train/loss': { steps: range(47, (i) => 49 + 50 * i), values: curve(47, () => 0.9, 0.05) }, 'val/loss': { steps: [340, 681, 1022, 1363, 1704, 2045, 2386], values: [0.87, 0.87, 0.87, 0.86, 0.87, 0.87, 0.87] } }),
      ],
      [
        'a single validation point so far while training goes on (first epoch of a run being watched)',
        () => runWith({ 'train/loss': { steps: range(40, (i) => 10 * i), values: curve(40, (i) => 2 - i * 0.02, 0.05) }, 'val/loss': { steps: [50], values: [1.9] } }),
      ],
      [
        'a train loss logged once (an end-of-run summary) next to a per-step eval loss',
        () => runWith({ 'train/loss': { steps: [0], values: [0.5] }, 'val/loss': { steps: range(40, (i) => 10 * i), values: curve(40, (i) => 2 - i * 0.02, 0.05) } }),
      ],
      [
        'validation every 125 steps ending after the last train log',
        () => runWith({ 'train/loss': { steps: range(18, (i) => 20 * (i + 1)), values: curve(18, (i) => 0.7 - 0.02 * i, 0.05) }, 'eval/loss': { steps: [125, 250, 375], values: [0.4, 0.41, 0.39] }, lr: { steps: range(18, (i) => 20 * (i + 1)), values: range(18, (i) => 2e-4 * (1 - i / 18)) } }),
      ],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('reports the first NaN step of the train loss as an error', () => {
      const findings = run(nanAt(120));
      expect(findings).toHaveLength(1);
      const [f] = findings;
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([120, 299]);
      expect(f?.evidence['firstNonFiniteStep']).toBe(120);
      expect(f?.evidence['value']).toBe('NaN');
      expect(f?.tags).toEqual(['train/loss']);
      expect(f?.message).toMatch(/train\/loss is NaN from step 120 to the end/);
    });

    it('says the loss blew up before turning Infinity', () => {
      const values = [...curve(50, (i) => 1 - 0.01 * i, 0.05, 3), 2, 9, 80, 4000, Infinity, NaN];
      const [f] = run(runWith({ 'train/loss': values }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['firstNonFiniteStep']).toBe(54);
      expect(f?.evidence['value']).toBe('Infinity');
      expect(f?.evidence['blowUpFactor'] as number).toBeGreaterThan(1000);
      expect(f?.actions[0]).toMatch(/lower the learning rate/);
    });

    it('is certain on a 5-point epoch curve', () => {
      const [f] = run(runWith({ loss: [2.1, 1.5, 1.2, NaN, NaN], val_loss: [2.0, 1.6, 1.3, NaN, NaN] }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([3, 4]);
      expect(f?.message).toMatch(/^loss is NaN from step 3 to the end \(step 4\); the last finite value was 1\.200\.$/);
    });

    it('reports the validation loss separately', () => {
      const findings = run(runWith({ 'train/loss': curve(100, () => 1, 0.1), 'val/loss': { steps: [19, 39, 59, 79, 99], values: [1, 1.1, NaN, NaN, NaN] } }));
      expect(findings.map((f) => [f.tags[0], f.severity, f.steps?.[0]])).toEqual([['val/loss', 'error', 59]]);
    });

    it('a NaN that recovers is a warning with the count', () => {
      const values = curve(200, (i) => 2 * Math.exp(-i / 50) + 0.2, 0.1);
      values[70] = NaN;
      values[140] = NaN;
      const [f] = run(runWith({ 'train/loss': values }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['nonFinitePoints']).toBe(2);
      expect(f?.evidence['recovered']).toBe(true);
      expect(f?.steps).toEqual([70, 140]);
    });

    it('a train loss that stops at step 100 while the lr goes on to 1000 is an error', () => {
      const r = runWith({ 'train/loss': curve(101, (i) => 2 - i / 100, 0.05), lr: range(1001, () => 1e-3) });
      const [f] = run(r);
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([100, 1000]);
      expect(f?.evidence['gapSteps']).toBe(900);
      expect(f?.message).toMatch(/stops at step 100 while lr goes on to step 1000/);
    });

    it('an inf gradient norm with a finite loss is only info (fp16 loss scaling)', () => {
      const gn = curve(100, () => 1, 0.2);
      gn[40] = Infinity;
      const [f] = run(runWith({ 'train/loss': curve(100, (i) => 2 - i / 100, 0.05), grad_norm: gn }));
      expect(f?.severity).toBe('info');
      expect(f?.evidence['firstNonFiniteStep']).toBe(40);
    });
  });
});
