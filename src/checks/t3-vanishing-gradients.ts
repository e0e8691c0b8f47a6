/**
 * T3 Vanishing gradients (log mode): the input-side layers get gradients orders of magnitude smaller than
 * the output-side ones, or ~0. Reads per-layer `grad_norm/<layer>` scalars or `gradients/<layer>`
 * histograms; layers are taken in logging order (input side first).
 */
import { median } from '../analysis/robust.js';
import type { Finding, Severity } from '../findings/finding.js';
import { layerCurves, layerHistograms } from '../telemetry/layers.js';
import type { Check, CheckContext } from './check.js';
import { makeFinding } from './check.js';

/** A later layer's gradient this many times an earlier layer's: warning / error. */
const RATIO_WARN = 100;
const RATIO_ERROR = 1e4;
/** A gradient magnitude below this is ~0... */
const NEAR_ZERO = 1e-8;
/** ...when some other layer's is at least this large (else the whole model gets no gradient). */
const ALIVE = 1e-6;
/**
 * Parameters left out: biases and normalisation parameters are small vectors (and a bias before
 * BatchNorm gets no gradient by design); embeddings get sparse gradients (only the looked-up rows).
 */
const SKIP = /bias|norm|embed|(^|[._/])(bn|ln)\d*([._/]|$)/i;

/** Samples the first half needs before a starved-then-recovered input side is reported (a sustained stretch, not the first steps after initialisation). */
const MIN_EARLY_SAMPLES = 5;

const fmt = (x: number): string => (x === 0 ? '0' : x.toExponential(2));

interface Layer {
  readonly name: string;
  readonly tag: string;
  /** Median gradient magnitude over the judged half of the logged steps. */
  readonly magnitude: number;
}

/** Which half of the logged steps is judged: the second (the state training ended in) or the first. */
type Half = 'second' | 'first';

interface Magnitudes {
  readonly layers: Layer[];
  /** Samples of the input-side layer in the judged half. */
  readonly samples: number;
  readonly measure: 'rms' | 'norm';
  /** First and last step of the judged half (of the input-side layer's curve). */
  readonly steps: readonly [number, number] | null;
}

/** A parameter's gradient magnitudes over the whole run (per-element RMS or norms). */
interface Series {
  readonly name: string;
  readonly tag: string;
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

/** The per-parameter gradient series of the run, read once and judged per half. */
function gradientSeries(ctx: CheckContext): { series: Series[]; measure: 'rms' | 'norm' } {
  const curves = layerCurves(ctx.run, 'grad_norm');
  const hists = layerHistograms(ctx.run, 'gradients');
  // Per-element RMS (from histograms) compares layers of different sizes fairly; norms when that is all there is.
  const useRms = hists.size > 0 && [...curves.keys()].every((k) => hists.has(k));
  const series: Series[] = [];
  for (const [name, curve] of curves) {
    if (SKIP.test(name)) continue;
    const h = hists.get(name);
    // A parameter's element count never changes; histograms are usually logged less often than the
    // norms, so the count comes from the last histogram, not from the one at the same index.
    const count = h?.histograms[h.histograms.length - 1]?.num ?? 1;
    const values = useRms && h ? curve.values.map((v) => v / Math.sqrt(Math.max(1, count))) : curve.values;
    series.push({ name, tag: curve.tag, steps: curve.steps, values });
  }
  return { series, measure: useRms ? 'rms' : 'norm' };
}

/** The median magnitude of every parameter over one half of its series. */
function magnitudes({ series, measure }: ReturnType<typeof gradientSeries>, half: Half): Magnitudes {
  const layers: Layer[] = [];
  let steps: [number, number] | null = null;
  let samples = 0;
  for (const { name, tag, steps: at, values } of series) {
    const [from, to] = half === 'second' ? [Math.floor(values.length / 2), values.length] : [0, Math.floor(values.length / 2)];
    const magnitude = median(values.slice(from, to));
    if (!Number.isFinite(magnitude)) continue;
    layers.push({ name, tag, magnitude });
    if (layers.length === 1) [steps, samples] = [[at[from] as number, at[to - 1] as number], to - from];
  }
  return { layers, samples, measure, steps };
}

/**
 * Two parameters of one layer (`rnn1/kernel`, `rnn1/recurrent_kernel`): a recurrent kernel sums its
 * gradient over every time step, the input kernel does not, so their ratio says nothing about depth.
 */
const sameLayer = (a: Layer, b: Layer): boolean => {
  const owner = (name: string): string => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : name);
  return owner(a.name) === owner(b.name);
};

function judge(ctx: CheckContext): Finding[] {
  const series = gradientSeries(ctx);
  const late = judgeHalf(magnitudes(series, 'second'));
  if (late.length > 0) return late;
  // Fine by the end, but starved for the whole first half (a deep sigmoid/tanh stack that takes
  // half the run to get going): the input side lost half its training. A warning at most.
  const early = magnitudes(series, 'first');
  if (early.samples < MIN_EARLY_SAMPLES) return [];
  return judgeHalf(early).map((f) => ({
    ...f,
    severity: 'warning' as const,
    message: `Over the first half of the run (steps ${early.steps?.[0]}-${early.steps?.[1]}): ${f.message} The gradients recovered in the second half; the input side lost that much training.`,
    evidence: { ...f.evidence, window: 'first half' },
    actions: ['if this recurs, shorten the stall: ReLU/GELU activations, He/Glorot init, normalisation layers or a short learning-rate warm-up', ...f.actions.slice(1)],
  }));
}

