/**
 * The plan of the labelled corpus: which runs to train (fault x architecture x data size x seed) and
 * how they split into a tuning part and a test part that share neither seeds nor architectures.
 * Pure data; no tfjs.
 */
import type { HiddenLayerConfig, OptimizerConfig, TrainingConfig } from '../faults/config.js';
import { healthyConfig } from '../faults/config.js';
import { faults } from '../faults/index.js';

/** Which half of the corpus a run belongs to: thresholds are tuned on `tuning`, reported on `test`. */
export type CorpusSplit = 'tuning' | 'test';

/** Log formats a run is also exported to (besides its TensorBoard log directory). */
export type ExportFormat = 'lightning-csv' | 'keras-csv' | 'jsonl';

/** A named network shape (the fault builder only makes MLPs: see docs/quality.md). */
export interface Architecture {
  readonly id: string;
  readonly split: CorpusSplit;
  readonly hidden: readonly HiddenLayerConfig[];
  readonly optimizer: OptimizerConfig;
}

/** One run of the corpus. */
export interface PlannedRun {
  /** Directory name: `<split>-<arch>-<fault or healthy>-s<seed>`. */
  readonly id: string;
  readonly split: CorpusSplit;
  /** Fault id from the registry, `null` for a healthy baseline. */
  readonly fault: string | null;
  readonly arch: string;
  readonly dataset: 'mnist';
  readonly seed: number;
  /** The full training config (fault not yet applied). */
  readonly config: TrainingConfig;
  /** Extra copies of the run's scalars in these formats. */
  readonly exports: readonly ExportFormat[];
}

const dense = (units: number, activation: HiddenLayerConfig['activation']): HiddenLayerConfig => ({
  units,
  activation,
  kernelInitializer: activation === 'relu' ? 'heNormal' : 'glorotUniform',
  dropout: 0,
  trainable: true,
});

/** The architectures: two for tuning, two different ones for the test part. */
export const ARCHITECTURES: readonly Architecture[] = [
  { id: 'relu2x32-adam', split: 'tuning', hidden: [dense(32, 'relu'), dense(32, 'relu')], optimizer: { name: 'adam', learningRate: 1e-3 } },
  { id: 'tanh1x48-sgd', split: 'tuning', hidden: [dense(48, 'tanh')], optimizer: { name: 'sgd', learningRate: 0.1 } },
  { id: 'relu3x24-adam', split: 'test', hidden: [dense(24, 'relu'), dense(24, 'relu'), dense(24, 'relu')], optimizer: { name: 'adam', learningRate: 2e-3 } },
  { id: 'relu1x64-sgd', split: 'test', hidden: [dense(64, 'relu')], optimizer: { name: 'sgd', learningRate: 0.05 } },
];

/** Seeds per split (disjoint). */
export const SEEDS: Readonly<Record<CorpusSplit, readonly number[]>> = { tuning: [1, 2, 3], test: [11, 12, 13] };

/** Faults of the quick corpus (with the healthy baseline): one per kind of ground-truth rule. */
export const QUICK_FAULTS: readonly (string | null)[] = [null, 'log-zero-nan', 'lr-too-low', 'frozen-layers', 'zero-init'];

/** Options of {@link planCorpus}. */
export interface PlanOptions {
  /** A few very short runs (smoke tests, `npm run corpus -- --quick`). */
  readonly quick?: boolean;
  /** Only these fault ids (and healthy when `null` is listed); default all. */
  readonly faults?: readonly (string | null)[];
}

/**
 * The corpus plan. Full: every fault on every architecture with the split's first seed, plus
 * healthy baselines on every architecture with all three seeds; training-set size alternates
 * between 640 and 960 digits with the seed. Quick: one architecture per split, 4 epochs of 480 on five fault kinds.
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
    const seeds = SEEDS[arch.split];
    for (const fault of faultIds) {
      const runSeeds = fault === null ? (quick ? seeds.slice(0, 1) : seeds) : seeds.slice(0, 1);
      runSeeds.forEach((seed, k) => {
        const train = quick ? 480 : k % 2 === 0 ? 640 : 960;
        const epochs = quick ? 4 : train === 640 ? 8 : 6;
        const base = healthyConfig();
        const config: TrainingConfig = {
          ...base,
          data: { ...base.data, train, validation: quick ? 100 : 200 },
          model: { ...base.model, hidden: arch.hidden },
          optimizer: arch.optimizer,
          epochs,
          batchSize: 32,
          seed,
        };
        const id = `${arch.split}-${arch.id}-${fault ?? 'healthy'}-s${seed}`;
        out.push({ id, split: arch.split, fault, arch: arch.id, dataset: 'mnist', seed, config, exports: exportsFor(out.length) });
      });
    }
  }
  return out;
}

/** Every fourth run gets one extra export, cycling through the three formats. */
function exportsFor(index: number): ExportFormat[] {
  if (index % 4 !== 1) return [];
  const formats: ExportFormat[] = ['lightning-csv', 'keras-csv', 'jsonl'];
  return [formats[Math.floor(index / 4) % 3] as ExportFormat];
}
