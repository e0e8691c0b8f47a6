/**
 * M6 Gradient check: analytic gradients (tf.variableGrads of the training loss on a small batch, in
 * inference mode so dropout is off and batch-norm uses its moving statistics) against central finite
 * differences along directions, per layer and per weight tensor. Works in float32: each direction's
 * step is the smallest whose round-off stays small next to the derivative compared (small steps cross
 * few ReLU/max-pool kinks), the best of the central and the two one-sided differences is judged (a kink
 * spoils at most one side), and a direction that disagrees is measured again at other steps (a right
 * gradient agrees at some step, a wrong one at none). The thresholds were measured on correct and
 * deliberately wrong layers (see docs/probes-data-model.md).
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import { sampleRows, seededNormal } from './batches.js';
import { cloneModel } from './clone-model.js';
import type { Probe, ProbeContext } from './probe.js';
import { deadline, disposeModel, exampleCount, lossTensor, rng, takeRows } from './probe-kit.js';
import { round } from './tensor-stats.js';

/** Examples in the batch the loss is computed on. */
const BATCH = 8;
/** Random directions per weight tensor, on top of the direction of the analytic gradient. */
const RANDOM_DIRECTIONS = 2;
/** Relative error at or below PASS: the gradient is right; above FAIL: wrong (between: suspicious). */
const PASS = 1e-2;
const FAIL = 1e-1;
/** Largest round-off error of a finite difference allowed, relative to the derivative compared. */
const PRECISION = 2e-3;
/** A direction with a relative error above RETRY_ABOVE is measured again at these multiples of its step (best kept). */
const RETRY_ABOVE = PASS / 4;
const RETRY_FACTORS = [4, 1 / 4, 16, 1 / 16];
/** Step limits, relative to the weight tensor's RMS (+ STEP_FLOOR for zero-initialised tensors). */
const STEP_MIN = 1e-5;
const STEP_MAX = 1e-1;
const STEP_FLOOR = 1e-2;
/** Assumed float32 round-off of one loss evaluation, in units of |loss| (~2 ulps). */
const LOSS_NOISE = 2e-7;
/**
 * Random directions are compared at the scale of RANDOM_REFERENCE x ||g|| (the typical size of a
 * random directional derivative) when their own derivative is smaller: nearly orthogonal directions
 * would otherwise divide round-off by ~0.
 */
const RANDOM_REFERENCE = 1;

/** Central and one-sided differences of the loss along a direction, and the loss change. */
interface Difference {
  readonly central: number;
  readonly forward: number;
  readonly backward: number;
  readonly change: number;
}

/** One measured direction. */
interface Check {
  readonly kind: 'gradient' | 'random';
  readonly numeric: number;
  readonly analytic: number;
  readonly relError: number;
  /** False when both derivatives were below the round-off floor (nothing to compare). */
  readonly conclusive: boolean;
}

/** The verdict for one layer. */
export interface LayerResult {
  readonly layer: string;
  readonly index: number;
  /** Largest relative error over its conclusive directions (NaN when none). */
  readonly maxRelError: number;
  readonly directions: number;
  readonly inconclusive: number;
  readonly worstWeight: string;
  readonly worstNumeric: number;
  readonly worstAnalytic: number;
}

const scalar = (t: tf.Tensor): number => t.dataSync()[0] as number;

