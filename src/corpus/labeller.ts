/**
 * The labeller: ground truth from the recorded telemetry, with simple rules that do not use the
 * checks. Each rule gives `must` (symptom clearly present, with its onset step), `mustNot` (clearly
 * absent) or `either` (borderline: not scored). Thresholds are fixed here, in the open, and were not
 * tuned against the checks' output.
 */
import type { Run } from '../telemetry/run.js';
import type { CheckLabel } from './labels.js';

/** The checks the labeller has a ground-truth rule for. */
export const LABELLED_CHECKS = ['C1', 'C2', 'C3', 'C6', 'C7', 'C9', 'C10', 'T1', 'T3', 'T5', 'T9', 'T10'] as const;

/** Facts about the run the telemetry does not hold. */
export interface LabelContext {
  readonly classes: number;
  readonly stepsPerEpoch: number;
}

const must = (onset: number, why: string): CheckLabel => ({ expect: 'must', onset, why });
const mustNot = (why: string): CheckLabel => ({ expect: 'mustNot', onset: null, why });
const either = (why: string): CheckLabel => ({ expect: 'either', onset: null, why });

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));

/** Series `tag` as [step, value] pairs in step order. */
function points(run: Run, tag: string): { steps: number[]; values: number[] } {
  const s = run.scalars.get(tag);
  if (!s) return { steps: [], values: [] };
  const idx = s.steps.map((_, i) => i).sort((a, b) => (s.steps[a] as number) - (s.steps[b] as number));
  return { steps: idx.map((i) => s.steps[i] as number), values: idx.map((i) => s.values[i] as number) };
}

/** Per-layer tags with this prefix (`grad_norm/`), the part after it, in name order. */
function layerTags(run: Run, prefix: string): string[] {
  return [...run.scalars.keys()].filter((t) => t.startsWith(prefix)).sort();
}

/**
 * Labels one run from its telemetry (`loss`, `val_loss`, `grad_norm/*`, `weight_norm/*`,
 * `act_dead_frac/*` as the TF.js doctor records them).
 * @example
 * const labels = labelRun(result.run, { classes: 10, stepsPerEpoch: 20 });
 * labels['C6']?.expect // 'must' when the loss went NaN, with labels['C6'].onset = its first step
 */
