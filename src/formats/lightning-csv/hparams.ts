/**
 * The top-level scalars of a Lightning `hparams.yaml` (written by `save_hyperparameters` beside
 * `metrics.csv`). Only `key: value` lines at column 0 with a plain scalar value are read; nested
 * maps, lists, block scalars, tags and nulls are skipped, so no YAML library is needed.
 */
import { readFile, stat } from 'node:fs/promises';
import type { MetaValue } from '../../telemetry/run.js';

const MAX_BYTES = 1024 * 1024;
const ENTRY = /^([A-Za-z_][\w.\-/]*)\s*:(?:\s+(.*))?$/;
const INT_OR_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const YAML_SPECIAL: ReadonlyMap<string, number | boolean> = new Map<string, number | boolean>([
  ['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false],
  ['.inf', Infinity], ['+.inf', Infinity], ['-.inf', -Infinity], ['.nan', NaN], ['.NaN', NaN],
]);

/**
 * Parses the top-level scalar entries of a YAML document.
 * @example
 * topLevelScalars("learning_rate: 0.001\nhead: LinearHead\nmetrics:\n- accuracy\nprecision: '32'\n")
 * // [['learning_rate', 0.001], ['head', 'LinearHead'], ['precision', '32']]
 */
export function topLevelScalars(text: string): Array<[string, MetaValue]> {
  const out: Array<[string, MetaValue]> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const m = ENTRY.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    const value = scalar((m[2] ?? '').trim());
    if (value !== undefined) out.push([key, value]);
  }
  return out;
}

/**
 * Reads `hparams.yaml` at `path` if it exists and is small; returns no entries otherwise.
 * @example
 * for (const [k, v] of await readHparams('lightning_logs/version_0/hparams.yaml')) sink.meta(k, v);
 */
export async function readHparams(path: string): Promise<Array<[string, MetaValue]>> {
  try {
    if ((await stat(path)).size > MAX_BYTES) return [];
    return topLevelScalars(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}

/** One YAML plain or quoted scalar, or undefined when it is not a simple scalar. */
function scalar(text: string): MetaValue | undefined {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return undefined;
  const first = text[0] as string;
  if ('[{|>!&*'.includes(first) || (first === '-' && !/^-(\.?\d|\.inf)/.test(text))) return undefined;
  if (first === "'") {
    const end = text.lastIndexOf("'");
    return end > 0 ? text.slice(1, end).replace(/''/g, "'") : undefined;
  }
  if (first === '"') {
    try {
      return JSON.parse(text.slice(0, text.lastIndexOf('"') + 1)) as string;
    } catch {
      return undefined;
    }
  }
  const plain = text.replace(/\s+#.*$/, '');
  const special = YAML_SPECIAL.get(plain);
  if (special !== undefined) return special;
  if (INT_OR_FLOAT.test(plain)) return Number(plain);
  return plain;
}