/** Assigns `value` to `v` and releases `value` (the variable keeps the data). */
function setTo(v: tf.Variable, value: tf.Tensor): void {
  v.assign(value);
  value.dispose();
}

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const clock = deadline(ctx);
  const n = exampleCount(ctx.data.x);
  if (n === 0) return [];
  const rows = sampleRows(n, BATCH, ctx.seed);
  const xb = takeRows(ctx.data.x, rows);
  const yb = takeRows(ctx.data.y, rows);
  let clone: tf.LayersModel | null = null;
  const results: LayerResult[] = [];
  let cutShort = false;
  try {
    clone = await cloneModel(ctx.model);
    const model = clone;
    const f = (): tf.Scalar => lossTensor(model, xb, yb, ctx.training, false);
    const loss = (): number => tf.tidy(() => scalar(f()));
    const l0 = loss();
    const again = loss();
    if (!Number.isFinite(l0) || l0 !== again) {
      return [
        makeFinding(m6GradientCheck, {
          severity: Number.isFinite(l0) ? 'warning' : 'error',
          title: `${m6GradientCheck.title}: cannot check`,
          message: Number.isFinite(l0)
            ? `The loss is not deterministic in inference mode (${l0} then ${again} on the same batch): finite differences are meaningless. Some layer draws random numbers even with training=false.`
            : `The loss is ${l0} on a batch of ${rows.length}: no gradient can be checked (see D1, M3).`,
          evidence: { loss: l0, lossAgain: again, rows: rows.length },
          actions: Number.isFinite(l0) ? ['find the layer that is random at inference (custom noise/dropout ignoring kwargs.training)'] : ['fix the non-finite loss first'],
        }),
      ];
    }
    const layers = model.layers.map((layer, index) => ({ layer, index, weights: layer.trainableWeights, vars: layer.trainableWeights.map((w) => w.read() as tf.Variable) })).filter((l) => l.vars.length > 0);
    if (layers.length === 0) return [];
    const allVars = layers.flatMap((l) => l.vars);
    const grads = tf.tidy(() => tf.variableGrads(f, allVars).grads);
    const normal = seededNormal(rng(ctx.seed));
    const noise = LOSS_NOISE * Math.max(Math.abs(l0), 1e-3);
    try {
      for (const [li, { layer, index, weights, vars }] of layers.entries()) {
        if (clock.over()) {
          cutShort = true;
          break;
        }
        const checks: Array<Check & { weight: string }> = [];
        for (const [wi, v] of vars.entries()) {
          const g = grads[v.name] ?? null;
          const weightName = weights[wi]?.originalName ?? v.name;
          const w0 = v.clone();
          const size = v.size;
          const rms = Math.sqrt(tf.tidy(() => scalar(tf.mean(tf.square(w0)))));
          const scale = rms + STEP_FLOOR;
          const gNorm = g ? Math.sqrt(tf.tidy(() => scalar(tf.sum(tf.square(g))))) : 0;
          const directions: Array<{ kind: Check['kind']; d: tf.Tensor }> = [];
          if (g && gNorm > 0) directions.push({ kind: 'gradient', d: tf.tidy(() => tf.mul(g, Math.sqrt(size) / gNorm)) });
          for (let k = 0; k < RANDOM_DIRECTIONS; k++) directions.push({ kind: 'random', d: tf.tensor(Array.from({ length: size }, () => normal()), v.shape, 'float32') });
          for (const { kind, d } of directions) {
            if (clock.over()) {
              cutShort = true;
              break;
            }
            const analytic = g ? tf.tidy(() => scalar(tf.sum(tf.mul(g, d)))) : 0;
            // The derivative scale the comparison is made at.
            const reference = Math.max(Math.abs(analytic), kind === 'random' ? RANDOM_REFERENCE * gNorm : 0);
            // Step: the smallest one whose round-off error (noise / eps) stays below PRECISION x reference
            // (small steps cross few kinks), within [STEP_MIN, STEP_MAX] x scale.
            const eps = Math.min(STEP_MAX * scale, Math.max(STEP_MIN * scale, reference > 0 ? noise / (PRECISION * reference) : STEP_MAX * scale));
            const diff = (step: number): Difference => {
              setTo(v, tf.tidy(() => tf.add(w0, tf.mul(d, step))));
              const plus = loss();
              setTo(v, tf.tidy(() => tf.sub(w0, tf.mul(d, step))));
              const minus = loss();
              v.assign(w0);
              return { central: (plus - minus) / (2 * step), forward: (plus - l0) / step, backward: (l0 - minus) / step, change: Math.abs(plus - minus) };
            };
            // A kink inside [-step, step] spoils the central difference, but the one-sided difference on
            // its other side is exact up to step x curvature: judge the best of the three. A wrong
            // gradient is off in all three.
            const judgeAt = (step: number): { m: Difference; relError: number; step: number } => {
              const m = diff(step);
              const denom = Math.max(Math.abs(m.central), reference, 1e-30);
              return { m, step, relError: Math.min(Math.abs(m.central - analytic), Math.abs(m.forward - analytic), Math.abs(m.backward - analytic)) / denom };
            };
            let best = judgeAt(eps);
            // Not clean at this step: round-off (a larger step helps) or kinks (a smaller one helps). A
            // right gradient agrees at some step; a wrong one disagrees at every step.
            for (const factor of best.relError > RETRY_ABOVE ? RETRY_FACTORS : []) {
              const step = Math.min(STEP_MAX * scale, Math.max(STEP_MIN * scale, eps * factor));
              if (step === eps) continue;
              const again = judgeAt(step);
              if (again.relError < best.relError) best = again;
              if (best.relError <= RETRY_ABOVE) break;
            }
            const { m, relError } = best;
            const floor = noise / best.step;
            const conclusive = reference > 10 * floor || Math.abs(m.central) > 10 * floor;
            const numeric = m.central;
            checks.push({ weight: weightName, kind, numeric, analytic, relError, conclusive });
            d.dispose();
          }
          for (const { d } of directions) if (!d.isDisposed) d.dispose();
          v.assign(w0);
          w0.dispose();
        }
        const conclusive = checks.filter((c) => c.conclusive);
        const worst = conclusive.reduce<(Check & { weight: string }) | null>((a, c) => (a === null || c.relError > a.relError ? c : a), null);
        results.push({
          layer: layer.name,
          index,
          maxRelError: worst ? worst.relError : Number.NaN,
          directions: checks.length,
          inconclusive: checks.length - conclusive.length,
          worstWeight: worst?.weight ?? '',
          worstNumeric: worst?.numeric ?? Number.NaN,
          worstAnalytic: worst?.analytic ?? Number.NaN,
        });
        ctx.progress?.((li + 1) / layers.length);
      }
    } finally {
      tf.dispose(Object.values(grads).filter((g): g is tf.Tensor => g !== null));
    }
    return judge(ctx, results, layers.length, cutShort, l0, rows.length);
  } finally {
    disposeModel(clone);
    tf.dispose([...xb, ...yb]);
  }
}

