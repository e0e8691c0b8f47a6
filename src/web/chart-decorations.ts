/**
 * Canvas decorations of a chart: a reference band (the healthy range of a per-layer quantity, e.g.
 * activation std 0.5-2.0) drawn under the lines, and markers where a series had non-finite values
 * (NaN / ±Infinity) drawn at the top of the plot.
 */
import type uPlot from 'uplot';
import type { NonFiniteName } from '../server/api-types.js';

/** A healthy range on the y axis, with an optional reference line inside it. */
export interface ReferenceBand {
  readonly lo: number;
  readonly hi: number;
  readonly line?: number;
  readonly label: string;
}

/** Where a series had non-finite values, in the chart's x unit. */
export interface NonFiniteMark {
  readonly x: number;
  readonly value: NonFiniteName;
  readonly count: number;
  readonly color: string;
}

/**
 * A uPlot plugin shading `band` behind the series.
 * @example
 * plugins: [referenceBand({ lo: 0.5, hi: 2, label: 'healthy std 0.5–2' })]
 */
export function referenceBand(band: ReferenceBand): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: (u: uPlot) => {
        const { ctx, bbox } = u;
        const yHi = Math.max(bbox.top, u.valToPos(band.hi, 'y', true));
        const yLo = Math.min(bbox.top + bbox.height, u.valToPos(band.lo, 'y', true));
        ctx.save();
        if (yLo > yHi) {
          ctx.fillStyle = 'rgba(34, 160, 90, 0.10)';
          ctx.fillRect(bbox.left, yHi, bbox.width, yLo - yHi);
        }
        if (band.line !== undefined) {
          const y = u.valToPos(band.line, 'y', true);
          if (y >= bbox.top && y <= bbox.top + bbox.height) {
            ctx.strokeStyle = 'rgba(34, 140, 80, 0.8)';
            ctx.setLineDash([6, 4]);
            ctx.lineWidth = devicePixelRatio || 1;
            ctx.beginPath();
            ctx.moveTo(bbox.left, y);
            ctx.lineTo(bbox.left + bbox.width, y);
            ctx.stroke();
          }
        }
        ctx.fillStyle = 'rgba(20, 110, 60, 0.9)';
        ctx.textAlign = 'left';
        ctx.textBaseline = 'alphabetic';
        ctx.font = `${11 * (devicePixelRatio || 1)}px system-ui, sans-serif`;
        ctx.fillText(band.label, bbox.left + 6 * (devicePixelRatio || 1), Math.max(bbox.top + 12 * (devicePixelRatio || 1), yHi + 12 * (devicePixelRatio || 1)));
        ctx.restore();
      },
    },
  };
}

/**
 * A uPlot plugin drawing a small triangle at the top of the plot where values were non-finite.
 * @example
 * const marks = { list: [] as NonFiniteMark[] };
 * plugins: [nonFiniteMarkers(marks)]
 */
export function nonFiniteMarkers(marks: { list: readonly NonFiniteMark[] }): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        if (marks.list.length === 0) return;
        const { ctx, bbox } = u;
        const r = devicePixelRatio || 1;
        ctx.save();
        ctx.font = `bold ${10 * r}px system-ui, sans-serif`;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'alphabetic';
        let lastX = -Infinity;
        for (const m of marks.list) {
          const x = u.valToPos(m.x, 'x', true);
          if (x < bbox.left || x > bbox.left + bbox.width) continue;
          ctx.fillStyle = m.color;
          ctx.beginPath();
          ctx.moveTo(x - 5 * r, bbox.top);
          ctx.lineTo(x + 5 * r, bbox.top);
          ctx.lineTo(x, bbox.top + 8 * r);
          ctx.closePath();
          ctx.fill();
          if (x - lastX > 40 * r) {
            ctx.fillStyle = '#b91c1c';
            ctx.fillText(m.value === 'NaN' ? 'NaN' : m.value === 'Infinity' ? '+∞' : '−∞', x + 6 * r, bbox.top + 9 * r);
            lastX = x;
          }
        }
        ctx.restore();
      },
    },
  };
}
