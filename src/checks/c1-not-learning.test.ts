import { describe, expect, it } from 'vitest';
import { curve, runFrom } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, lateDrop, nanAt, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c1NotLearning } from './c1-not-learning.js';

const run = (r: ReturnType<typeof runWith>) => c1NotLearning.run(ctxOf(r));

describe('C1 not learning', () => {
  describe('valid: must not fire', () => {
    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['loss rising after a fall (that is C2)', risingAfterFall],
      ['still falling (C4)', stillFalling],
      ['late drop after a plateau (C5)', lateDrop],
      ['underfit: falls 20% then plateaus (C10)', underfit],
      ['loss NaN from step 2 (C6 speaks)', () => nanAt(2)],
      ['binary classifier starting at ln 2 and learning', () => runWith({ 'train/loss': curve(180, (i) => 0.69 * Math.exp(-i / 200), 0.1, 3) })],
      ['falls from 2.6 past ln 10 and settles at ln 4 = 1.386: it learned past the chance level its start allows', () => runWith({ 'train/loss': curve(160, (i) => 1.386 + 1.2 * Math.exp(-i / 15), 0.05, 41) })],
      ['passes through ln 10 on its way down (falls 3.2 -> 1.0)', () => runWith({ 'train/loss': curve(160, (i) => 1.0 + 2.2 * Math.exp(-i / 40), 0.05, 42) })],
      ['went clearly below chance (1.6) before climbing back to 2.30 (that is C2, not C1)', () => runWith({ 'train/loss': curve(160, (i) => (i < 60 ? 2.3 - 0.7 * Math.sin((Math.PI * i) / 60) : 2.303), 0.03, 43) })],
      ['starts at ln 10 and falls 9% but keeps falling over a wide range (not contained)', () => runWith({ 'train/loss': curve(160, (i) => 2.3 - 0.4 * (i / 160) ** 3, 0.01, 44) })],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(run(build())).toEqual([]);
    });

    it('returns nothing without a train loss', () => {
      expect(run(runFrom({ 'val/loss': [1, 1, 1, 1] }))).toEqual([]);
    });
  });

  describe('invalid: must fire', () => {
    it('flat at ln(10) = 2.302 under 10% noise is an error naming the chance level', () => {
      const [f] = run(flatAt(2.302, 0.1));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([0, 499]);
      expect(f?.evidence['referenceName']).toBe('ln(10)');
      expect(Math.abs(f?.evidence['relativeChange'] as number)).toBeLessThan(0.05);
      expect(f?.message).toMatch(/step 0 to 499.*ln\(10\)/);
    });

    it('flat at ln(10) under 30% per-batch noise is still an error', () => {
      const [f] = run(flatAt(2.302, 0.3, 1000, 5));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['referenceName']).toBe('ln(10)');
    });

    it('an 8-point epoch curve parked at ln 2 is an error (short curves are certain)', () => {
      const [f] = run(runWith({ 'train/loss': [0.694, 0.693, 0.695, 0.692, 0.693, 0.694, 0.693, 0.692] }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['referenceName']).toBe('ln(2)');
      expect(f?.steps).toEqual([0, 7]);
    });

    it('takes the class count from the metadata (7 classes: ln 7 = 1.946)', () => {
      const r = runWith({ 'train/loss': curve(300, () => 1.946, 0.05, 9) }, { output_dim: 7, loss: 'CrossEntropyLoss' });
      const [f] = run(r);
      expect(f?.severity).toBe('error');
      expect(f?.evidence['referenceName']).toBe('ln(7)');
      expect(f?.evidence['referenceLevel']).toBeCloseTo(Math.log(7), 6);
    });

    it('waits for a step-level curve to span 100 steps (a healthy CNN sat at ln 10 for its first 20 steps)', () => {
      const young = run(runWith({ 'train/loss': curve(20, () => 2.303, 0.01, 7) }));
      expect(young).toHaveLength(1);
      expect(young[0]).toMatchObject({ severity: 'info', evidence: { insufficientData: true, points: 20, needed: 100 } });
      expect(young[0]?.message).toMatch(/spans 20 steps; C1 needs at least 100/);
      expect(run(runWith({ 'train/loss': curve(120, () => 2.303, 0.01, 7) }))[0]?.severity).toBe('error');
      // epoch-level curves are judged from 5 points
      expect(run(runWith({ 'train/loss': [2.31, 2.3, 2.302, 2.305, 2.301, 2.3] }, {}, 'epoch'))[0]?.severity).toBe('error');
    });

    it('a loss that does not move at all is an error even off any chance level', () => {
      const [f] = run(runWith({ 'train/loss': Array.from({ length: 150 }, () => 3.7) }));
      expect(f?.severity).toBe('error');
      expect(f?.message).toMatch(/does not move/);
    });

    it('barely moving (0.90 -> 0.87, 3%) off any reference is a warning (forest-cover per-step losses)', () => {
      const values = [0.906, 0.902, 0.899, 0.893, 0.918, 0.889, 0.86, 0.872, 0.846, 0.85, 0.886, 0.856, 0.883, 0.834, 0.865, 0.883,
        0.842, 0.883, 0.825, 0.884, 0.895, 0.864, 0.835, 0.839, 0.852, 0.876, 0.902, 0.852, 0.859, 0.865, 0.856, 0.838, 0.874, 0.849,
        0.884, 0.851, 0.868, 0.892, 0.875, 0.866, 0.883, 0.895, 0.904, 0.882, 0.87, 0.853, 0.875];
      const [f] = run(runWith({ 'train/loss': { steps: values.map((_, i) => 49 + 50 * i), values } }, { output_dim: 7, loss: 'CrossEntropyLoss' }));
      expect(f?.severity).toBe('warning');
      expect(f?.steps).toEqual([49, 2349]);
      expect(f?.evidence['referenceName']).toBeNull();
      expect(f?.evidence['relativeChange']).toBeCloseTo(0.03, 2);
      expect(f?.evidence['classesFromMeta']).toBe(7);
      expect(f?.message).toMatch(/below the uniform-chance level ln\(7\) = 1\.946/);
      expect(f?.evidence['threshold']).toBe(0.05);
    });

    it('judges only the finite prefix of a curve that goes NaN', () => {
      const values = [...curve(100, () => 2.302, 0.05, 4), NaN, NaN];
      const [f] = run(runWith({ 'train/loss': values }));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([0, 99]);
    });

    it('falls from a bad initial loss to ln 10 and parks there (heavy dropout: 3.17 -> 2.30) is an error', () => {
      const [f] = run(runWith({ 'train/loss': curve(160, (i) => 2.303 + 0.87 * Math.exp(-i / 8), 0.04, 45) }));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([80, 159]);
      expect(f?.evidence).toMatchObject({ pattern: 'parked-after-fall', referenceName: 'ln(10)', referenceTolerance: 0.03, belowChanceLimit: 0.1 });
      expect(f?.message).toMatch(/falls from 2\.6\d+ to the chance level .* step 80 to 159 .* parked at ln\(10\) = 2\.303/);
    });

    it('tanh/SGD on unscaled inputs: 2.61 -> 2.29, wiggling around ln 10, is an error', () => {
      const [f] = run(runWith({ 'train/loss': curve(160, (i) => 2.3 + 0.3 * Math.exp(-i / 20) + 0.03 * Math.sin(i / 3), 0.05, 46) }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence['pattern']).toBe('parked-after-fall');
    });

    it('an 8-point epoch curve 3.18 -> 2.31 parked at ln 10 is an error (keras CSV)', () => {
      const [f] = run(runWith({ 'train/loss': [3.18, 2.38, 2.33, 2.31, 2.31, 2.32, 2.31, 2.31] }, {}, 'epoch'));
      expect(f?.severity).toBe('error');
      expect(f?.steps).toEqual([4, 7]);
      expect(f?.evidence['referenceName']).toBe('ln(10)');
    });

    it('starts at ln 10 and falls only 5.5% (2.34 -> 2.21, frozen hidden layers) is an error', () => {
      const [f] = run(runWith({ 'train/loss': curve(160, (i) => 2.2 + 0.16 * Math.exp(-i / 40), 0.01, 47) }));
      expect(f?.severity).toBe('error');
      expect(f?.evidence).toMatchObject({ pattern: 'near-chance', referenceName: 'ln(10)', threshold: 0.1, referenceTolerance: 0.06 });
      expect(f?.message).toMatch(/starts at ln\(10\) = 2\.303, the chance level for 10 classes, and barely leaves it/);
      expect(f?.steps).toEqual([0, 159]);
    });

    it('says too little data for a single point', () => {
      const [f] = run(runWith({ 'train/loss': [0.9] }));
      expect(f?.severity).toBe('info');
      expect(f?.evidence['insufficientData']).toBe(true);
    });
  });
});
