/**
 * The plan of the labelled corpus: which runs to train (fault x architecture x data size x seed) and
 * how they split into a tuning part and a test part that share neither seeds nor architectures.
 * Pure data; no tfjs.
 */
import type { DatasetName, HiddenLayerConfig, LayerKind, OptimizerConfig, TrainingConfig } from '../faults/config.js';
import { healthyConfig } from '../faults/config.js';
import { faults } from '../faults/index.js';

/** Which half of the corpus a run belongs to: thresholds are tuned on `tuning`, reported on `test`. */
export type CorpusSplit = 'tuning' | 'test';

/** Log formats a run is also exported to (besides its TensorBoard log directory). */
export type ExportFormat = 'lightning-csv' | 'keras-csv' | 'jsonl';

/** A named network shape with its optimiser and main dataset. */
export interface Architecture {
  readonly id: string;
  readonly split: CorpusSplit;
  readonly hidden: readonly HiddenLayerConfig[];
  readonly optimizer: OptimizerConfig;
  /** Dataset of the fault runs and of every other healthy seed (the rest use the other dataset). */
  readonly dataset: DatasetName;
}

/** One run of the corpus. */
export interface PlannedRun {
  /** Directory name: `<split>-<arch>-<fault or healthy>-s<seed>`. */
  readonly id: string;
  readonly split: CorpusSplit;
  /** Fault id from the registry, `null` for a healthy baseline. */
  readonly fault: string | null;
  readonly arch: string;
  readonly dataset: DatasetName;
  readonly seed: number;
  /** The full training config (fault not yet applied). */
  readonly config: TrainingConfig;
  /** Extra copies of the run's scalars in these formats. */
  readonly exports: readonly ExportFormat[];
}

const layer = (kind: LayerKind, units: number, activation: HiddenLayerConfig['activation']): HiddenLayerConfig => ({
  ...(kind === 'dense' ? {} : { kind }),
  units,
  activation,
  kernelInitializer: activation === 'relu' ? 'heNormal' : 'glorotUniform',
  dropout: 0,
  trainable: true,
});

const dense = (units: number, activation: HiddenLayerConfig['activation']): HiddenLayerConfig => layer('dense', units, activation);

/** The architectures: an MLP pair, a small CNN and a small RNN for tuning; different ones for the test part. */
export const ARCHITECTURES: readonly Architecture[] = [
  { id: 'relu2x32-adam', split: 'tuning', hidden: [dense(32, 'relu'), dense(32, 'relu')], optimizer: { name: 'adam', learningRate: 1e-3 }, dataset: 'mnist' },
  { id: 'tanh1x48-sgd', split: 'tuning', hidden: [dense(48, 'tanh')], optimizer: { name: 'sgd', learningRate: 0.1 }, dataset: 'fashion-mnist' },
  { id: 'cnn8-relu32-adam', split: 'tuning', hidden: [layer('conv', 8, 'relu'), dense(32, 'relu')], optimizer: { name: 'adam', learningRate: 1e-3 }, dataset: 'fashion-mnist' },
  { id: 'rnn32-adam', split: 'tuning', hidden: [layer('rnn', 32, 'tanh')], optimizer: { name: 'adam', learningRate: 5e-3 }, dataset: 'mnist' },
  { id: 'relu3x24-adam', split: 'test', hidden: [dense(24, 'relu'), dense(24, 'relu'), dense(24, 'relu')], optimizer: { name: 'adam', learningRate: 2e-3 }, dataset: 'fashion-mnist' },
  { id: 'relu1x64-sgd', split: 'test', hidden: [dense(64, 'relu')], optimizer: { name: 'sgd', learningRate: 0.05 }, dataset: 'mnist' },
  { id: 'cnn4x8-relu24-adam', split: 'test', hidden: [layer('conv', 4, 'relu'), layer('conv', 8, 'relu'), dense(24, 'relu')], optimizer: { name: 'adam', learningRate: 2e-3 }, dataset: 'mnist' },
  { id: 'rnn24-sgd', split: 'test', hidden: [layer('rnn', 24, 'tanh')], optimizer: { name: 'sgd', learningRate: 0.1 }, dataset: 'fashion-mnist' },
];

