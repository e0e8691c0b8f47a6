/**
 * Short run names for sweep tables: the fewest trailing path parts that still tell every run apart
 * (`version_3` rather than `examples/real-logs/lightning_forestcover/lightning_logs/version_3`).
 */
import { sep } from 'node:path';

/** Path parts: split at `/`, and at `\\` only where that is the separator (an escaped `\\x1b` stays whole). */
const parts = (id: string): string[] => id.split(sep === '\\' ? /[\\/]/ : '/').filter((p) => p.length > 0);

/**
 * Each id's shortest unique suffix of path parts (the whole id when nothing shorter is unique).
 * @example
 * shortNames(['logs/a/version_0', 'logs/a/version_1', 'other/version_0'])
 * // Map { 'logs/a/version_0' => 'a/version_0', 'logs/a/version_1' => 'version_1', 'other/version_0' => 'other/version_0' }
 */
export function shortNames(ids: readonly string[]): Map<string, string> {
  const split = ids.map(parts);
  const out = new Map<string, string>();
  const longest = Math.max(0, ...split.map((p) => p.length));
  let open = ids.map((_, i) => i);
  for (let k = 1; k <= longest && open.length > 0; k++) {
    const counts = new Map<string, number>();
    for (const p of split) {
      if (p.length < k) continue;
      const suffix = p.slice(-k).join('/');
      counts.set(suffix, (counts.get(suffix) ?? 0) + 1);
    }
    open = open.filter((i) => {
      const p = split[i] as string[];
      if (p.length < k) return true;
      const suffix = p.slice(-k).join('/');
      if (counts.get(suffix) !== 1) return true;
      out.set(ids[i] as string, suffix);
      return false;
    });
  }
  for (const i of open) out.set(ids[i] as string, ids[i] as string);
  return new Map(ids.map((id) => [id, out.get(id) ?? id]));
}

/**
 * The directory every id lies under (with a trailing `/`), or `''` when they share none.
 * @example
 * commonDir(['logs/a/version_0', 'logs/b/version_1']) // 'logs/'
 */
export function commonDir(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  const split = ids.map(parts);
  const first = split[0] as string[];
  let n = 0;
  // a run's own last part is its name, never the common directory
  const limit = Math.min(...split.map((p) => p.length - 1));
  while (n < limit && split.every((p) => p[n] === first[n])) n++;
  if (n === 0) return ids[0]?.startsWith('/') && ids.every((id) => id.startsWith('/')) ? '/' : '';
  const lead = (ids[0] as string).startsWith('/') ? '/' : '';
  return `${lead}${first.slice(0, n).join('/')}/`;
}
