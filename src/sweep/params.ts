/**
 * A run's hyper-parameters, taken from the metadata its reader found (`run.meta`): Lightning
 * `hparams.yaml`, MLflow `params/`, Hugging Face `trainer_state.json` settings, TensorBoard's hparams
 * plugin, JSON-lines `meta` lines, W&B config. Metadata that says something else than how the run was
 * trained is left out by one rule (see {@link isParamKey}):
 *
 * - `name`: the run's name, not a setting;
 * - keys starting with `_`: private by Python convention (pytorch_tabular's `_module_src`) and W&B's
 *   internal `_wandb`, `_step`, `_runtime`;
 * - keys namespaced by a tool, `mlflow.*`, `wandb.*`, `tensorboard.*`, `nndoctor.*`: a reader's
 *   bookkeeping (MLflow's `mlflow.status`);
 * - what a run measured or reached rather than what it was given: Hugging Face's `global_step` and
 *   run summaries (`train_runtime`, `total_flos`, `*_samples_per_second`, ...);
 * - what recorded the run rather than how it trained: `framework`, and the TF.js recorder's own
 *   sampling settings `every`, `histogramsEvery`.
 *
 * Values are kept as they were read (numbers, strings, booleans); text longer than
 * {@link MAX_PARAM_CHARS} is cut, and at most {@link MAX_PARAMS} are kept per run.
 */
import type { MetaValue } from '../telemetry/run.js';

/** A hyper-parameter value: plain JSON. */
export type ParamValue = string | number | boolean;
/** A run's hyper-parameters by name, in the order its reader found them. */
export type RunParams = Readonly<Record<string, ParamValue>>;

/** Text parameters longer than this are cut (with `...`): parameters are for reading and comparing. */
export const MAX_PARAM_CHARS = 200;
/** Parameters kept per run at most. */
export const MAX_PARAMS = 500;

/** Metadata keys that are never parameters. */
export const NOT_PARAM_KEYS: ReadonlySet<string> = new Set([
  'name',
  'framework',
  'every',
  'histogramsEvery',
  'global_step',
  'train_runtime',
  'train_samples_per_second',
  'train_steps_per_second',
  'total_flos',
  'eval_runtime',
  'eval_samples_per_second',
  'eval_steps_per_second',
]);

/** Prefixes of metadata keys that are never parameters. */
export const NOT_PARAM_PREFIXES: readonly string[] = ['_', 'mlflow.', 'wandb.', 'tensorboard.', 'nndoctor.'];

/**
 * Whether a metadata key names a hyper-parameter (the rule in this module's header).
 * @example
 * isParamKey('learning_rate') // true
 * isParamKey('mlflow.status') // false
 * isParamKey('_wandb')        // false
 */
export function isParamKey(key: string): boolean {
  if (key.length === 0 || NOT_PARAM_KEYS.has(key)) return false;
  return !NOT_PARAM_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * The hyper-parameters among a run's metadata.
 * @example
 * paramsFromMeta(new Map([['name', 'run-1'], ['lr', 0.01], ['mlflow.status', 'FINISHED']])) // { lr: 0.01 }
 */
export function paramsFromMeta(meta: ReadonlyMap<string, MetaValue>): RunParams {
  const out: Record<string, ParamValue> = {};
  let n = 0;
  for (const [key, value] of meta) {
    if (n >= MAX_PARAMS) break;
    if (!isParamKey(key)) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    out[key] = typeof value === 'string' && value.length > MAX_PARAM_CHARS ? `${value.slice(0, MAX_PARAM_CHARS - 3)}...` : value;
    n++;
  }
  return out;
}

/**
 * The parameters that differ between runs: present in at least two runs with at least two distinct
 * values among them. Ordered by how many runs have them (most first), then by name.
 * @example
 * differingParams([{ lr: 0.1, seed: 1 }, { lr: 0.01, seed: 1 }]) // ['lr']
 */
export function differingParams(params: readonly RunParams[]): string[] {
  const seen = new Map<string, { runs: number; values: Set<string> }>();
  for (const p of params) {
    for (const [k, v] of Object.entries(p)) {
      let s = seen.get(k);
      if (!s) {
        s = { runs: 0, values: new Set() };
        seen.set(k, s);
      }
      s.runs++;
      s.values.add(`${typeof v}:${String(v)}`);
    }
  }
  return [...seen.entries()]
    .filter(([, s]) => s.runs >= 2 && s.values.size >= 2)
    .sort((a, b) => b[1].runs - a[1].runs || a[0].localeCompare(b[0], 'en', { numeric: true }))
    .map(([k]) => k);
}
