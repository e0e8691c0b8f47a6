import { describe, expect, it } from 'vitest';
import { curve, seeded } from '../test-support/runs.js';
import { ctxOf, flatAt, healthyShapes, lateDrop, nanAt, oscillating, risingAfterFall, runWith, stillFalling, underfit } from '../test-support/loss-shapes.js';
import { c9Unstable } from './c9-unstable.js';

/** 8 epochs of 20 steps with the data sorted by label: each epoch walks the same class blocks, so the loss swings with the epoch. */
const SPE = 20;
const epochOf = (n: number) => ({ steps: Array.from({ length: n }, (_, i) => i), values: Array.from({ length: n }, (_, i) => Math.floor(i / SPE)) });
const classBlock = [0.35, 0.35, -0.25, -0.25, 0.1, 0.1, -0.35, -0.35, 0.3, 0.3, -0.1, -0.1, 0.25, 0.25, -0.3, -0.3, 0.15, 0.15, -0.2, -0.2];
const unshuffledAdam = () => curve(160, (i) => (0.9 + 1.4 * Math.exp(-i / 120)) * (1 + (classBlock[i % SPE] as number)), 0.05, 31);
/** SGD on unshuffled data: every other step the loss jumps from ~0.4 to 1-5x higher and straight back (real run: 2.43 0.07 2.64 0.31 4.88 0.48 ...). */
const spikeTrain = () => {
  const rand = seeded(32);
  return Array.from({ length: 160 }, (_, i) => (i % 2 === 1 ? 0.4 * (0.5 + rand()) : 0.4 * (1.5 + 8 * rand())) * (0.6 + Math.exp(-i / 100)));
};

const run = (r: ReturnType<typeof runWith>) => c9Unstable.run(ctxOf(r));
const atWarningOrAbove = (r: ReturnType<typeof runWith>) => run(r).filter((f) => f.severity !== 'info');

