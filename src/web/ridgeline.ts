/**
 * Histograms over time, TensorBoard's "offset" view: one filled density per snapshot, older ones
 * further back (higher up and lighter), the latest in front at the bottom, on a common value axis.
 */
import type { HistogramsPayload } from '../server/api-types.js';
import { fitCanvas, ticks } from './canvas.js';
import { el } from './dom.js';
import { fmtNum, fmtStep } from './format.js';

const LEFT = 12;
const RIGHT = 64;
const BOTTOM = 30;
const PEAK = 70;

/**
 * A ridgeline card.
 * @example
 * const r = new Ridgeline(parent);
 * r.set(await api.histograms(id, 'gradients/fc1', 40));
 */
export class Ridgeline {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private data: HistogramsPayload | null = null;
  private readonly resize: ResizeObserver;

  constructor(parent: HTMLElement, controls: HTMLElement) {
    this.canvas = el('canvas', { class: 'ridgeline' });
    this.caption = el('p', { class: 'caption' });
    this.root = el('section', { class: 'chart-card', 'data-chart': 'histograms' }, el('h3', {}, 'Histograms over time'), controls, el('div', { class: 'canvas-wrap' }, this.canvas), this.caption);
    parent.appendChild(this.root);
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.root);
  }

  /** Shows one histogram series. */
  set(data: HistogramsPayload): void {
    this.data = data;
    this.root.dataset['points'] = String(data.snapshots.length);
    this.caption.textContent = `${data.tag}: ${data.snapshots.length} of ${data.total} snapshots, ${data.unit}s ${fmtStep(data.snapshots[0]?.step)}–${fmtStep(data.snapshots.at(-1)?.step)} (latest in front)`;
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
    const n = data.snapshots.length;
    const width = Math.max(300, (this.canvas.parentElement?.clientWidth ?? 600) - 2);
    const offset = n <= 1 ? 0 : Math.max(4, Math.min(14, 260 / n));
    const height = PEAK + offset * Math.max(0, n - 1) + BOTTOM + 8;
    const ctx = fitCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    const plotW = width - LEFT - RIGHT;
    let maxCount = 0;
    for (const s of data.snapshots) for (const c of s.counts) if (c > maxCount) maxCount = c;
    if (maxCount <= 0) maxCount = 1;
    const binW = plotW / data.bins;
    data.snapshots.forEach((s, i) => {
      const base = 8 + PEAK + i * offset;
      const t = n <= 1 ? 1 : i / (n - 1);
      ctx.beginPath();
      ctx.moveTo(LEFT, base);
      s.counts.forEach((c, k) => ctx.lineTo(LEFT + (k + 0.5) * binW, base - (c / maxCount) * PEAK));
      ctx.lineTo(LEFT + plotW, base);
      ctx.closePath();
      ctx.fillStyle = `hsl(24 ${60 + 30 * t}% ${82 - 40 * t}%)`;
      ctx.fill();
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.lineWidth = 1;
      ctx.stroke();
      if (i === n - 1 || i === 0 || i % Math.max(1, Math.ceil(n / 8)) === 0) {
        ctx.fillStyle = '#666';
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.fillText(fmtStep(s.step), LEFT + plotW + 6, base - 2);
      }
    });
    const axisY = 8 + PEAK + offset * Math.max(0, n - 1) + 6;
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of ticks(data.lo, data.hi, Math.max(2, Math.floor(plotW / 90)))) {
      ctx.fillText(fmtNum(v), LEFT + ((v - data.lo) / (data.hi - data.lo)) * plotW, axisY);
    }
  }
}
