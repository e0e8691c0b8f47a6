/**
 * The gradient-norm heatmap: one row per layer (input side at the top), one column per step bucket,
 * colour = log10 of the value (viridis), non-finite cells red. Findings about a layer are outlined on
 * its row over their steps; hovering a cell shows layer, step and value.
 */
import type { Severity } from '../findings/finding.js';
import type { NonFiniteName } from '../server/api-types.js';
import { fitCanvas, ticks } from './canvas.js';
import { SEVERITY_COLOR, viridis } from './colors.js';
import { el } from './dom.js';
import { fmtNum, fmtStep } from './format.js';

/** Rows of a heatmap on a common step grid. */
export interface HeatmapData {
  readonly steps: readonly number[];
  readonly rows: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<number | null | NonFiniteName> }>;
  readonly xLabel: string;
}

/** A finding on the heatmap: a layer row (or all rows) over a step range. */
export interface HeatmapMark {
  readonly key: string;
  readonly layer: string | null;
  readonly from: number;
  readonly to: number;
  readonly severity: Severity;
}

const LEFT_MAX = 180;
const BOTTOM = 34;
const RIGHT = 96;
const TOP = 6;

/**
 * A heatmap card.
 * @example
 * const hm = new Heatmap(parent, 'grad-norm', 'Gradient norm per layer');
 * hm.set({ steps, rows, xLabel: 'step' }, []);
 */
export class Heatmap {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private data: HeatmapData | null = null;
  private marks: readonly HeatmapMark[] = [];
  private active: string | null = null;
  private geometry = { left: 0, top: TOP, cellW: 1, rowH: 1, cols: 0, rows: 0 };
  private readonly resize: ResizeObserver;

  constructor(parent: HTMLElement, key: string, title: string) {
    this.canvas = el('canvas', { class: 'heatmap' });
    this.tip = el('div', { class: 'tip', role: 'status' });
    this.root = el('section', { class: 'chart-card', 'data-chart': key }, el('h3', {}, title), el('div', { class: 'canvas-wrap' }, this.canvas, this.tip));
    parent.appendChild(this.root);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => {
      this.tip.style.display = 'none';
    });
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.root);
  }

  /** Sets the data and the findings to outline. */
  set(data: HeatmapData, marks: readonly HeatmapMark[]): void {
    this.data = data;
    this.marks = marks;
    let cells = 0;
    for (const r of data.rows) for (const v of r.values) if (v !== null) cells++;
    this.root.dataset['points'] = String(cells);
    this.draw();
  }

  /** Outlines one finding more strongly (null: none). */
  highlight(key: string | null): void {
    this.active = key;
    this.draw();
  }

  /** Removes the card. */
  destroy(): void {
    this.resize.disconnect();
    this.root.remove();
  }

  private draw(): void {
    const data = this.data;
    if (!data) return;
    const width = Math.max(300, (this.canvas.parentElement?.clientWidth ?? 600) - 2);
    const rows = data.rows.length;
    const rowH = Math.max(8, Math.min(22, Math.floor(320 / Math.max(1, rows))));
    const height = TOP + rows * rowH + BOTTOM;
    const ctx = fitCanvas(this.canvas, width, height);
    ctx.font = '11px system-ui, sans-serif';
    const labelW = Math.min(LEFT_MAX, Math.max(40, ...data.rows.map((r) => ctx.measureText(r.name).width + 8)));
    const left = labelW;
    const plotW = width - left - RIGHT;
    const cols = data.steps.length;
    const cellW = plotW / Math.max(1, cols);
    this.geometry = { left, top: TOP, cellW, rowH, cols, rows };
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of data.rows) {
      for (const v of r.values) {
        if (typeof v === 'number' && v > 0) {
          const l = Math.log10(v);
          if (l < lo) lo = l;
          if (l > hi) hi = l;
        }
      }
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-9) hi = lo + 1;
    ctx.clearRect(0, 0, width, height);
    data.rows.forEach((r, ri) => {
      const y = TOP + ri * rowH;
      ctx.fillStyle = '#333';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      ctx.fillText(shorten(ctx, r.name, labelW - 8), left - 6, y + rowH / 2);
      r.values.forEach((v, ci) => {
        if (v === null) return;
        ctx.fillStyle = typeof v === 'string' ? '#d62728' : v > 0 ? viridis((Math.log10(v) - lo) / (hi - lo)) : '#222';
        ctx.fillRect(left + ci * cellW, y, Math.ceil(cellW), rowH - 1);
      });
    });
    // x axis
    const x0 = data.steps[0] ?? 0;
    const x1 = data.steps[cols - 1] ?? 1;
    const xPos = (s: number): number => left + (cols <= 1 ? plotW / 2 : ((s - x0) / (x1 - x0)) * (plotW - cellW) + cellW / 2);
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const axisY = TOP + rows * rowH + 4;
    for (const t of ticks(x0, x1, Math.max(2, Math.floor(plotW / 90)))) ctx.fillText(fmtStep(t), xPos(t), axisY);
    ctx.fillText(data.xLabel, left + plotW / 2, axisY + 14);
    // colour legend
    const lx = left + plotW + 14;
    const lh = Math.max(30, rows * rowH);
    for (let i = 0; i < lh; i++) {
      ctx.fillStyle = viridis(1 - i / lh);
      ctx.fillRect(lx, TOP + i, 10, 1);
    }
    ctx.fillStyle = '#555';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(fmtNum(10 ** hi), lx + 13, TOP);
    ctx.textBaseline = 'bottom';
    ctx.fillText(fmtNum(10 ** lo), lx + 13, TOP + lh);
    // findings
    for (const m of this.marks) {
      const ri = m.layer === null ? -1 : data.rows.findIndex((r) => r.name === m.layer);
      const y = ri < 0 ? TOP : TOP + ri * rowH;
      const h = ri < 0 ? rows * rowH : rowH;
      const a = Math.max(left, xPos(m.from) - cellW / 2);
      const b = Math.min(left + plotW, xPos(m.to) + cellW / 2);
      ctx.strokeStyle = SEVERITY_COLOR[m.severity];
      ctx.lineWidth = this.active === m.key ? 3 : 1.5;
      ctx.setLineDash(this.active === null || this.active === m.key ? [] : [3, 3]);
      ctx.strokeRect(a, y + 0.5, Math.max(3, b - a), h - 1);
    }
    ctx.setLineDash([]);
  }

  private hover(e: MouseEvent): void {
    const data = this.data;
    if (!data) return;
    const { left, top, cellW, rowH, cols, rows } = this.geometry;
    const rect = this.canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left - left) / cellW);
    const row = Math.floor((e.clientY - rect.top - top) / rowH);
    if (col < 0 || col >= cols || row < 0 || row >= rows) {
      this.tip.style.display = 'none';
      return;
    }
    const r = data.rows[row];
    const v = r?.values[col];
    this.tip.textContent = `${r?.name ?? ''} · ${data.xLabel} ${fmtStep(data.steps[col])} · ${fmtNum(v ?? null)}`;
    this.tip.style.display = 'block';
    this.tip.style.left = `${Math.min(e.clientX - rect.left + 12, rect.width - 220)}px`;
    this.tip.style.top = `${e.clientY - rect.top + 12}px`;
  }
}

function shorten(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let t = text;
  while (t.length > 3 && ctx.measureText(`…${t}`).width > max) t = t.slice(1);
  return `…${t}`;
}
