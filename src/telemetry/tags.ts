/**
 * Tag conventions: which series of a run is the train loss, the validation loss, the metric, the
 * learning rate... Frameworks name them differently (`epoch_loss` under `train/`/`validation/`,
 * `train_loss`/`val_loss`, `loss`/`eval_loss`, `Loss/train`, `learning_rate`, `lr`, `grad_norm`);
 * we classify a tag by its words, so unseen but conventional names work too.
 */

/** What a scalar tag measures. */
export type TagKind = 'loss' | 'metric' | 'lr' | 'grad_norm' | 'epoch' | 'other';
/** Which data split a tag is about (`null`: not said). */
export type Split = 'train' | 'val' | 'test' | null;

/** The classification of one tag. */
export interface TagInfo {
  readonly kind: TagKind;
  readonly split: Split;
  /** `true` when the metric improves upward (accuracy), `false` for error-like metrics (mae). */
  readonly higherIsBetter: boolean;
  /** `step` for per-batch series (`batch_loss`, `train_loss_step`), `epoch` for per-epoch ones, else null. */
  readonly level: 'step' | 'epoch' | null;
}

const TRAIN = new Set(['train', 'training', 'tr', 'trn']);
const VAL = new Set(['val', 'valid', 'validation', 'eval', 'evaluation', 'dev']);
const TEST = new Set(['test', 'testing']);
const HIGHER = new Set([
  'acc', 'accuracy', 'f1', 'iou', 'miou', 'jaccard', 'auc', 'auroc', 'precision', 'recall', 'bleu',
  'rouge', 'dice', 'map', 'top1', 'top5', 'r2', 'score', 'matthews', 'mcc', 'kappa', 'pearson', 'spearman',
  'exact', 'em', 'ndcg', 'categorical', 'sparse',
]);
const LOWER = new Set(['mae', 'mse', 'rmse', 'error', 'err', 'perplexity', 'ppl', 'wer', 'cer', 'mape']);
const LR = new Set(['lr', 'learning', 'learningrate', 'learning_rate']);
/** Words that mark a tag as per-layer telemetry rather than a run-level curve. */
const LAYER_PREFIXES = ['gradients/', 'parameters/', 'activations/', 'weights/', 'grad_norm/', 'weight_norm/',
  'update_ratio/', 'act_mean/', 'act_std/', 'act_zero_frac/', 'act_sat_frac/', 'act_dead_frac/', 'grad_2.0_norm/', 'grad_2.0_norm_'];

/**
 * Splits a tag into lower-case words: `Loss/train_epoch` -> `['loss', 'train', 'epoch']`.
 * @example
 * tagWords('val/epoch_loss') // ['val', 'epoch', 'loss']
 */
export function tagWords(tag: string): string[] {
  const split = (s: string): string[] => s.toLowerCase().split(/[^a-z0-9.]+|(?<=[a-z])\.|\.(?=[a-z])/).filter((w) => w.length > 0);
  const plain = split(tag);
  const camel = split(tag.replace(/([a-z])([A-Z])/g, '$1 $2'));
  return [...plain, ...camel.filter((w) => !plain.includes(w))];
}

/**
 * Classifies a scalar tag by the words in it.
 * @example
 * classifyTag('validation/epoch_loss') // { kind: 'loss', split: 'val', level: 'epoch', ... }
 * classifyTag('train_accuracy').kind  // 'metric'
 */
export function classifyTag(tag: string): TagInfo {
  const lower = tag.toLowerCase();
  const words = tagWords(tag);
  const has = (set: Set<string>): boolean => words.some((w) => set.has(w));
  const split: Split = has(VAL) ? 'val' : has(TEST) ? 'test' : has(TRAIN) ? 'train' : null;
  const level = words.includes('step') || words.includes('batch') ? 'step' : words.includes('epoch') ? 'epoch' : null;
  const base = { split, level, higherIsBetter: true } as const;
  if (LAYER_PREFIXES.some((p) => lower.startsWith(p) || lower.includes(`/${p}`))) return { ...base, kind: 'other' };
  if (words.includes('loss') || words.includes('nll') || words.includes('objective')) return { ...base, kind: 'loss' };
  if (lower.includes('learning_rate') || lower.includes('learningrate') || has(LR) || /(^|[/_])lr($|[/_\-])/.test(lower)) {
    return { ...base, kind: 'lr' };
  }
  if (/(^|\/)grad(ient)?_?norm$/.test(lower) || lower === 'grad_norm') return { ...base, kind: 'grad_norm' };
  // `epoch`, and `train/epoch` as the Hugging Face W&B callback logs it (in train and eval rows alike).
  if (words.length === 1 && words[0] === 'epoch') return { ...base, kind: 'epoch' };
  if (/^(train|training)\/epoch$/.test(lower)) return { ...base, kind: 'epoch' };
  if (has(LOWER)) return { ...base, kind: 'metric', higherIsBetter: false };
  if (has(HIGHER)) return { ...base, kind: 'metric' };
  return { ...base, kind: 'other' };
}

/**
 * Whether `tag` names per-layer telemetry (`gradients/<layer>`, `grad_norm/<layer>`, ...).
 * @example
 * isLayerTag('gradients/fc1.weight') // true
 */
export function isLayerTag(tag: string): boolean {
  const lower = tag.toLowerCase();
  return LAYER_PREFIXES.some((p) => lower.startsWith(p) || lower.includes(`/${p}`));
}
