/**
 * The labeller's curve rules (C1, C2, C3, C7, C9, C10): ground truth from the finite prefix of the
 * training loss and the validation loss, with simple rules that do not use the checks.
 */
import type { Run } from '../telemetry/run.js';
import { either, fmt, mean, median, must, mustNot, points } from './label-kit.js';
import type { LabelContext } from './labeller.js';
import type { CheckLabel } from './labels.js';

/** The training loss up to its first non-finite value. */
export interface FiniteLoss {
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

/**
 * Labels C1, C2, C3, C7, C9 and C10 of `run` from `loss` (its finite prefix) and `val_loss`;
 * `nonFinite` says the run went NaN (C3 is then not scored).
 * @example
 * const labels = curveLabels(run, { steps, values }, false, { classes: 10, stepsPerEpoch: 20 });
 */
export function curveLabels(run: Run, loss: FiniteLoss, nonFinite: boolean, ctx: LabelContext): Record<string, CheckLabel> {
  const out: Record<string, CheckLabel> = {};
  const chance = Math.log(ctx.classes);
  const v = loss.values;
  const st = loss.steps;
  const n = v.length;
  const curveRules = ['C1', 'C2', 'C7', 'C9', 'C10'];
  if (n < Math.max(20, 2 * ctx.stepsPerEpoch)) {
    for (const id of curveRules) out[id] = either(`only ${n} finite loss values`);
  } else {
    const k = Math.max(5, Math.round(n * 0.1));
    const head = mean(v.slice(0, k));
    const tail = mean(v.slice(n - k));
    const smooth = (i: number): number => mean(v.slice(Math.max(0, i - 4), i + 1));
    const minSmooth = Math.min(...v.map((_, i) => smooth(i)).slice(4));
    const fall = (head - tail) / Math.abs(head);

    // C2: the smoothed loss ends clearly above where it started, or (a rise later in the run) at
    // least twice and 0.3 above the lowest mean of any window of max(10%, one epoch) of steps.
    const margin = Math.max(0.1 * Math.abs(head), 0.1);
    const w = Math.min(n, Math.max(k, ctx.stepsPerEpoch));
    let low = Infinity;
    let lowAt = 0;
    for (let i = 0; i + w <= n; i++) {
      const m = mean(v.slice(i, i + w));
      if (m < low) [low, lowAt] = [m, i + w - 1];
    }
    const riseMargin = Math.max(0.3, Math.abs(low));
    // Onset: the first step after the minimum where the smoothed loss is halfway up the rise.
    const riseOnset = (): number => st[Math.max(0, v.findIndex((_, j) => j >= Math.max(4, lowAt - w + 1) && smooth(j) > low + 0.5 * (tail - low)))] as number;
    const fatal = tail > low + riseMargin;
    if (tail > head + margin) {
      out['C2'] = { ...must(riseOnset(), `last-10% mean ${fmt(tail)} > first-10% mean ${fmt(head)} + ${fmt(margin)}`), ...(fatal ? { fatal } : {}) };
    } else if (tail > low + riseMargin && lowAt < n - k) {
      out['C2'] = { ...must(riseOnset(), `last-10% mean ${fmt(tail)} > lowest ${w}-step mean ${fmt(low)} (at step ${st[lowAt]}) + ${fmt(riseMargin)}`), fatal: true };
    } else if (tail < head && tail < low + 0.5 * riseMargin) out['C2'] = mustNot(`loss fell from ${fmt(head)} to ${fmt(tail)} (lowest ${w}-step mean ${fmt(low)})`);
    else out['C2'] = either(`loss ${fmt(head)} -> ${fmt(tail)}, lowest ${w}-step mean ${fmt(low)}`);

    // C1: the loss never left its start (or chance level) for good.
    const stuck = fall < 0.1 || (Math.abs(tail - chance) < 0.05 * chance && minSmooth > 0.8 * chance);
    if (stuck && out['C2'].expect !== 'must') out['C1'] = must(st[0] as number, `loss fell ${fmt(100 * fall)}% (${fmt(head)} -> ${fmt(tail)}; chance ${fmt(chance)})`);
    else if (fall > 0.3 && tail < 0.8 * chance) out['C1'] = mustNot(`loss fell ${fmt(100 * fall)}% to ${fmt(tail)}`);
    else out['C1'] = either(`loss fell ${fmt(100 * fall)}% to ${fmt(tail)}`);

    // C10: training loss stays high and validation is close to it.
    const val = points(run, 'val_loss').values.filter(Number.isFinite);
    const lastVal = val[val.length - 1];
    if (tail > 1.0 && lastVal !== undefined && Math.abs(lastVal - tail) < 0.25 * tail && out['C1'].expect !== 'must' && out['C2'].expect !== 'must') {
      out['C10'] = must(st[0] as number, `train loss ends at ${fmt(tail)} (> 1.0), val ${fmt(lastVal)} within 25%`);
    } else if (tail < 0.6) out['C10'] = mustNot(`train loss ends at ${fmt(tail)} (< 0.6)`);
    else out['C10'] = either(`train loss ends at ${fmt(tail)}`);

    // C7: the residual around a centred epoch-long moving mean repeats with the epoch period and is
    // not negligible (std > 10% of the median loss: a smooth trend's residual is tiny).
    const p = ctx.stepsPerEpoch;
    // An epoch of 2-3 steps cannot be told from step-to-step oscillation (an optimiser zig-zagging
    // across a valley alternates with period 2 whatever the data order).
    if (p < 4) out['C7'] = either(`an epoch of ${p} steps: too short to tell its period from step-to-step oscillation`);
    else if (n >= 3 * p) {
      const h = Math.floor(p / 2);
      const resid: number[] = [];
      for (let i = h; i + p - h <= n; i++) resid.push((v[i] as number) - mean(v.slice(i - h, i - h + p)));
      const mu = mean(resid);
      let num = 0;
      let den = 0;
      for (let i = 0; i < resid.length; i++) {
        den += ((resid[i] as number) - mu) ** 2;
        if (i + p < resid.length) num += ((resid[i] as number) - mu) * ((resid[i + p] as number) - mu);
      }
      const ac = den > 0 ? num / den : 0;
      const amp = Math.sqrt(den / Math.max(1, resid.length)) / Math.max(1e-12, Math.abs(median(v)));
      const what = `epoch-lag (${p}) autocorrelation of the loss residual ${fmt(ac)}, residual std ${fmt(100 * amp)}% of the median loss`;
      if (ac > 0.5 && amp > 0.1) out['C7'] = must(st[p] as number, `${what} (> 0.5 and > 10%)`);
      else if (ac < 0.2 || amp < 0.03) out['C7'] = mustNot(what);
      else out['C7'] = either(what);
    } else out['C7'] = either('fewer than 3 epochs');

    // C9: spikes after the first 10%: loss > 2x the median of the previous 20 steps and > it + 0.5,
    // and back below half the excess within 5 steps (a jump to a new level that stays is no spike);
    // consecutive spiking steps count once.
    const spikes: number[] = [];
    for (let i = Math.max(20, k); i < n; i++) {
      const ref = median(v.slice(i - 20, i));
      const x = v[i] as number;
      if (!(x > 2 * ref && x > ref + 0.5)) continue;
      const back = v.slice(i + 1, i + 6).some((y) => y < ref + (x - ref) / 2);
      if (back && (spikes.length === 0 || (st[i - 1] as number) !== spikes[spikes.length - 1])) spikes.push(st[i] as number);
      else if (back) spikes[spikes.length - 1] = st[i] as number;
    }
    // Sustained swings (no isolated spike, but large step-to-step changes) are not "stable" either.
    const late = v.slice(Math.floor(n / 2));
    const swing = median(late.slice(1).map((x, i) => Math.abs(x - (late[i] as number)))) / Math.max(1e-12, Math.abs(median(late)));
    if (spikes.length >= 3) out['C9'] = must(spikes[0] as number, `${spikes.length} loss spikes (> 2x and > +0.5 over the median of the previous 20 steps), first at step ${spikes[0]}`);
    else if (spikes.length === 0 && swing < 0.5) out['C9'] = mustNot(`no loss spike; median step-to-step change ${fmt(100 * swing)}% of the loss (< 50%)`);
    else if (spikes.length === 0) out['C9'] = either(`no spike, but the median step-to-step change is ${fmt(100 * swing)}% of the loss`);
    else out['C9'] = either(`${spikes.length} loss spike(s)`);
  }


  // C3: validation loss turns up from its minimum while the training loss keeps falling.
  const val = points(run, 'val_loss');
  const vv = val.values.filter(Number.isFinite);
  if (nonFinite || vv.length < 5 || n < 10) out['C3'] = either(`${vv.length} finite validation points, or non-finite run`);
  else {
    const best = Math.min(...vv);
    const at = vv.indexOf(best);
    const lastVal = vv[vv.length - 1] as number;
    const bestStep = val.steps[val.values.indexOf(best)] as number;
    const trainAtBest = mean(v.filter((_, i) => (st[i] as number) <= bestStep).slice(-Math.max(5, Math.round(n * 0.05))));
    const trainEnd = mean(v.slice(-Math.max(5, Math.round(n * 0.1))));
    const turned = lastVal > 1.2 * best + 0.05 && at < vv.length - 2;
    if (turned && trainEnd < trainAtBest) out['C3'] = must(bestStep, `val loss ${fmt(best)} at step ${bestStep} rose to ${fmt(lastVal)} (> 1.2x + 0.05) while train loss fell ${fmt(trainAtBest)} -> ${fmt(trainEnd)}`);
    // Val flat for a while after its best while train keeps falling is early overfitting or convergence: not scored.
    else if (lastVal <= 1.05 * best && (at >= vv.length - 2 || trainEnd > 0.8 * trainAtBest)) out['C3'] = mustNot(`last val loss ${fmt(lastVal)} within 5% of its best ${fmt(best)}`);
    else out['C3'] = either(`last val loss ${fmt(lastVal)}, best ${fmt(best)}`);
  }

  return out;
}
