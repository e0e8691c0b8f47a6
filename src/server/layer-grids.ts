/**
 * Per-layer panels' data: for each per-layer quantity a run has (gradient norm, update/weight ratio,
 * activation std, dead-unit fraction), every layer's curve on one common step grid, input side first.
 */
import type { Curve } from '../telemetry/curves.js';
import { toCurve } from '../telemetry/curves.js';
import { layerCurves } from '../telemetry/layers.js';
import type { Run } from '../telemetry/run.js';
import type { LayerGrid, LayerPanelQuantity } from './api-types.js';
import { commonGrid } from './downsample.js';

/** The quantities the dashboard draws, in panel order. */
export const LAYER_PANEL_QUANTITIES: readonly LayerPanelQuantity[] = ['grad_norm', 'update_ratio', 'act_std', 'act_dead_frac'];

/** `act_dead_frac/<layer>` is an alias nndoctor accepts for the dead-unit fraction besides `act_zero_frac/<layer>`. */
const DEAD_ALIAS = 'act_dead_frac/';

function curvesOf(run: Run, quantity: LayerPanelQuantity): Map<string, Curve> {
  if (quantity !== 'act_dead_frac') return layerCurves(run, quantity);
  const out = layerCurves(run, 'act_zero_frac');
  for (const [tag, series] of run.scalars) {
    const at = tag.toLowerCase().indexOf(DEAD_ALIAS);
    if (at === 0 || (at > 0 && tag[at - 1] === '/')) {
      const layer = tag.slice(at + DEAD_ALIAS.length);
      if (layer.length > 0 && !out.has(layer)) out.set(layer, toCurve(series));
    }
  }
  return out;
}

/**
 * The per-layer quantities present in a run.
 * @example
 * layerQuantitiesOf(run) // ['grad_norm', 'update_ratio']
 */
export function layerQuantitiesOf(run: Run): LayerPanelQuantity[] {
  return LAYER_PANEL_QUANTITIES.filter((q) => curvesOf(run, q).size > 0);
}

/**
 * Every per-layer quantity of a run on a common grid of at most `width` columns per quantity.
 * @example
 * const [grad] = layerGrids(run, 400);
 * grad?.layers[0]?.name // 'dense_1'
 */
export function layerGrids(run: Run, width: number): LayerGrid[] {
  const out: LayerGrid[] = [];
  for (const quantity of LAYER_PANEL_QUANTITIES) {
    const curves = curvesOf(run, quantity);
    if (curves.size === 0) continue;
    const entries = [...curves];
    const grid = commonGrid(entries.map(([, c]) => c), width);
    out.push({
      quantity,
      unit: entries[0]?.[1].unit ?? 'step',
      steps: grid.steps,
      layers: entries.map(([name], i) => ({ name, values: grid.columns[i] ?? [] })),
    });
  }
  return out;
}
