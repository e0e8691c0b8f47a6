/**
 * The labeller's small shared vocabulary: label constructors, series access, and the robust statistics
 * of `analysis/robust.ts` (plain statistics, no check).
 * Internal to `src/corpus` (the labeller's rule files).
 */
import type { Run } from '../telemetry/run.js';
import type { CheckLabel } from './labels.js';

export const must = (onset: number, why: string): CheckLabel => ({ expect: 'must', onset, why });
export const mustNot = (why: string): CheckLabel => ({ expect: 'mustNot', onset: null, why });
export const either = (why: string): CheckLabel => ({ expect: 'either', onset: null, why });

export { mean, median } from '../analysis/robust.js';
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
