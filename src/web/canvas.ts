/**
 * A canvas sized to its CSS box at the device pixel ratio, for the hand-drawn views (heatmap, ridgeline).
 */

/**
 * Resizes `canvas` to `width` x `height` CSS pixels and returns its context scaled so drawing uses CSS pixels.
 * @example
 * const ctx = fitCanvas(canvas, 600, 200);
 * ctx.fillRect(0, 0, 10, 10);
 */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const r = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * r);
  canvas.height = Math.round(height * r);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.setTransform(r, 0, 0, r, 0, 0);
  return ctx;
}

/**
 * About `count` round tick values between `lo` and `hi`.
 * @example
 * ticks(0, 1000, 5) // [0, 200, 400, 600, 800, 1000]
 */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
