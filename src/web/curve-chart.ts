/**
 * A line chart of one or more curves (uPlot): optional smoothing (raw line faint, smoothed line on
 * top, as TensorBoard), log y scale, findings as bands, non-finite markers, a reference band, drag to
 * zoom (the page then fetches finer data for the zoomed range) and double-click to zoom out.
 * Exposes `data-chart`, `data-points` (finite points drawn) and `data-drawn` on its root for tests.
 */
import uPlot from 'uplot';
import type { NonFiniteName } from '../server/api-types.js';
import type { NonFiniteMark, ReferenceBand } from './chart-decorations.js';
import { nonFiniteMarkers, referenceBand } from './chart-decorations.js';
import { el } from './dom.js';
import type { ChartBand, OverlayState } from './finding-overlay.js';
import { findingOverlay } from './finding-overlay.js';
import { fmtNum, fmtStep } from './format.js';
import { joinXY } from './series-data.js';
import { emaSmooth } from './smoothing.js';

/** One curve, already on the chart's x unit. */
export interface ChartLine {
  readonly label: string;
  readonly color: string;
  readonly dash?: readonly number[];
  readonly x: readonly number[];
  readonly y: ReadonlyArray<number | null>;
  readonly nonFinite?: ReadonlyArray<{ readonly x: number; readonly value: NonFiniteName; readonly count: number }>;
  /** Whether the smoothing slider applies (default true). */
  readonly smooth?: boolean;
}

/** Options of a {@link CurveChart}. */
export interface CurveChartOptions {
  /** `data-chart` of the root, e.g. `loss`. */
  readonly key: string;
  readonly title: string;
  readonly xLabel: string;
  readonly logY: boolean;
  /** 0 (none) to 0.99. */
  readonly smoothing: number;
  readonly height?: number;
  readonly reference?: ReferenceBand;
  /** Whether to show the legend (default true; long layer lists leave it out). */
  readonly legend?: boolean;
  /** A fixed y range (e.g. [0, 1] for fractions). */
  readonly yRange?: readonly [number, number];
  /** Called with the zoomed x range after a drag, or null after zooming out. */
  readonly onZoom?: (range: { min: number; max: number } | null) => void;
  /** Called when a finding band is clicked. */
  readonly onBandClick?: (key: string) => void;
}

/**
 * A curve chart in a card.
 * @example
 * const chart = new CurveChart(container, { key: 'loss', title: 'Loss', xLabel: 'step', logY: false, smoothing: 0.6 });
 * chart.setLines([{ label: 'train', color: '#2563eb', x: [0, 1], y: [2.3, 1.9] }]);
 */
export class CurveChart {
  readonly root: HTMLElement;
  private readonly plotEl: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private options: CurveChartOptions;
  private plot: uPlot | null = null;
  private lines: readonly ChartLine[] = [];
  private readonly overlay: OverlayState;
  private readonly marks: { list: NonFiniteMark[] } = { list: [] };
  private zoomed = false;
  private settingData = false;
  private fullExtent: [number, number] = [0, 0];
  private readonly resize: ResizeObserver;
  private seriesShape = '';

