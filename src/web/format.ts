/**
 * Number, step and time formatting for the dashboard.
 */
import type { NonFiniteName } from '../server/api-types.js';

/**
 * A number in at most 4 significant digits (exponent form for very small or large ones).
 * @example
 * fmtNum(0.000123456) // '1.235e-4'
 * fmtNum(12345.6)     // '1.235e+4'
 */
export function fmtNum(x: number | NonFiniteName | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (typeof x === 'string') return x === 'Infinity' ? '+∞' : x === '-Infinity' ? '−∞' : 'NaN';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '+∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

/**
 * A step (integer steps without decimals, epochs with up to 2).
 * @example
 * fmtStep(1200) // '1,200'
 */
export function fmtStep(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(2);
}

/**
 * How long ago a time (ms since the Unix epoch) was.
 * @example
 * fmtAgo(Date.now() - 5000) // '5 s ago'
 */
export function fmtAgo(ms: number, now = Date.now()): string {
  if (!(ms > 0)) return '–';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/**
 * A step range in words.
 * @example
 * fmtRange([3, 9], 'epoch') // 'epochs 3–9'
 */
export function fmtRange(steps: readonly [number, number] | null, unit: string): string {
  if (!steps) return '';
  const [a, b] = steps;
  return a === b ? `${unit} ${fmtStep(a)}` : `${unit}s ${fmtStep(a)}–${fmtStep(b)}`;
}