export function labelRun(run: Run, ctx: LabelContext): Record<string, CheckLabel> {
  const out: Record<string, CheckLabel> = {};
  const loss = points(run, 'loss');
  const chance = Math.log(ctx.classes);

  // C6 / T1: first non-finite loss, or first non-finite gradient norm sample.
  let nanStep = loss.values.findIndex((v) => !Number.isFinite(v));
  nanStep = nanStep === -1 ? -1 : (loss.steps[nanStep] as number);
  for (const tag of layerTags(run, 'grad_norm/')) {
    const g = points(run, tag);
    const i = g.values.findIndex((v) => !Number.isFinite(v));
    if (i !== -1 && (nanStep === -1 || (g.steps[i] as number) < nanStep)) nanStep = g.steps[i] as number;
  }
  if (nanStep >= 0) {
    out['C6'] = must(nanStep, `loss or a gradient is non-finite from step ${nanStep}`);
    out['T1'] = must(nanStep, `loss or a gradient is non-finite from step ${nanStep}`);
  } else {
    out['C6'] = mustNot('every loss and gradient-norm value is finite');
    out['T1'] = mustNot('every loss and gradient-norm value is finite');
  }

  // The finite prefix of the loss drives the curve rules.
  const end = nanStep >= 0 ? loss.steps.findIndex((s) => s >= nanStep) : loss.values.length;
  const v = loss.values.slice(0, end === -1 ? loss.values.length : end);
  const st = loss.steps.slice(0, v.length);
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
    if (n >= 3 * p) {
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

  // T9: a parameter that never changed: every sampled update ratio ||dw||/||w|| is exactly 0, or
  // (no ratio where ||w|| = 0) its norm stays exactly 0.
  const weights = layerTags(run, 'weight_norm/').map((t) => t.slice('weight_norm/'.length));
  if (weights.length === 0) out['T9'] = either('no weight norms recorded');
  else if (nanStep >= 0) out['T9'] = either('run went non-finite');
  else {
    const moves = weights.map((name) => {
      const ratios = points(run, `update_ratio/${name}`).values.filter(Number.isFinite);
      const norms = points(run, `weight_norm/${name}`).values;
      const zeroNorm = norms.length > 0 && norms.every((x) => x === 0);
      return { name, stuck: ratios.length > 0 ? ratios.every((r) => r === 0) : zeroNorm, ratio: ratios.length > 0 ? median(ratios) : zeroNorm ? 0 : NaN };
    });
    const stuck = moves.filter((m) => m.stuck);
    if (stuck.length > 0) out['T9'] = must(0, `never changed: ${stuck.map((m) => m.name).join(', ')}`);
    else if (moves.every((m) => m.ratio > 1e-7)) out['T9'] = mustNot(`every parameter moves (median update ratio >= ${fmt(Math.min(...moves.map((m) => m.ratio)))})`);
    else out['T9'] = either('some parameter has no update ratio recorded');
  }

  // T5: a ReLU layer with > 90% dead units at the last samples.
  const dead = layerTags(run, 'act_dead_frac/').map((tag) => ({ tag, ...points(run, tag) }));
  if (dead.length === 0) out['T5'] = mustNot('no ReLU layer');
  else {
    const lastOf = (d: { values: number[] }): number => median(d.values.slice(-3));
    const worst = Math.max(...dead.map(lastOf));
    if (worst > 0.9) {
      const onset = Math.min(
        ...dead.filter((d) => lastOf(d) > 0.9).map((d) => {
          let i = d.values.length - 1;
          while (i > 0 && (d.values[i - 1] as number) > 0.9) i--;
          return d.steps[i] as number;
        }),
      );
      out['T5'] = must(onset, `dead fraction ${fmt(worst)} (> 0.9) at the end`);
    } else if (worst < 0.5) out['T5'] = mustNot(`dead fraction at most ${fmt(worst)} at the end`);
    else out['T5'] = either(`dead fraction ${fmt(worst)} at the end`);
  }

  // T3: first kernel's gradient norm vs the output kernel's, median over samples.
  const grads = layerTags(run, 'grad_norm/').filter((t) => /kernel/.test(t));
  // The input-side layer: a conv or recurrent front comes before the dense layers.
  const first = ['conv1', 'rnn1', 'hidden1'].map((l) => `grad_norm/${l}/kernel`).find((t) => grads.includes(t));
  const output = grads.find((t) => /output/.test(t));
  if (!first || !output || nanStep >= 0) out['T3'] = either('no first/output kernel gradient norms, or non-finite run');
  else {
    const a = points(run, first).values;
    const b = points(run, output).values;
    const ratios = a.map((x, i) => x / (b[i] as number)).filter(Number.isFinite);
    const r = median(ratios);
    // CHECKS.md T3: "... or near zero": a first-layer gradient ~0 over the last third of the run counts.
    let z = a.length;
    while (z > 0 && (a[z - 1] as number) < 1e-8) z--;
    const gradSteps = points(run, first).steps;
    if (a.length >= 3 && a.length - z >= Math.ceil(a.length / 3)) out['T3'] = must(gradSteps[z] as number, `first-layer gradient norm < 1e-8 from step ${gradSteps[z]} to the end`);
    else if (r < 1e-2) out['T3'] = must(0, `median first/output kernel gradient-norm ratio ${fmt(r)} (< 0.01)`);
    else if (a.length >= 3 && a.slice(-Math.ceil(a.length / 3)).filter((x) => x < 1e-8).length >= (2 / 3) * Math.ceil(a.length / 3)) {
      out['T3'] = either(`first-layer gradient norm < 1e-8 in most of the last third of the samples (ratio ${fmt(r)} where it is not)`);
    }
    else if (r > 0.1) out['T3'] = mustNot(`median first/output gradient ratio ${fmt(r)}`);
    else out['T3'] = either(`median first/output gradient ratio ${fmt(r)}`);
  }

  // C3: validation loss turns up from its minimum while the training loss keeps falling.
  const val = points(run, 'val_loss');
  const vv = val.values.filter(Number.isFinite);
  if (nanStep >= 0 || vv.length < 5 || n < 10) out['C3'] = either(`${vv.length} finite validation points, or non-finite run`);
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

  // T10: the learning rate falls below 1% of its peak (in size) and stays there, before 80% of the
  // run; or it is negative (the update climbs the loss).
  const lr = points(run, 'lr');
  const negative = lr.values.findIndex((x) => x < 0);
  if (lr.values.length < 2) out['T10'] = either('no learning-rate curve');
  else if (negative >= 0) out['T10'] = must(lr.steps[negative] as number, `lr negative (${fmt(lr.values[negative] as number)}) from step ${lr.steps[negative]}`);
  else {
    const size = lr.values.map(Math.abs);
    const peak = Math.max(...size);
    const lastStep = Math.max(lr.steps[lr.steps.length - 1] as number, st[st.length - 1] ?? 0);
    let z = size.length;
    while (z > 0 && (size[z - 1] as number) < 0.01 * peak) z--;
    const zeroStep = z < size.length ? (lr.steps[z] as number) : null;
    if (zeroStep !== null && zeroStep < 0.8 * lastStep) out['T10'] = must(zeroStep, `lr below 1% of its peak ${fmt(peak)} from step ${zeroStep} of ${lastStep}`);
    else if (Math.min(...size) >= 0.1 * peak) out['T10'] = mustNot(`lr stays within 10x of its peak ${fmt(peak)}`);
    else out['T10'] = either(`lr falls below 10% of its peak ${fmt(peak)}`);
  }
  return out;
}
