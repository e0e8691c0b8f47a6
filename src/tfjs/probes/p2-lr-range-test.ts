/**
 * P2 learning-rate range test: trains a clone while the learning rate grows exponentially from 1e-6
 * to 10 (one step per rate), then reads the loss-vs-rate curve. Known weakness of LR finders: one
 * noisy batch or a NaN early on ends the sweep or fakes a minimum. Here losses are smoothed with a
 * causal median (isolated spikes and single NaNs vanish) and then an exponential average, and
 * divergence needs the smoothed loss above 4x its best for 3 steps in a row, or two NaNs in a row.
 * The recommendation is one order of magnitude below the rate at the smoothed minimum, checked
 * against the rate of steepest descent; the reasoning goes into the evidence.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { cloneModel } from './clone-model.js';
import type { Probe } from './probe.js';
import { breathe, compileProbe, deadline, disposeModel, exampleCount, permutation, round, setLearningRate, takeRows, unwrap } from './probe-kit.js';

const META = { id: 'P2', title: 'Learning-rate range test' } as const;
const LR_MIN = 1e-6;
const LR_MAX = 10;
const STEPS = 100;
const MEDIAN = 5;
const BETA = 0.7;
const DIVERGE = 4;
const DIVERGE_RUN = 3;

/** What {@link analyseLrSweep} concludes. */
export interface LrSweepAnalysis {
  /** The smoothed loss at each rate (up to the divergence point). */
  readonly smoothed: number[];
  /** Index where the sweep diverged, or null. */
  readonly divergedAt: number | null;
  readonly lrAtDivergence: number | null;
  readonly minIndex: number;
  readonly lrAtMinimum: number;
  readonly lrSteepest: number | null;
  /** The recommended rate, or null when the loss never fell. */
  readonly recommended: number | null;
  /** Smoothed loss at the start, at the minimum. */
  readonly startLoss: number;
  readonly minLoss: number;
  readonly reasoning: string;
}

/**
 * Reads a learning-rate sweep: `lrs[i]` was used for the step that produced `losses[i]`.
 * Isolated spikes and single NaNs are ignored; divergence is a sustained rise above 4x the best
 * smoothed loss or two non-finite losses in a row.
 * @example
 * const a = analyseLrSweep(lrs, losses); a.recommended // 3e-3
 */
export function analyseLrSweep(lrs: readonly number[], losses: readonly number[]): LrSweepAnalysis {
  const smoothed: number[] = [];
  let ema = 0;
  let weight = 0;
  let best = Infinity;
  let above = 0;
  let divergedAt: number | null = null;
  const window: number[] = [];
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i]!;
    if (!Number.isFinite(v)) {
      if (i + 1 >= losses.length || !Number.isFinite(losses[i + 1]!)) {
        divergedAt = i;
        break;
      }
      smoothed.push(smoothed[smoothed.length - 1] ?? NaN);
      continue; // a single NaN: skip it
    }
    window.push(v);
    if (window.length > MEDIAN) window.shift();
    const med = [...window].sort((a, b) => a - b)[Math.floor(window.length / 2)]!;
    ema = BETA * ema + (1 - BETA) * med;
    weight = BETA * weight + (1 - BETA);
    const s = ema / weight;
    smoothed.push(s);
    if (i >= MEDIAN && s > DIVERGE * best) {
      above++;
      if (above >= DIVERGE_RUN) {
        divergedAt = i - DIVERGE_RUN + 1;
        break;
      }
    } else above = 0;
    if (i >= 1) best = Math.min(best, s);
  }
  const usable = smoothed.slice(0, divergedAt ?? smoothed.length).filter((v) => Number.isFinite(v));
  const n = usable.length;
  if (n === 0) {
    return { smoothed, divergedAt, lrAtDivergence: divergedAt === null ? null : lrs[divergedAt] ?? null, minIndex: 0, lrAtMinimum: lrs[0] ?? NaN, lrSteepest: null, recommended: null, startLoss: NaN, minLoss: NaN, reasoning: 'the loss was not finite from the first step' };
  }
  let minIndex = 0;
  for (let i = 1; i < n; i++) if (usable[i]! < usable[minIndex]!) minIndex = i;
  const startLoss = usable[Math.min(n - 1, MEDIAN - 1)]!;
  const minLoss = usable[minIndex]!;
  // steepest descent: most negative d loss / d log10 lr before the minimum (differences over +-5 steps, after the warm-up)
  let steepest: number | null = null;
  let slope = 0;
  for (let i = MEDIAN; i < minIndex; i++) {
    const a = Math.max(MEDIAN - 1, i - 5);
    const b = Math.min(minIndex, i + 5);
    const d = (usable[b]! - usable[a]!) / (Math.log10(lrs[b]!) - Math.log10(lrs[a]!));
    if (d < slope) {
      slope = d;
      steepest = i;
    }
  }
  const lrAtMinimum = lrs[minIndex]!;
  const lrSteepest = steepest === null ? null : lrs[steepest]!;
  const fell = minLoss < 0.9 * startLoss;
  const recommended = fell ? lrAtMinimum / 10 : null;
  const lrAtDivergence = divergedAt === null ? null : lrs[divergedAt] ?? null;
  const atEnd = divergedAt === null && minIndex >= n - 3;
  const reasoning = fell
    ? `${atEnd ? 'the loss was still falling at the largest rate tried, so the true minimum may lie beyond it; ' : ''}smoothed loss fell from ${round(startLoss, 4)} to its minimum ${round(minLoss, 4)} at lr ${fmt(lrAtMinimum)}${lrAtDivergence !== null ? ` and diverged from lr ${fmt(lrAtDivergence)}` : ''}; at the minimum the rate is already too high to keep improving, so one order below it (${fmt(lrAtMinimum / 10)}) is recommended${lrSteepest !== null ? `; the steepest descent was at lr ${fmt(lrSteepest)}${lrSteepest <= lrAtMinimum / 10 * 3 && lrSteepest >= lrAtMinimum / 100 ? ', which agrees' : ', a second candidate worth a short trial'}` : ''}`
    : `the smoothed loss never fell below 90% of its start (${round(startLoss, 4)} -> best ${round(minLoss, 4)}) over rates ${fmt(lrs[0]!)}..${fmt(lrs[Math.min(lrs.length, smoothed.length) - 1]!)}: no rate trains this model, so the problem is not the rate`;
  return { smoothed, divergedAt, lrAtDivergence, minIndex, lrAtMinimum, lrSteepest, recommended, startLoss, minLoss, reasoning };
}

