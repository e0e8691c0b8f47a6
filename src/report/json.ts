/**
 * The JSON report (`version: 1`), stable and documented in the README. Non-finite numbers, which JSON
 * cannot carry, are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`.
 */
import type { Diagnosis } from '../diagnose/diagnose-paths.js';

/**
 * Serialises a diagnosis as pretty-printed JSON.
 * @example
 * process.stdout.write(renderJson(diagnosis));
 */
export function renderJson(diagnosis: Diagnosis): string {
  return `${JSON.stringify(diagnosis, replacer, 2)}\n`;
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