function judgeHalf({ layers, measure, steps }: Magnitudes): Finding[] {
  if (layers.length < 2) return [];
  // Vanishing means the input side starves: when the first layer's gradient is neither ~0 nor >= 100x
  // below a later layer's, a small gradient further in (a layer fed by unscaled inputs next to one that
  // gets plenty, say) is not this pattern.
  const input = layers[0] as Layer;
  const laterMax = Math.max(...layers.slice(1).filter((l) => !sameLayer(l, input)).map((l) => l.magnitude), 0);
  if (input.magnitude >= NEAR_ZERO && laterMax < RATIO_WARN * input.magnitude) return [];
  const max = Math.max(...layers.map((l) => l.magnitude));
  const dead = layers.filter((l) => l.magnitude < NEAR_ZERO);
  const all = layers.map((l) => `${l.name}=${fmt(l.magnitude)}`).join(', ');
  if (dead.length > 0) {
    const whole = max < ALIVE;
    const first = dead[0] as Layer;
    return [
      makeFinding(t3VanishingGradients, {
        severity: 'error',
        message: whole
          ? `Gradient ${measure}s are ~0 in every layer (largest ${fmt(max)} < ${fmt(ALIVE)}): no gradient reaches the weights.`
          : `Gradient ${measure} of ${dead.map((l) => l.name).join(', ')} is ~0 (${fmt(first.magnitude)} < ${fmt(NEAR_ZERO)}) while other layers get up to ${fmt(max)}: no learning signal reaches ${dead.length === 1 ? 'this layer' : 'these layers'}.`,
        layer: first.name,
        tags: dead.map((l) => l.tag),
        steps,
        evidence: { window: 'second half', measure, nearZeroThreshold: NEAR_ZERO, smallest: first.magnitude, largest: max, layersNearZero: dead.length, layers: all },
        actions: whole
          ? ['check the loss is connected to the outputs (no .detach()/stop_gradient, no argmax before the loss)', 'check requires_grad / trainable flags', 'check the learning-rate and loss scaling (fp16 loss scale underflow)']
          : ['check for saturated activations (sigmoid/tanh) or dead ReLUs upstream of these layers (T5, T6)', 'use ReLU/GELU with He init, add BatchNorm/LayerNorm or residual connections', 'check nothing detaches the graph between these layers and the loss'],
      }),
    ];
  }
  // Worst earlier-vs-later ratio: for each layer, the largest magnitude among the layers after it.
  let worst = { ratio: 0, early: layers[0] as Layer, late: layers[1] as Layer };
  for (let i = 0; i < layers.length - 1; i++) {
    const early = layers[i] as Layer;
    for (let j = i + 1; j < layers.length; j++) {
      const late = layers[j] as Layer;
      if (sameLayer(early, late)) continue;
      const ratio = late.magnitude / Math.max(early.magnitude, Number.MIN_VALUE);
      if (ratio > worst.ratio) worst = { ratio, early, late };
    }
  }
  if (worst.ratio < RATIO_WARN) return [];
  const severity: Severity = worst.ratio >= RATIO_ERROR ? 'error' : 'warning';
  const small = layers.filter((l) => l.magnitude * RATIO_WARN <= max).map((l) => l.name);
  return [
    makeFinding(t3VanishingGradients, {
      severity,
      message:
        `Gradients vanish toward the input: layer ${worst.early.name} gets a gradient ${measure} of ${fmt(worst.early.magnitude)}, ` +
        `${Number(worst.ratio.toPrecision(3))}x below later layer ${worst.late.name} (${fmt(worst.late.magnitude)}); ` +
        `${small.length} layer${small.length === 1 ? '' : 's'} ${RATIO_WARN}x or more below the largest (${small.join(', ')}).`,
      layer: worst.early.name,
      tags: [worst.early.tag, worst.late.tag],
      steps,
      evidence: {
        window: 'second half',
        measure,
        earlyLayer: worst.early.name,
        earlyGrad: worst.early.magnitude,
        lateLayer: worst.late.name,
        lateGrad: worst.late.magnitude,
        ratio: Number(worst.ratio.toPrecision(3)),
        warnRatio: RATIO_WARN,
        errorRatio: RATIO_ERROR,
        layers: all,
      },
      actions: [
        'replace sigmoid/tanh hidden activations with ReLU/GELU and use He/Glorot init',
        'add BatchNorm/LayerNorm or residual (skip) connections',
        'check for saturated activations (T6) in the layers between',
      ],
    }),
  ];
}

/**
 * T3 Vanishing gradients from per-layer gradient norms (median of the second half of the run, per-element
 * RMS when gradient histograms exist; when the second half is fine, the first half, at warning level:
 * a starved first half that recovered). Warning when a later layer's gradient is >= 100x an earlier one's,
 * error at >= 1e4x or when a layer's is < 1e-8. Only when the first (input-side) layer itself vanishes:
 * its gradient < 1e-8, or >= 100x below some later layer's; otherwise no finding (a first layer that gets
 * as much gradient as the output is not starved, whatever a layer in between does). Fewer than 2 layers: no finding.
 * @example
 * t3VanishingGradients.run({ run, curves: resolveCurves(run) })[0]?.evidence.ratio // 2500
 */
export const t3VanishingGradients: Check = {
  id: 'T3',
  title: 'Vanishing gradients',
  severity: 'error',
  kind: 'live',
  description: 'Per-layer gradient norms fall by orders of magnitude toward the input, or are ~0 (at the end of the run, or for its whole first half before recovering).',
  run: judge,
};
