/**
 * The per-layer panels of a run page, shown when the run has per-layer telemetry: the gradient-norm
 * heatmap (layers x steps), the update/weight ratio against the 1e-3 reference, activation std
 * against the 0.5-2.0 band, the dead-unit fraction, and histograms over time.
 */
import type { Finding } from '../findings/finding.js';
import type { LayerGrid, LayersPayload, RunDetail } from '../server/api-types.js';
import { api } from './api.js';
import type { ReferenceBand } from './chart-decorations.js';
import { layerColor } from './colors.js';
import type { ChartLine } from './curve-chart.js';
import { CurveChart } from './curve-chart.js';
import { el } from './dom.js';
import type { ChartBand } from './finding-overlay.js';
import { findingKey } from './findings-panel.js';
import { Heatmap } from './heatmap.js';
import { Ridgeline } from './ridgeline.js';

interface LineSpec {
  readonly title: string;
  /** Tag prefixes of this quantity: a finding on such a tag is drawn on the panel. */
  readonly tagPrefixes: readonly string[];
  readonly logY: boolean;
  readonly reference?: ReferenceBand;
  readonly yRange?: readonly [number, number];
}

const LINE_SPECS: Partial<Record<LayerGrid['quantity'], LineSpec>> = {
  update_ratio: {
    title: 'Update / weight ratio per layer',
    tagPrefixes: ['update_ratio/'],
    logY: true,
    reference: { lo: 10 ** -3.5, hi: 10 ** -2.5, line: 1e-3, label: 'reference ≈ 1e-3' },
  },
  act_std: { title: 'Activation std per layer', tagPrefixes: ['act_std/'], logY: false, reference: { lo: 0.5, hi: 2, label: 'healthy 0.5–2.0' } },
  act_dead_frac: { title: 'Dead-unit fraction per layer', tagPrefixes: ['act_zero_frac/', 'act_dead_frac/'], logY: false, yRange: [0, 1] },
};

/** Display settings the panels share with the rest of the page. */
export interface LayerSettings {
  readonly smoothing: number;
  readonly onBandClick: (key: string) => void;
}

function gridLines(grid: LayerGrid): ChartLine[] {
  const n = grid.layers.length;
  return grid.layers.map((layer, i) => {
    const y: Array<number | null> = [];
    const nonFinite: Array<{ x: number; value: 'NaN' | 'Infinity' | '-Infinity'; count: number }> = [];
    layer.values.forEach((v, k) => {
      if (typeof v === 'string') {
        y.push(null);
        nonFinite.push({ x: grid.steps[k] as number, value: v, count: 1 });
      } else y.push(v);
    });
    return { label: layer.name, color: layerColor(i, n), x: grid.steps, y, nonFinite };
  });
}

/**
 * The layer section of a run page.
 * @example
 * const panels = new LayerPanels(container, detail, { smoothing: 0, onBandClick });
 * await panels.refresh(findings);
 */
export class LayerPanels {
  readonly root: HTMLElement;
  private heatmap: Heatmap | null = null;
  private readonly charts = new Map<string, CurveChart>();
  private ridge: Ridgeline | null = null;
  private histogramTag: string | null = null;
  private findings: readonly Finding[] = [];

