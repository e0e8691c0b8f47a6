/**
 * The hand-labelled real runs (`../shared/data/real-labelled/labels.json`): their schema, the format
 * families the quality table is split by, and the split by source repository (tune on one part, report
 * on the other) read from the set's README.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One `must` item: the check (or any of `anyOf`), on `layer` when given. */
export interface MustItem {
  readonly check: string;
  readonly anyOf?: readonly string[];
  readonly layer?: string;
  readonly atStep?: number | null;
  readonly note?: string;
}

/** One labelled run, as in the set's `labels.json`. */
export interface RealLabel {
  /** File or run directory, relative to the set's root. */
  readonly path: string;
  readonly format: string;
  readonly must: readonly MustItem[];
  readonly mustNot: readonly string[];
  readonly unsure: readonly string[];
  readonly note?: string;
}

/** A label with where it came from. */
export interface PlacedLabel extends RealLabel {
  /** `owner/name` of the public repository the files were copied from (from the README), or the folder. */
  readonly repo: string;
  readonly family: FormatFamily;
  readonly part: RealPart;
}

/** The format families the targets are stated for. */
export type FormatFamily = 'Lightning CSV' | 'plain CSV' | 'TensorBoard' | 'HF' | 'Keras' | 'MLflow' | 'W&B';

/** `tuning`: repositories thresholds may be looked at on; `holdout`: the rest, scored only. */
export type RealPart = 'tuning' | 'holdout';

const FAMILY: Readonly<Record<string, FormatFamily>> = {
  'lightning-csv': 'Lightning CSV',
  csv: 'plain CSV',
  tfevents: 'TensorBoard',
  'hf-trainer-state': 'HF',
  'keras-csv': 'Keras',
  'keras-history-json': 'Keras',
  'wandb-history-jsonl': 'W&B',
  mlflow: 'MLflow',
  wandb: 'W&B',
};

/**
 * The format family of a label's `format`.
 * @example
 * formatFamily('keras-history-json') // 'Keras'
 */
export function formatFamily(format: string): FormatFamily {
  return FAMILY[format] ?? 'plain CSV';
}

/**
 * FNV-1a of the repository name: the part of a repository does not depend on the order of the set,
 * on its size or on anything measured, so adding runs never moves a repository between parts.
 * @example
 * partOf('BesT1CooKie1/nn_oedometer') // 'tuning' or 'holdout', always the same
 */
export function partOf(repo: string): RealPart {
  let h = 0x811c9dc5;
  for (const ch of repo.toLowerCase()) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 2 === 0 ? 'tuning' : 'holdout';
}

/**
 * Folder -> repository, from the README's sources table (`| \`folder\` | owner/name @ commit ... |`).
 * Several folders can come from one repository (two commits of it): they fall in the same part.
 */
export function repositoriesOf(readme: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readme.split('\n')) {
    const m = /^\|\s*`?([^`|\s]+)`?\s*\|\s*([\w.-]+\/[\w.-]+)\s*@/.exec(line);
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

/**
 * Reads `labels.json` of a labelled set and places every label in its repository, family and part.
 * @example
 * const labels = await readRealLabels('../shared/data/real-labelled');
 */
export async function readRealLabels(root: string): Promise<PlacedLabel[]> {
  const own = await readLabelFolder(root, '');
  // Sub-sets with their own labels.json and README (the W&B run directories), paths relative to them.
  const sub: PlacedLabel[] = [];
  for (const folder of SUBSETS) {
    try {
      sub.push(...(await readLabelFolder(join(root, folder), `${folder}/`)));
    } catch {
      // Not there: the set has no such part.
    }
  }
  return [...own, ...sub];
}

/** Folders of a labelled set that hold a labelled part of their own. */
const SUBSETS = ['wandb'];

async function readLabelFolder(dir: string, prefix: string): Promise<PlacedLabel[]> {
  const labels = JSON.parse(await readFile(join(dir, 'labels.json'), 'utf8')) as RealLabel[];
  let readme = '';
  try {
    readme = await readFile(join(dir, 'README.md'), 'utf8');
  } catch {
    // Without a README every folder is its own repository.
  }
  const repos = repositoriesOf(readme);
  return labels.map((raw) => {
    const l = { ...raw, path: prefix + raw.path };
    const local = raw.path;
    const folder = [...repos.keys()].filter((f) => local === f || local.startsWith(`${f}/`)).sort((a, b) => b.length - a.length)[0];
    const repo = folder !== undefined ? (repos.get(folder) as string) : local.split('/').slice(0, 2).join('/');
    return { ...l, mustNot: l.mustNot ?? [], unsure: l.unsure ?? [], must: l.must ?? [], repo, family: formatFamily(l.format), part: partOf(repo) };
  });
}
