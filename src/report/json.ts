/**
 * The JSON report (`version: 1`), stable and documented in the README. Non-finite numbers, which JSON
 * cannot carry, are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`. The `sweep`
 * object (counts, differing parameters, findings grouped by check with their parameter splits) comes
 * last, after `problems`: added fields keep `version: 1` readers working.
 */
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import { buildSweep } from '../sweep/sweep.js';

/**
 * Serialises a diagnosis as pretty-printed JSON, with its `sweep` summary.
 * @example
 * process.stdout.write(renderJson(diagnosis));
 */
export function renderJson(diagnosis: Diagnosis): string {
  return `${JSON.stringify({ ...diagnosis, sweep: buildSweep(diagnosis.runs, diagnosis.problems.length) }, replacer, 2)}\n`;
}

/**
 * The replacer used for every JSON nndoctor writes: non-finite numbers become strings.
 * @example
 * JSON.stringify({ x: NaN }, jsonReplacer) // '{"x":"NaN"}'
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

const replacer = jsonReplacer;
