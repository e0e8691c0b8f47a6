/**
 * M6 Gradient check: analytic gradients (tf.variableGrads of the training loss on a small batch, in
 * inference mode so dropout is off and batch-norm uses its moving statistics) against central finite
 * differences along directions, per layer and per weight tensor. Works in float32: each direction's
 * step is sized so the loss change dominates float32 round-off, and agreement is judged with a
 * relative error whose thresholds were measured on correct and deliberately wrong layers.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding, Severity } from '../../findings/finding.js';
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
/** Target loss change of a central difference, relative to |loss| (keeps round-off ~1e-4 of it). */
const TARGET_CHANGE = 1e-3;
/** Step limits, relative to the weight tensor's RMS (+ STEP_FLOOR for zero-initialised tensors). */
const STEP_MIN = 1e-4;
const STEP_MAX = 1e-1;
const STEP_FLOOR = 1e-2;
/** Grow the step while the loss change is below GROW_BELOW x round-off; shrinking stops below KEEP_ABOVE x. */
const GROW_BELOW = 300;
const KEEP_ABOVE = 100;
/** The step is then divided by SHRINK (at most MAX_SHRINKS times) while the change stays measurable. */
const SHRINK = 4;
const MAX_SHRINKS = 2;
/** Assumed float32 round-off of one loss evaluation, in units of |loss| (~15 ulps). */
const LOSS_NOISE = 1e-6;
/** A random direction whose derivative is below this share of ||g|| counts the gap against ||g||. */
const ORTHOGONAL_SHARE = 0.1;

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
    const layers = model.layers.map((layer, index) => ({ layer, index, vars: layer.trainableWeights.map((w) => w.read() as tf.Variable) })).filter((l) => l.vars.length > 0);
    if (layers.length === 0) return [];
    const allVars = layers.flatMap((l) => l.vars);
    const grads = tf.tidy(() => tf.variableGrads(f, allVars).grads);
    const normal = seededNormal(rng(ctx.seed));
    const noise = LOSS_NOISE * Math.max(Math.abs(l0), 1e-3);
    try {
      for (const [li, { layer, index, vars }] of layers.entries()) {
        if (clock.over()) {
          cutShort = true;
          break;
        }
        const checks: Array<Check & { weight: string }> = [];
        for (const v of vars) {
          const g = grads[v.name] ?? null;
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
            // Step: aim for a loss change of TARGET_CHANGE x |loss| (random directions: as if their
            // derivative were ||g||), within [STEP_MIN, STEP_MAX] x scale.
            const slope = Math.max(Math.abs(analytic), kind === 'random' ? gNorm : 0, 1e-30);
            let eps = Math.min(STEP_MAX * scale, Math.max(STEP_MIN * scale, (TARGET_CHANGE * Math.max(Math.abs(l0), 1e-3)) / slope));
            const diff = (step: number): Difference => {
              setTo(v, tf.tidy(() => tf.add(w0, tf.mul(d, step))));
              const plus = loss();
              setTo(v, tf.tidy(() => tf.sub(w0, tf.mul(d, step))));
              const minus = loss();
              v.assign(w0);
              return { central: (plus - minus) / (2 * step), forward: (plus - l0) / step, backward: (l0 - minus) / step, change: Math.abs(plus - minus) };
            };
            let m = diff(eps);
            // Too small a change to rise above round-off: a larger step, if allowed.
            while (m.change < GROW_BELOW * noise && eps < STEP_MAX * scale) {
              eps = Math.min(STEP_MAX * scale, eps * 10);
              m = diff(eps);
            }
            // Then the smallest step round-off allows: fewer kinks (ReLU, max-pool) inside it.
            for (let shrink = 0; shrink < MAX_SHRINKS; shrink++) {
              const smaller = diff(eps / SHRINK);
              if (smaller.change < KEEP_ABOVE * noise) break;
              eps /= SHRINK;
              m = smaller;
            }
            // A kink inside [-eps, eps] spoils the central difference, but the one-sided difference on
            // its other side is exact up to eps x curvature: judge the best of the three. A wrong
            // gradient is off in all three.
            const denom = Math.max(Math.abs(m.central), Math.abs(analytic), kind === 'random' ? ORTHOGONAL_SHARE * gNorm : 0, 1e-30);
            const relError = Math.min(Math.abs(m.central - analytic), Math.abs(m.forward - analytic), Math.abs(m.backward - analytic)) / denom;
            const floor = noise / eps;
            const conclusive = Math.abs(m.central) > 10 * floor || Math.abs(analytic) > 10 * floor;
            const numeric = m.central;
            if (process.env['M6_DEBUG']) console.log(`${layer.name} ${v.name.split('/').pop()} ${kind} n=${size} eps=${eps.toExponential(2)} c=${m.central.toExponential(4)} f=${m.forward.toExponential(4)} b=${m.backward.toExponential(4)} ana=${analytic.toExponential(4)} |g|=${gNorm.toExponential(2)} change=${m.change.toExponential(2)} rel=${relError.toExponential(2)} ${conclusive}`);
            checks.push({ weight: v.name, kind, numeric, analytic, relError, conclusive });
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
 * Per weight tensor: the analytic-gradient direction plus 2 seeded random directions; central
 * differences with a step sized for a ~1e-3 relative loss change (between 1e-4 and 1e-1 of the
 * tensor's RMS + 0.01). Relative error |num - ana| / max(|num|, |ana|, 0.1 ||g|| for random
 * directions). Per layer: <= 1e-2 passes, > 1e-1 is an error (reports the suspect layers between the
 * last failing and the next passing weighted layer), between is a warning. Info when all pass.
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