/**
 * Seeds per split (disjoint). Most faults train with the first seed only; the healthy baselines and
 * {@link ALL_SEEDS_FAULTS} with all six, so a per-check precision of 0.9 is measured on more than a
 * handful of findings and silence on healthy runs on 24 of them per part.
 */
export const SEEDS: Readonly<Record<CorpusSplit, readonly number[]>> = { tuning: [1, 2, 3, 4, 5, 6], test: [11, 12, 13, 14, 15, 16] };

/**
 * Faults trained with every seed of the split, like the healthy baselines: their symptom (overfitting)
 * shows on some runs only, so one seed leaves too few positives to tune or score the check.
 */
export const ALL_SEEDS_FAULTS: readonly string[] = ['noisy-labels', 'small-train-set'];

/** Faults of the quick corpus (with the healthy baseline): one per kind of ground-truth rule. */
export const QUICK_FAULTS: readonly (string | null)[] = [null, 'log-zero-nan', 'lr-too-low', 'frozen-layers', 'zero-init'];

/** Options of {@link planCorpus}. */
export interface PlanOptions {
  /** A few very short runs (smoke tests, `npm run corpus -- --quick`). */
  readonly quick?: boolean;
  /** Only these fault ids (and healthy when `null` is listed); default all. */
  readonly faults?: readonly (string | null)[];
  /** Only this part of the corpus (default both). */
  readonly split?: CorpusSplit;
}

/**
 * The corpus plan. Full: every fault on every architecture with the split's first seed (on the
 * architecture's dataset; {@link ALL_SEEDS_FAULTS} with all six), plus healthy baselines on every
 * architecture with all six seeds;
 * training-set size alternates between 640 and 960 examples, and the dataset between the
 * architecture's and the other one, with the seed. Quick: one MLP per split, 4 epochs of 480 on five fault kinds.
 * @example
 * const runs = planCorpus();
 * runs.filter((r) => r.split === 'test').every((r) => r.seed >= 11) // true
 */
export function planCorpus(options: PlanOptions = {}): PlannedRun[] {
  const quick = options.quick === true;
  const faultIds: (string | null)[] = options.faults ? [...options.faults] : quick ? [...QUICK_FAULTS] : [null, ...faults.map((f) => f.id)];
  const out: PlannedRun[] = [];
  for (const arch of ARCHITECTURES) {
    if (quick && arch.id !== 'relu2x32-adam' && arch.id !== 'relu1x64-sgd') continue;
    if (options.split !== undefined && arch.split !== options.split) continue;
    const seeds = SEEDS[arch.split];
    for (const fault of faultIds) {
      const runSeeds = quick ? seeds.slice(0, 1) : fault === null || ALL_SEEDS_FAULTS.includes(fault) ? seeds : seeds.slice(0, 1);
      runSeeds.forEach((seed, k) => {
        const train = quick ? 480 : k % 2 === 0 ? 640 : 960;
        const epochs = quick ? 4 : train === 640 ? 8 : 6;
        const base = healthyConfig();
        const dataset: DatasetName = k % 2 === 0 ? arch.dataset : arch.dataset === 'mnist' ? 'fashion-mnist' : 'mnist';
        const config: TrainingConfig = {
          ...base,
          data: { ...base.data, dataset, train, validation: quick ? 100 : 200 },
          model: { ...base.model, hidden: arch.hidden },
          optimizer: arch.optimizer,
          epochs,
          batchSize: 32,
          seed,
        };
        const id = `${arch.split}-${arch.id}-${fault ?? 'healthy'}-s${seed}`;
        out.push({ id, split: arch.split, fault, arch: arch.id, dataset, seed, config, exports: exportsFor(id) });
      });
    }
  }
  return out;
}

/**
 * About one run in four gets one extra export, in one of the three formats: chosen from a hash of the
 * run id, so adding runs to the plan does not move the exports of the others.
 */
function exportsFor(id: string): ExportFormat[] {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  if (h % 4 !== 1) return [];
  const formats: ExportFormat[] = ['lightning-csv', 'keras-csv', 'jsonl'];
  return [formats[Math.floor(h / 4) % 3] as ExportFormat];
}