describe('C9 unstable', () => {
  describe('valid: must not fire at warning', () => {
    const valid: Array<readonly [string, () => ReturnType<typeof runWith>]> = [
      ...healthyShapes,
      ['flat at ln 10 under 30% noise', () => flatAt(2.302, 0.3, 1000, 5)],
      ['diverging (C2)', risingAfterFall],
      ['still falling', stillFalling],
      ['late drop', lateDrop],
      ['underfit', underfit],
      ['loss that blows up into NaN (C6)', () => nanAt(150)],
      [
        'LoRA fine-tune logged every 20 steps (real trainer_state numbers)',
        () => runWith({ loss: [0.6899, 0.6425, 0.5277, 0.5177, 0.4469, 0.4132, 0.397, 0.4026, 0.3847, 0.3684, 0.3617, 0.3674, 0.425, 0.298, 0.3242, 0.2937, 0.387, 0.349] }),
      ],
      ['100k-point per-step run whose 30% noise is largest early on', () => runWith({ 'train/loss': curve(100_000, (i) => 2.3 * Math.exp(-i / 20_000) + 0.1, 0.3, 9) })],
      ['swings that repeat with the epoch period (unshuffled data, Adam): C7 explains them', () => runWith({ loss: unshuffledAdam(), epoch: epochOf(160) })],
      ['a jump to a new level that stays (not a spike)', () => runWith({ 'train/loss': curve(200, (i) => (i < 60 ? 2 * Math.exp(-i / 20) + 0.3 : 1.5), 0.05, 33) })],
      ['two spikes that recover', () => {
        const v = curve(400, (i) => Math.exp(-i / 80) + 0.3, 0.1, 7);
        v[100] = 5;
        v[250] = 4;
        return runWith({ 'train/loss': v });
      }],
    ];
    it.each(valid)('%s', (_name, build) => {
      expect(atWarningOrAbove(build())).toEqual([]);
    });

    it('says too little data for a 6-point epoch curve, and nothing more', () => {
      const findings = run(healthyShapes[5]![1]());
      expect(findings.map((f) => [f.severity, f.evidence['insufficientData']])).toEqual([['info', true]]);
    });
  });

  describe('invalid: must fire', () => {
    it('large repeated oscillations are a warning with the count and the threshold', () => {
      const [f] = run(oscillating());
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['oscillations'] as number).toBeGreaterThanOrEqual(8);
      expect(f?.evidence['largestSwing'] as number).toBeGreaterThan(f?.evidence['swingThreshold'] as number);
      expect(f?.steps?.[0]).toBeLessThan(60);
      expect(f?.steps?.[1]).toBeGreaterThan(500);
    });

    it('oscillations on a 16-point epoch curve', () => {
      const [f] = run(runWith({ 'train/loss': [1.2, 0.8, 1.1, 0.7, 1.05, 0.65, 1.0, 0.6, 0.95, 0.62, 0.98, 0.58, 0.9, 0.6, 0.92, 0.57] }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['oscillations'] as number).toBeGreaterThanOrEqual(3);
    });

    it('repeated blow-ups of a per-batch loss (an order of magnitude, or lasting two steps) are a warning', () => {
      const v = curve(600, (i) => Math.exp(-i / 100) + 0.3, 0.1, 8);
      for (const i of [100, 260, 420]) v[i] = (v[i] as number) * 12;
      for (const i of [180, 340, 500]) {
        v[i] = (v[i] as number) * 4;
        v[i + 1] = (v[i + 1] as number) * 3;
      }
      const [f] = run(runWith({ 'train/loss': v }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['spikes']).toBe(6);
      expect(f?.steps).toEqual([100, 500]);
    });

    it('one-point hard batches of 4x now and then (1% of the steps, as in a fine-tune: trocr) are no instability', () => {
      const v = curve(600, (i) => Math.exp(-i / 100) + 0.3, 0.1, 8);
      for (const i of [100, 180, 260, 340, 420, 500]) v[i] = (v[i] as number) * 4;
      expect(run(runWith({ 'train/loss': v }))).toEqual([]);
    });

    it('the same epoch-periodic swings without an epoch length are oscillations (no period to defer to)', () => {
      const [f] = run(runWith({ loss: unshuffledAdam() }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['oscillations'] as number).toBeGreaterThanOrEqual(3);
      expect(f?.evidence['epochPeriodicSwings']).toBe(false);
    });

    it('a spike train (the loss jumps to 2x+ and back every other step, SGD on unshuffled data) is a warning, even with an epoch curve', () => {
      const [f] = run(runWith({ loss: spikeTrain(), epoch: epochOf(160) }));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence['spikes'] as number).toBeGreaterThanOrEqual(10);
      expect(f?.evidence['spikeWindow']).toBe(20);
      expect(f?.evidence['spikeMinRise'] as number).toBeGreaterThan(0.15);
      expect(f?.message).toMatch(/spikes to 2x or more of the median of the previous 20 points/);
      expect(f?.steps?.[0]).toBeGreaterThanOrEqual(20);
    });

    it('two order-of-magnitude spikes of epoch averages that recover, at any height (a memorised loss 0.004 -> 0.09: W&B clip_cifar100 6c85qiw7)', () => {
      const base = (e: number): number => 3.9 * Math.exp(-e / 2.5) + 0.002 + 0.02 * Math.exp(-e / 20);
      const excursion: Record<number, number> = { 43: 0.426, 44: 0.317, 45: 0.159, 46: 0.107, 47: 0.054, 79: 0.0094, 80: 0.0876, 81: 0.0585, 82: 0.0609, 83: 0.0306 };
      const values = Array.from({ length: 100 }, (_, e) => excursion[e] ?? base(e));
      const [f] = run(runWith({ average_loss: values }, {}, 'epoch'));
      expect(f?.severity).toBe('warning');
      expect(f?.evidence).toMatchObject({ spikes: 2, minRepeats: 2, epochLevelSpikes: true });
      expect(f?.steps).toEqual([43, 80]);
      expect(f?.message).toMatch(/2 epoch averages at 10x or more .*step 43: 0\.426, step 80: 0\.088/);
      // One such epoch is one event, not repeated instability; per-step points near zero are batch noise.
      expect(run(runWith({ average_loss: values.map((v, e) => (e >= 79 && e <= 83 ? base(e) : v)) }, {}, 'epoch'))).toEqual([]);
      expect(run(runWith({ 'train/loss': values }))).toEqual([]);
    });

    it('oscillations are not excused by an lr curve that does not rise', () => {
      const r = oscillating();
      const withLr = runWith({ 'train/loss': ctxOf(r).curves.trainLoss!.values as number[], lr: Array.from({ length: 600 }, (_, i) => 1e-3 * (1 - i / 600)) });
      expect(run(withLr)[0]?.severity).toBe('warning');
    });
  });
});
