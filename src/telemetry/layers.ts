/**
 * Per-layer telemetry by tag convention. nndoctor's own instrumentation writes
 * `grad_norm/<layer>`, `weight_norm/<layer>`, `update_ratio/<layer>`, `act_mean|act_std|act_zero_frac|act_sat_frac|act_dead_frac/<layer>`
 * scalars and `gradients|parameters|activations/<layer>` histograms; W&B `watch` writes
 * `gradients/<param>` and `parameters/<param>` histograms; Lightning writes `grad_2.0_norm/<param>`.
 */
import type { Curve } from './curves.js';
import { toCurve } from './curves.js';
import type { Run } from './run.js';
import type { Histogram, HistogramSeries } from './series.js';
import { isLayerTag } from './tags.js';

/** A per-layer quantity recorded as (or derived into) a scalar curve. */
export type LayerQuantity =
  | 'grad_norm'
  | 'weight_norm'
  | 'update_ratio'
  | 'act_mean'
  | 'act_std'
  | 'act_zero_frac'
  | 'act_sat_frac'
  | 'act_dead_frac';

/** A per-layer histogram kind. */
export type LayerHistogramKind = 'gradients' | 'parameters' | 'activations';

const SCALAR_PREFIXES: Record<LayerQuantity, readonly string[]> = {
  grad_norm: ['grad_norm/', 'grad_2.0_norm/', 'grad_2.0_norm_', 'gradients/norm/'],
  weight_norm: ['weight_norm/', 'param_norm/'],
  update_ratio: ['update_ratio/'],
  act_mean: ['act_mean/'],
  act_std: ['act_std/'],
  act_zero_frac: ['act_zero_frac/'],
  act_sat_frac: ['act_sat_frac/'],
  act_dead_frac: ['act_dead_frac/'],
};

const HISTOGRAM_PREFIXES: Record<LayerHistogramKind, readonly string[]> = {
  gradients: ['gradients/', 'grads/'],
  parameters: ['parameters/', 'weights/', 'params/'],
  activations: ['activations/'],
};

/** Norms derived from histograms when no scalar norm is logged. */
const DERIVED: Partial<Record<LayerQuantity, LayerHistogramKind>> = {
  grad_norm: 'gradients',
  weight_norm: 'parameters',
};

function layerOf(tag: string, prefixes: readonly string[]): string | null {
  const lower = tag.toLowerCase();
  for (const p of prefixes) {
    const at = lower.startsWith(p) ? 0 : lower.indexOf(`/${p}`) + 1;
    if (at > 0 || lower.startsWith(p)) {
      const name = tag.slice(at + p.length);
      if (name.length > 0) return name;
    }
  }
  return null;
}

/**
 * The L2 norm of the values a histogram summarises (`sqrt(sum of squares)`), estimated from bucket
 * centres when the source does not record the sum of squares.
 * @example
 * histogramNorm(h) // 3.2
 */
export function histogramNorm(h: Histogram): number {
  if (Number.isFinite(h.sumSquares)) return Math.sqrt(Math.max(0, h.sumSquares));
  let sq = 0;
  let left = h.min;
  for (let i = 0; i < h.bucketLimits.length; i++) {
    const right = h.bucketLimits[i] as number;
    const lo = Math.min(Math.max(left, h.min), h.max);
    const hi = Math.min(Math.max(right, h.min), h.max);
    const c = (lo + hi) / 2;
    sq += c * c * (h.bucketCounts[i] as number);
    left = right;
  }
  return Math.sqrt(sq);
}

/**
 * Per-layer histogram series of one kind, keyed by layer (or parameter) name, in tag order.
 * @example
 * layerHistograms(run, 'gradients').get('fc1.weight')
 */
export function layerHistograms(run: Run, kind: LayerHistogramKind): Map<string, HistogramSeries> {
  const out = new Map<string, HistogramSeries>();
  for (const [tag, series] of run.histograms) {
    const layer = layerOf(tag, HISTOGRAM_PREFIXES[kind]) ?? (kind === 'parameters' && !isLayerTag(tag) ? kerasWeight(tag) : null);
    if (layer !== null) out.set(layer, series);
  }
  return out;
}

/** Keras' TensorBoard callback names weight histograms `<layer>/<weight>_0/histogram` (under `train/`). */
const KERAS_WEIGHT = /^(?:train\/)?(.+\/(?:kernel|bias|gamma|beta|embeddings|depthwise_kernel|recurrent_kernel|moving_mean|moving_variance))(?:_\d+)?(?:\/histogram)?$/;

function kerasWeight(tag: string): string | null {
  return KERAS_WEIGHT.exec(tag)?.[1] ?? null;
}

/**
 * Per-layer curves of one quantity, keyed by layer name in the order the run first logged them
 * (for a network, input side first). Norms come from scalar tags, or from histograms when only those exist.
 * @example
 * for (const [layer, curve] of layerCurves(run, 'grad_norm')) console.log(layer, curve.values.at(-1));
 */
export function layerCurves(run: Run, quantity: LayerQuantity): Map<string, Curve> {
  const out = new Map<string, Curve>();
  for (const [tag, series] of run.scalars) {
    const layer = layerOf(tag, SCALAR_PREFIXES[quantity]);
    if (layer !== null) out.set(layer, toCurve(series));
  }
  const kind = DERIVED[quantity];
  if (out.size === 0 && kind !== undefined) {
    for (const [layer, series] of layerHistograms(run, kind)) {
      out.set(
        layer,
        toCurve({ tag: series.tag, unit: series.unit, steps: series.steps, wallTimes: series.wallTimes, values: series.histograms.map(histogramNorm) }),
      );
    }
  }
  return out;
}