function judge(ctx: ProbeContext, results: readonly LayerResult[], total: number, cutShort: boolean, l0: number, batch: number): Finding[] {
  const failing = results.filter((r) => r.maxRelError > FAIL);
  const suspicious = results.filter((r) => r.maxRelError > PASS && r.maxRelError <= FAIL);
  const evidence = {
    layers: results.map((r) => r.layer).join(', '),
    relativeErrors: results.map((r) => (Number.isFinite(r.maxRelError) ? round(r.maxRelError, 3) : -1)),
    passThreshold: PASS,
    failThreshold: FAIL,
    layersChecked: results.length,
    layersWithWeights: total,
    batch,
    loss: round(l0),
    directionsPerWeight: 1 + RANDOM_DIRECTIONS,
    inconclusiveDirections: results.reduce((s, r) => s + r.inconclusive, 0),
    cutShort,
  };
  const table = (rs: readonly LayerResult[]): string => rs.map((r) => `${r.layer} ${Number.isFinite(r.maxRelError) ? round(r.maxRelError, 3) : 'n/a'}`).join(', ');
  const findings: Finding[] = [];
  if (results.length === 0) {
    return [
      makeFinding(m6GradientCheck, {
        severity: 'info',
        title: `${m6GradientCheck.title}: cut short`,
        message: `The budget ran out before any of the ${total} layers with weights was checked.`,
        evidence,
        actions: ['raise the M6 budget'],
      }),
    ];
  }
  if (failing.length > 0) {
    // Gradients flow from the output back: a wrong backward pass corrupts every weighted layer before
    // it. The culprit lies between the last failing layer (itself included) and the next passing one.
    const lastFail = failing.reduce((a, r) => (r.index > a.index ? r : a));
    const nextPass = results.filter((r) => r.index > lastFail.index && r.maxRelError <= FAIL).reduce<LayerResult | null>((a, r) => (a === null || r.index < a.index ? r : a), null);
    const suspects = ctx.model.layers.slice(lastFail.index, nextPass ? nextPass.index : ctx.model.layers.length).map((l) => `${l.name} (${l.getClassName()})`);
    findings.push(
      makeFinding(m6GradientCheck, {
        severity: 'error',
        message:
          `Analytic and numerical gradients disagree for ${failing.length} of ${results.length} layers (relative error > ${FAIL}): ${table(failing)}` +
          `; worst: ${lastFail.worstWeight} numeric ${round(lastFail.worstNumeric, 4)} vs analytic ${round(lastFail.worstAnalytic, 4)}. ` +
          `Layers after ${lastFail.layer} agree${nextPass ? ` (${nextPass.layer}: ${round(nextPass.maxRelError, 3)})` : ''}, so the wrong backward pass is in: ${suspects.join(', ')}.`,
        layer: lastFail.layer,
        evidence: { ...evidence, failingLayers: failing.map((r) => r.layer).join(', '), suspects: suspects.join(', ') },
        actions: [
          `check the gradient of ${suspects[suspects.length - 1] ?? lastFail.layer}: a tf.customGrad gradFunc must return d(loss)/d(input) = dy * f'(x) for every input (and each weight)`,
          'remove custom gradients one at a time (use the plain ops, whose gradients TF.js derives) and rerun M6',
          'check for non-differentiable ops on the path (round, argMax, cast to int) and for tensors read via dataSync inside the model',
        ],
      }),
    );
  } else if (suspicious.length > 0) {
    findings.push(
      makeFinding(m6GradientCheck, {
        severity: 'warning',
        message: `Gradients agree only roughly for ${suspicious.length} of ${results.length} layers (relative error between ${PASS} and ${FAIL}): ${table(suspicious)}. In float32 this can be a kink (ReLU, max-pool) crossed by the finite difference or a subtly wrong gradient.`,
        layer: suspicious[0]?.layer ?? null,
        evidence,
        actions: ['rerun with another seed: a kink moves, a wrong gradient stays', 'if a custom gradient is involved, compare it with the one TF.js derives from the plain ops'],
      }),
    );
  } else {
    findings.push(
      makeFinding(m6GradientCheck, {
        severity: 'info',
        title: `${m6GradientCheck.title}: passed`,
        message: `Analytic gradients match central finite differences for ${results.length} of ${total} layers with weights (max relative error per layer: ${table(results)}; pass <= ${PASS}).${cutShort ? ' The budget ran out before every layer was checked.' : ''}`,
        evidence,
        actions: cutShort ? ['raise the M6 budget to check every layer'] : ['nothing to do: backpropagation is consistent with the forward pass'],
      }),
    );
  }
  if (cutShort && findings[0]?.severity !== 'info') {
    findings.push(
      makeFinding(m6GradientCheck, {
        severity: 'info',
        title: `${m6GradientCheck.title}: cut short`,
        message: `The budget ran out after ${results.length} of ${total} layers.`,
        evidence: { cutShort: true, layersChecked: results.length, layersWithWeights: total, budgetMs: ctx.budgetMs },
        actions: ['raise the M6 budget to check every layer'],
      }),
    );
  }
  return findings;
}

/**
 * M6 Gradient check on a clone (the user's variables are never touched), batch of 8, inference mode.
 * Per weight tensor: the analytic-gradient direction plus 2 seeded random directions; step
 * eps = 2e-7 |loss| / (2e-3 x reference) within [1e-5, 1e-1] x (RMS + 0.01); relative error
 * min(|central - ana|, |forward - ana|, |backward - ana|) / max(|central|, reference), with
 * reference = |ana| (random directions: max(|ana|, ||g||)); retried at 4x, 1/4x, 16x, 1/16x the step
 * above 2.5e-3. Per layer (max over directions): <= 1e-2 passes, > 1e-1 is an error naming the
 * suspect layers (between the last failing and the next passing weighted layer), between is a
 * warning. Info with the per-layer errors when all pass.
 * @example
 * const [f] = await m6GradientCheck.run(ctx); f?.evidence.relativeErrors // [0.0003, 0.0001]
 */
export const m6GradientCheck: Probe = {
  id: 'M6',
  title: 'Gradient check',
  severity: 'error',
  kind: 'probe',
  description: 'Compares analytic gradients with central finite differences along the gradient and random directions, per layer, in float32; localises a wrong backward pass.',
  budgetMs: 20_000,
  run,
};
