/**
 * The labeller's small shared vocabulary: label constructors, robust statistics and series access.
 * Internal to `src/corpus` (the labeller's rule files).
 */
import type { Run } from '../telemetry/run.js';
import type { CheckLabel } from './labels.js';

export const must = (onset: number, why: string): CheckLabel => ({ expect: 'must', onset, why });
export const mustNot = (why: string): CheckLabel => ({ expect: 'mustNot', onset: null, why });
export const either = (why: string): CheckLabel => ({ expect: 'either', onset: null, why });

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
export const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));

/** Series `tag` as [step, value] pairs in step order. */
export function points(run: Run, tag: string): { steps: number[]; values: number[] } {
  const s = run.scalars.get(tag);
  if (!s) return { steps: [], values: [] };
  const idx = s.steps.map((_, i) => i).sort((a, b) => (s.steps[a] as number) - (s.steps[b] as number));
  return { steps: idx.map((i) => s.steps[i] as number), values: idx.map((i) => s.values[i] as number) };
}

/** Per-layer tags with this prefix (`grad_norm/`), the part after it, in name order. */
export function layerTags(run: Run, prefix: string): string[] {
  return [...run.scalars.keys()].filter((t) => t.startsWith(prefix)).sort();
}