function fmt(x: number): string {
  return x.toExponential(1).replace('e-', 'e-').replace('.0e', 'e');
}

export const p2LrRangeTest: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'Sweeps the learning rate exponentially from 1e-6 to 10 on a clone (one step per rate), smooths the loss robustly (median then average, single spikes and NaNs ignored), stops at divergence and recommends one order below the rate at the minimum, with its reasoning.',
  budgetMs: 6000,
  async run(ctx) {
    const clock = deadline(ctx);
    const clone = await cloneModel(ctx.model);
    const n = exampleCount(ctx.data.x);
    const bs = Math.max(1, Math.min(ctx.training.batchSize, n));
    const lrs = Array.from({ length: STEPS }, (_v, k) => LR_MIN * (LR_MAX / LR_MIN) ** (k / (STEPS - 1)));
    const losses: number[] = [];
    try {
      const optimizer = compileProbe(clone, ctx.training, { learningRate: LR_MIN });
      // batches from a seeded permutation of the rows, so data sorted by class still gives mixed batches
      const order = permutation(n, ctx.seed);
      let start = 0;
      for (let k = 0; k < STEPS && !clock.over(); k++) {
        setLearningRate(optimizer, lrs[k]!);
        if (start + bs > n) start = 0;
        const rows = order.slice(start, start + bs);
        const xb = takeRows(ctx.data.x, rows);
        const yb = takeRows(ctx.data.y, rows);
        start += bs;
        try {
          const v = await clone.trainOnBatch(unwrap(xb), unwrap(yb));
          losses.push(Array.isArray(v) ? (v[0] ?? NaN) : v);
        } finally {
          tf.dispose([...xb, ...yb]);
        }
        if (k % 5 === 4) {
          const partial = analyseLrSweep(lrs, losses);
          if (partial.divergedAt !== null) break;
          ctx.progress?.(k / STEPS);
          await breathe();
        }
      }
    } finally {
      disposeModel(clone);
    }
    ctx.progress?.(1);
    const a = analyseLrSweep(lrs, losses);
    const swept = losses.length;
    const evidence = {
      recommendedLr: a.recommended,
      lrAtMinimum: round(a.lrAtMinimum),
      lrSteepest: a.lrSteepest === null ? null : round(a.lrSteepest),
      lrAtDivergence: a.lrAtDivergence === null ? null : round(a.lrAtDivergence),
      yourLr: ctx.training.learningRate,
      optimizer: ctx.training.optimizer,
      steps: swept,
      lrs: lrs.slice(0, swept).map((v) => round(v, 3)),
      smoothedLoss: a.smoothed.map((v) => round(v, 4)),
      reasoning: a.reasoning,
    };
    const findings: Finding[] = [];
    const truncated = swept < STEPS && a.divergedAt === null;
    if (a.recommended === null) {
      findings.push(
        makeFinding(META, {
          severity: 'warning',
          title: 'No learning rate makes the loss fall',
          message: `${a.reasoning}.${truncated ? ` (the sweep stopped at lr ${fmt(lrs[swept - 1] ?? LR_MIN)} when its time ran out)` : ''}`,
          evidence,
          actions: ['run P1 (overfit a tiny batch): a model that cannot fit 3 examples has a bug the rate cannot fix', 'check M2 (loss wiring) and M7 (frozen parameters)'],
        }),
      );
      return findings;
    }
    const lr = ctx.training.learningRate;
    const tooHigh = (a.lrAtDivergence !== null && lr >= a.lrAtDivergence) || lr > a.lrAtMinimum * 3;
    const tooLow = lr < a.recommended / 100;
    findings.push(
      makeFinding(META, {
        severity: tooHigh || tooLow ? 'warning' : 'info',
        title: tooHigh ? 'Learning rate above the useful range' : tooLow ? 'Learning rate far below the useful range' : META.title,
        message: `recommended learning rate ${fmt(a.recommended)} for ${ctx.training.optimizer} (yours: ${fmt(lr)}${tooHigh ? ', past the minimum of the sweep, where the loss stops improving or blows up' : tooLow ? ', more than 100x below: training will be very slow' : ''}): ${a.reasoning}.`,
        evidence,
        actions: [
          `train with learning rate ${fmt(a.recommended)}${a.lrSteepest !== null ? ` (or try ${fmt(a.lrSteepest)}, the steepest descent)` : ''}`,
          'repeat the test after architecture changes; the range moves with batch size and normalisation',
        ],
      }),
    );
    return findings;
  },
};
