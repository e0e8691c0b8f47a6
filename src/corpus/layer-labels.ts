/**
 * The labeller's layer rules (T3, T5, T9, T10): ground truth from the per-layer telemetry the TF.js
 * doctor records and the learning-rate curve, with simple rules that do not use the checks.
 */
import type { Run } from '../telemetry/run.js';
import { either, fmt, layerTags, median, must, mustNot, points } from './label-kit.js';
import type { CheckLabel } from './labels.js';

/** At least 2/3 of the last third of `xs` are below `level`. */
function mostlyBelow(xs: readonly number[], level: number): boolean {
  const tail = xs.slice(-Math.ceil(xs.length / 3));
  return xs.length >= 3 && tail.filter((x) => x < level).length >= (2 / 3) * tail.length;
}

/**
 * Labels T3, T5, T9 and T10 of `run`; `nonFinite` says the run went NaN (T3/T9 are then not scored);
 * `lastStep` is the last finite loss step (the end of the run for T10).
 * @example
 * const labels = layerLabels(run, false, 159);
 */
export function layerLabels(run: Run, nonFinite: boolean, lastStep: number): Record<string, CheckLabel> {
  const out: Record<string, CheckLabel> = {};
  // T9: a parameter that never changed: every sampled update ratio ||dw||/||w|| is exactly 0, or
  // (no ratio where ||w|| = 0) its norm stays exactly 0.
  const weights = layerTags(run, 'weight_norm/').map((t) => t.slice('weight_norm/'.length));
  if (weights.length === 0) out['T9'] = either('no weight norms recorded');
  else if (nonFinite) out['T9'] = either('run went non-finite');
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
  if (!first || !output || nonFinite) out['T3'] = either('no first/output kernel gradient norms, or non-finite run');
  else {
    const { steps: gradSteps, values: a } = points(run, first);
    const b = points(run, output).values;
    const ratios = a.map((x, i) => x / (b[i] as number)).filter(Number.isFinite);
    const r = median(ratios);
    // CHECKS.md T3: "... or near zero": a first-layer gradient ~0 over the last third of the run counts.
    let z = a.length;
    while (z > 0 && (a[z - 1] as number) < 1e-8) z--;
    if (a.length >= 3 && a.length - z >= Math.ceil(a.length / 3)) out['T3'] = must(gradSteps[z] as number, `first-layer gradient norm < 1e-8 from step ${gradSteps[z]} to the end`);
    else if (r < 1e-2) out['T3'] = must(0, `median first/output kernel gradient-norm ratio ${fmt(r)} (< 0.01)`);
    else if (mostlyBelow(a, 1e-8)) out['T3'] = either(`first-layer gradient norm < 1e-8 in most of the last third of the samples (ratio ${fmt(r)} where it is not)`);
    // Saturated outputs starve every layer alike (~0 everywhere, no depth pattern): "near zero" or not vanishing? Not scored.
    else if (mostlyBelow(a, 1e-5) && mostlyBelow(b, 1e-5)) out['T3'] = either(`first and output kernel gradient norms < 1e-5 in most of the last third of the samples`);
    else if (r > 0.1) out['T3'] = mustNot(`median first/output gradient ratio ${fmt(r)}`);
    else out['T3'] = either(`median first/output gradient ratio ${fmt(r)}`);
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
    const end = Math.max(lr.steps[lr.steps.length - 1] as number, lastStep);
    let z = size.length;
    while (z > 0 && (size[z - 1] as number) < 0.01 * peak) z--;
    const zeroStep = z < size.length ? (lr.steps[z] as number) : null;
    if (zeroStep !== null && zeroStep < 0.8 * end) out['T10'] = must(zeroStep, `lr below 1% of its peak ${fmt(peak)} from step ${zeroStep} of ${end}`);
    else if (Math.min(...size) >= 0.1 * peak) out['T10'] = mustNot(`lr stays within 10x of its peak ${fmt(peak)}`);
    else out['T10'] = either(`lr falls below 10% of its peak ${fmt(peak)}`);
  }
  return out;
}
