/**
 * Colours: severities, series roles, a layer palette (input side blue to output side red) and the
 * heatmap's colour map.
 */
import type { Severity } from '../findings/finding.js';

/** Severity colours (also in app.css). */
export const SEVERITY_COLOR: Record<Severity, string> = { error: '#d64545', warning: '#d99a00', info: '#3b82f6' };

/** Series colours by role. */
export const ROLE_COLOR = { train: '#2563eb', val: '#ea580c', other: '#7c3aed' } as const;

/** Distinct colours for runs compared on one chart. */
export const RUN_PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

/**
 * The colour of layer `i` of `n` (input side blue, output side red).
 * @example
 * layerColor(0, 4) // 'hsl(220 70% 45%)'
 */
export function layerColor(i: number, n: number): string {
  const t = n <= 1 ? 0 : i / (n - 1);
  return `hsl(${Math.round(220 - 210 * t)} 70% 45%)`;
}

/** Viridis, 9 stops. */
const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/**
 * The colour map of heatmaps for t in [0, 1].
 * @example
 * viridis(1) // 'rgb(253,231,37)'
 */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i] as readonly [number, number, number];
  const b = VIRIDIS[i + 1] as readonly [number, number, number];
  const c = (k: 0 | 1 | 2): number => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${c(0)},${c(1)},${c(2)})`;
}