  constructor(
    parent: HTMLElement,
    private readonly detail: RunDetail,
    private settings: LayerSettings,
  ) {
    this.root = el('section', { class: 'layers' }, el('h2', {}, 'Per layer'));
    parent.appendChild(this.root);
    const tags = detail.histogramTags;
    if (tags.length > 0) {
      const preferred = tags.find((t) => /(^|\/)(gradients|grads)\//i.test(t.tag)) ?? tags[0];
      this.histogramTag = preferred?.tag ?? null;
      const select = el(
        'select',
        { 'aria-label': 'histogram series', class: 'histogram-select' },
        ...tags.map((t) => el('option', { value: t.tag, ...(t.tag === this.histogramTag ? { selected: true } : {}) }, `${t.tag} (${t.snapshots})`)),
      );
      select.addEventListener('change', () => {
        this.histogramTag = select.value;
        void this.loadHistograms();
      });
      this.ridge = new Ridgeline(this.root, el('label', { class: 'control' }, 'series ', select));
    }
  }

  /** Whether the run has anything for this section. */
  static wanted(detail: RunDetail): boolean {
    return detail.layerQuantities.length > 0 || detail.histogramTags.length > 0;
  }

  /** Fetches the layer data again (on open and on live updates) and redraws. */
  async refresh(findings: readonly Finding[], unit: string, signal?: AbortSignal): Promise<void> {
    this.findings = findings;
    if (this.detail.layerQuantities.length > 0) {
      const width = Math.min(600, Math.max(100, Math.round(this.root.clientWidth / 2)));
      const payload = await api.layers(this.detail.summary.id, width, signal);
      this.draw(payload, unit);
    }
    await this.loadHistograms(signal);
  }

  /** Changes the smoothing of the line panels. */
  setSmoothing(smoothing: number): void {
    this.settings = { ...this.settings, smoothing };
    for (const c of this.charts.values()) c.update({ smoothing });
  }

  /** Highlights one finding's marks (null: none). */
  highlight(key: string | null): void {
    this.heatmap?.highlight(key);
    for (const c of this.charts.values()) c.highlight(key);
  }

  /** Charts of this section that show a finding (for scrolling to it). */
  elementFor(key: string): HTMLElement | null {
    for (const c of this.charts.values()) if (c.hasBand(key)) return c.root;
    return this.findings.some((f) => findingKey(f) === key && f.layer !== null) ? (this.heatmap?.root ?? null) : null;
  }

  /** Removes the section. */
  destroy(): void {
    this.heatmap?.destroy();
    for (const c of this.charts.values()) c.destroy();
    this.ridge?.destroy();
    this.root.remove();
  }

  private draw(payload: LayersPayload, unit: string): void {
    const layerFindings = this.findings.filter((f) => f.layer !== null && f.evidence['insufficientData'] !== true);
    for (const grid of payload.quantities) {
      const xLabel = grid.unit;
      const sameUnit = grid.unit === unit;
      if (grid.quantity === 'grad_norm') {
        this.heatmap ??= new Heatmap(this.root, 'grad-norm-heatmap', 'Gradient norm per layer (log colour)');
        this.root.insertBefore(this.heatmap.root, this.root.children[1] ?? null);
        // Gradient findings about a layer outline its row (over their steps, or the whole run when they have none).
        const first = grid.steps[0] ?? 0;
        const last = grid.steps[grid.steps.length - 1] ?? 0;
        this.heatmap.set(
          { steps: grid.steps, rows: grid.layers, xLabel },
          layerFindings
            .filter((f) => f.tags.some((t) => /grad/i.test(t)) || /gradient/i.test(f.title))
            .filter((f) => f.steps === null || sameUnit)
            .map((f) => ({ key: findingKey(f), layer: f.layer, from: f.steps?.[0] ?? first, to: f.steps?.[1] ?? last, severity: f.severity })),
        );
        continue;
      }
      const spec = LINE_SPECS[grid.quantity];
      if (!spec) continue;
      let chart = this.charts.get(grid.quantity);
      if (!chart) {
        chart = new CurveChart(this.root, {
          key: `layer-${grid.quantity}`,
          title: spec.title,
          xLabel,
          logY: spec.logY,
          smoothing: this.settings.smoothing,
          height: 220,
          legend: grid.layers.length <= 12,
          onBandClick: this.settings.onBandClick,
          ...(spec.reference ? { reference: spec.reference } : {}),
          ...(spec.yRange ? { yRange: spec.yRange } : {}),
        });
        this.charts.set(grid.quantity, chart);
        if (this.ridge) this.root.appendChild(this.ridge.root);
      }
      chart.setLines(gridLines(grid));
      const names = new Set(grid.layers.map((l) => l.name));
      const bands: ChartBand[] = sameUnit
        ? layerFindings
            .filter((f) => f.steps !== null && names.has(f.layer as string) && f.tags.some((t) => spec.tagPrefixes.some((p) => t.toLowerCase().includes(p))))
            .map((f) => ({ key: findingKey(f), check: f.check, severity: f.severity, title: f.title, from: (f.steps as [number, number])[0], to: (f.steps as [number, number])[1] }))
        : [];
      chart.setBands(bands);
    }
  }

  private async loadHistograms(signal?: AbortSignal): Promise<void> {
    if (!this.ridge || this.histogramTag === null) return;
    const payload = await api.histograms(this.detail.summary.id, this.histogramTag, 40, signal);
    this.ridge.set(payload);
  }
}
