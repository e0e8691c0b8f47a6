/**
 * Findings drawn on a chart: each finding with a step range is a band (a marker line when it is one
 * step) over the plotting area, coloured by severity, as a DOM element so it can be clicked, hovered
 * and found by tests (`.finding-band[data-check]`). Bands follow zoom and resize.
 */
import type uPlot from 'uplot';
import type { Severity } from '../findings/finding.js';

/** A finding placed on the chart's x axis. */
export interface ChartBand {
  /** Identifies the finding in the findings panel. */
  readonly key: string;
  readonly check: string;
  readonly severity: Severity;
  readonly title: string;
  /** Inclusive x range in the chart's x unit. */
  readonly from: number;
  readonly to: number;
}

/** The bands of one chart and what clicking one does. */
export interface OverlayState {
  bands: readonly ChartBand[];
  active: string | null;
  onClick: (key: string) => void;
}

/**
 * A uPlot plugin keeping one `.finding-band` element per band positioned over the plot.
 * @example
 * const state: OverlayState = { bands: [], active: null, onClick: (k) => select(k) };
 * new uPlot({ ...opts, plugins: [findingOverlay(state)] }, data, target);
 */
export function findingOverlay(state: OverlayState): uPlot.Plugin {
  let layer: HTMLDivElement | null = null;
  const place = (u: uPlot): void => {
    if (!layer) {
      layer = document.createElement('div');
      layer.className = 'finding-layer';
      u.over.appendChild(layer);
    }
    const keep = new Set(state.bands.map((b) => b.key));
    for (const child of Array.from(layer.children)) if (!keep.has((child as HTMLElement).dataset['finding'] ?? '')) child.remove();
    const xMin = u.scales['x']?.min ?? -Infinity;
    const xMax = u.scales['x']?.max ?? Infinity;
    const width = u.over.clientWidth;
    for (const band of state.bands) {
      let div = layer.querySelector<HTMLDivElement>(`[data-finding="${CSS.escape(band.key)}"]`);
      if (!div) {
        div = document.createElement('div');
        div.dataset['finding'] = band.key;
        div.dataset['check'] = band.check;
        div.title = `${band.check} ${band.title}`;
        div.addEventListener('click', (e) => {
          e.stopPropagation();
          state.onClick(band.key);
        });
        const label = document.createElement('span');
        label.className = 'finding-label';
        label.textContent = band.check;
        div.appendChild(label);
        layer.appendChild(div);
      }
      const visible = band.to >= xMin && band.from <= xMax;
      const left = Math.max(0, u.valToPos(Math.max(band.from, xMin), 'x'));
      const right = Math.min(width, u.valToPos(Math.min(band.to, xMax), 'x'));
      const point = band.from === band.to;
      div.className = `finding-band sev-${band.severity}${point ? ' point' : ''}${state.active === band.key ? ' active' : state.active !== null ? ' dim' : ''}`;
      div.style.display = visible && Number.isFinite(left) && Number.isFinite(right) ? '' : 'none';
      div.style.left = `${point ? left - 1 : left}px`;
      div.style.width = `${point ? 3 : Math.max(3, right - left)}px`;
    }
  };
  return { hooks: { draw: place, setSize: place } };
}