  constructor(parent: HTMLElement, options: CurveChartOptions) {
    this.options = options;
    this.overlay = { bands: [], active: null, onClick: (key) => this.options.onBandClick?.(key) };
    this.plotEl = el('div', { class: 'plot' });
    this.emptyEl = el('div', { class: 'chart-empty' }, 'no data yet');
    this.root = el('section', { class: 'chart-card', 'data-chart': options.key, 'data-points': '0' }, el('h3', {}, options.title), this.plotEl, this.emptyEl);
    parent.appendChild(this.root);
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize(this.size());
    });
    this.resize.observe(this.plotEl);
  }

  /** Replaces the curves; `keepZoom` keeps the current x range when the user zoomed in. */
  setLines(lines: readonly ChartLine[]): void {
    this.lines = lines;
    let points = 0;
    for (const l of lines) for (const v of l.y) if (v !== null) points++;
    this.root.dataset['points'] = String(points);
    this.emptyEl.style.display = points === 0 ? '' : 'none';
    this.marks.list = lines.flatMap((l) => (l.nonFinite ?? []).map((m) => ({ ...m, color: l.color })));
    this.render();
  }

  /** Replaces the finding bands. */
  setBands(bands: readonly ChartBand[]): void {
    this.overlay.bands = bands;
    this.root.dataset['bands'] = String(bands.length);
    this.plot?.redraw(false, false);
  }

  /** Highlights one finding's band (null: none). */
  highlight(key: string | null): void {
    this.overlay.active = key;
    this.plot?.redraw(false, false);
  }

  /** Whether a band of this finding is on this chart. */
  hasBand(key: string): boolean {
    return this.overlay.bands.some((b) => b.key === key);
  }

  /** Changes display options (log scale, smoothing, x label) and redraws. */
  update(options: Partial<Pick<CurveChartOptions, 'logY' | 'smoothing' | 'xLabel'>>): void {
    const rebuild = (options.logY !== undefined && options.logY !== this.options.logY) || (options.xLabel !== undefined && options.xLabel !== this.options.xLabel);
    this.options = { ...this.options, ...options };
    if (rebuild) this.destroyPlot();
    this.zoomed = rebuild ? false : this.zoomed;
    this.render();
  }

  /** The current zoomed x range, or null. */
  get zoomRange(): { min: number; max: number } | null {
    const s = this.plot?.scales['x'];
    return this.zoomed && s && s.min !== undefined && s.max !== undefined ? { min: s.min, max: s.max } : null;
  }

  /** Removes the chart. */
  destroy(): void {
    this.resize.disconnect();
    this.destroyPlot();
    this.root.remove();
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.plotEl.clientWidth), height: this.options.height ?? 240 };
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
    this.seriesShape = '';
  }

  private data(): { data: uPlot.AlignedData; series: uPlot.Series[] } {
    const w = this.options.smoothing;
    const cols: Array<{ x: readonly number[]; y: ReadonlyArray<number | null> }> = [];
    const series: uPlot.Series[] = [{ label: this.options.xLabel, value: (_u, v) => (v === null || v === undefined ? '–' : fmtStep(v)) }];
    const fmt = (_u: uPlot, v: number | null): string => (v === null || v === undefined ? '–' : fmtNum(v));
    const logY = this.options.logY;
    const clean = (y: ReadonlyArray<number | null>): Array<number | null> => (logY ? y.map((v) => (v !== null && v <= 0 ? null : v)) : [...y]);
    for (const line of this.lines) {
      const smooth = w > 0 && line.smooth !== false;
      const dash = line.dash ? [...line.dash] : undefined;
      if (smooth) {
        cols.push({ x: line.x, y: clean(line.y) });
        series.push({ label: `${line.label} (raw)`, class: 'raw', stroke: line.color, width: 1, alpha: 0.25, spanGaps: false, points: { show: false }, value: fmt, ...(dash ? { dash } : {}) });
        cols.push({ x: line.x, y: clean(emaSmooth(line.y, w).map((v) => (v === undefined ? null : v))) });
        series.push({ label: line.label, stroke: line.color, width: 1.75, spanGaps: false, points: { show: false }, value: fmt, ...(dash ? { dash } : {}) });
      } else {
        cols.push({ x: line.x, y: clean(line.y) });
        series.push({ label: line.label, stroke: line.color, width: 1.5, spanGaps: false, points: { show: line.x.length <= 60 ? true : false, size: 4 }, value: fmt, ...(dash ? { dash } : {}) });
      }
    }
    const joined = joinXY(cols);
    return { data: [joined.x, ...joined.ys] as uPlot.AlignedData, series };
  }

  private render(): void {
    const { data, series } = this.data();
    const x = data[0] as number[];
    this.fullExtent = [x[0] ?? 0, x[x.length - 1] ?? 1];
    const shape = series.map((s) => `${String(s.label)}|${String(s.stroke)}|${s.width}`).join(';');
    if (this.plot && shape === this.seriesShape) {
      const range = this.zoomRange;
      this.settingData = true;
      try {
        this.plot.setData(data, range === null);
        if (range) this.plot.setScale('x', range);
      } finally {
        this.settingData = false;
      }
      return;
    }
    const range = this.zoomRange;
    this.destroyPlot();
    if (x.length === 0) return;
    this.seriesShape = shape;
    const opts: uPlot.Options = {
      ...this.size(),
      series,
      scales: {
        x: { time: false },
        y: {
          ...(this.options.logY ? { distr: 3 as const, log: 10 as const } : {}),
          ...(this.options.yRange ? { range: [this.options.yRange[0], this.options.yRange[1]] as uPlot.Range.MinMax } : {}),
        },
      },
      axes: [
        { label: this.options.xLabel, labelSize: 18, size: 36, stroke: '#555', grid: { stroke: '#eee' } },
        { size: 60, stroke: '#555', grid: { stroke: '#eee' }, values: (_u, splits) => splits.map((v) => fmtNum(v)) },
      ],
      legend: { show: this.options.legend !== false, live: true },
      cursor: { drag: { x: true, y: false, setScale: true } },
      plugins: [
        ...(this.options.reference ? [referenceBand(this.options.reference)] : []),
        nonFiniteMarkers(this.marks),
        findingOverlay(this.overlay),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 2) return;
            this.zoomed = true;
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            this.options.onZoom?.({ min, max });
          },
        ],
        setScale: [
          (u, key) => {
            if (key !== 'x' || this.settingData || !this.zoomed) return;
            const s = u.scales['x'];
            if (s && s.min !== undefined && s.max !== undefined && s.min <= this.fullExtent[0] && s.max >= this.fullExtent[1]) {
              this.zoomed = false;
              this.options.onZoom?.(null);
            }
          },
        ],
        draw: [
          () => {
            this.root.dataset['drawn'] = '1';
          },
        ],
      },
    };
    this.plot = new uPlot(opts, data, this.plotEl);
    if (range) {
      this.zoomed = true;
      this.settingData = true;
      try {
        this.plot.setScale('x', range);
      } finally {
        this.settingData = false;
      }
    }
  }
}
