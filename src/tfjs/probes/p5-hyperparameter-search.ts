/**
 * P5 small hyper-parameter search: a handful of short trials on copies of the model (same initial
 * weights), sampling the learning rate (log-uniform within 10x of yours, widened to cover
 * 1e-4..1e-1), batch size, weight decay (L2 on every kernel) and dropout rate (of the model's own
 * dropout layers). Every trial trains for the same number of epochs (10, or enough for ~50 steps of
 * your configuration, at most 50) and is scored by validation loss. Trial 1 is your configuration.
 * The results table and the best configuration go into the evidence.
 */
import { makeFinding } from '../../checks/check.js';
import { cloneModel } from './clone-model.js';
import type { Probe, TrainingSpec } from './probe.js';
import { compileProbe, deadline, disposeModel, disposeSplit, evaluateLoss, exampleCount, modelArtifacts, rebuildWith, rng, round, topologyLayers, trainEpochs, trainValSplit } from './probe-kit.js';

const META = { id: 'P5', title: 'Small hyper-parameter search' } as const;
const TRIALS = 6;
const MAX_EPOCHS = 10;
const BATCHES = [8, 16, 32, 64, 128];
const DECAYS = [0, 1e-5, 1e-4, 1e-3];
const DROPOUTS = [0, 0.1, 0.3, 0.5];
/** The best trial must beat yours by this factor (val loss) to call your configuration poor. */
const CLEARLY_BETTER = 0.7;

/** One trial's configuration. */
export interface TrialConfig {
  readonly learningRate: number;
  readonly batchSize: number;
  /** L2 strength put on every kernel; null = the model's own regularisation. */
  readonly weightDecay: number | null;
  /** Rate of every dropout layer; null = the model's own rates (or no dropout layers). */
  readonly dropout: number | null;
}

/** A trial's result. */
export interface TrialResult extends TrialConfig {
  readonly valLoss: number;
  readonly trainLoss: number;
  readonly epochs: number;
}

/**
 * Samples `count` configurations around `spec` with a seeded generator; the first is `spec` itself.
 * @example
 * sampleConfigs(spec, 6, 42, 96, true)
 */
export function sampleConfigs(spec: TrainingSpec, count: number, seed: number, trainRows: number, hasDropout: boolean): TrialConfig[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const batches = BATCHES.filter((b) => b <= Math.max(8, trainRows));
  // log-uniform over 10x around yours, widened to cover 1e-4..1e-1
  const lo = Math.log10(Math.min(spec.learningRate / 10, 1e-4));
  const hi = Math.log10(Math.max(spec.learningRate * 10, 1e-1));
  const configs: TrialConfig[] = [{ learningRate: spec.learningRate, batchSize: Math.min(spec.batchSize, trainRows), weightDecay: null, dropout: null }];
  for (let i = 1; i < count; i++) {
    configs.push({
      learningRate: Number((10 ** (lo + rand() * (hi - lo))).toPrecision(2)),
      batchSize: pick(batches),
      weightDecay: pick(DECAYS),
      dropout: hasDropout ? pick(DROPOUTS) : null,
    });
  }
  return configs;
}

function describeConfig(c: TrialConfig): string {
  return `lr=${c.learningRate} batch=${c.batchSize} weightDecay=${c.weightDecay ?? 'model'} dropout=${c.dropout ?? 'model'}`;
}

export const p5HyperparameterSearch: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'Runs a handful of short seeded random trials (learning rate, batch size, weight decay, dropout) on copies of the model, scored by validation loss; the results table and the best configuration are in the evidence, with a warning when the best clearly beats your configuration.',
  budgetMs: 10000,
  async run(ctx) {
    const clock = deadline(ctx);
    const split = trainValSplit(ctx.data, 0.2, ctx.seed);
    try {
      const topology = (await modelArtifacts(ctx.model)).modelTopology;
      const hasDropout = topologyLayers(topology).some((l) => /dropout/i.test(l.class_name));
      const trainRows = exampleCount(split.x);
      const configs = sampleConfigs(ctx.training, TRIALS, ctx.seed, trainRows, hasDropout);
      const results: TrialResult[] = [];
      // at least ~50 steps for your configuration: with few rows, 10 epochs are too few steps to compare
      const stepsPerEpoch = Math.ceil(trainRows / Math.max(1, configs[0]!.batchSize));
      let epochs = Math.min(50, Math.max(MAX_EPOCHS, Math.ceil(50 / stepsPerEpoch)));
      let initialValLoss = NaN;
      for (const [i, config] of configs.entries()) {
        if (clock.over()) break;
        const model =
          i === 0
            ? await cloneModel(ctx.model)
            : ((await rebuildWith(ctx.model, (l) => {
                let changed = false;
                if (config.weightDecay !== null && 'kernel_regularizer' in l.config) {
                  l.config['kernel_regularizer'] = config.weightDecay === 0 ? null : { class_name: 'L1L2', config: { l1: 0, l2: config.weightDecay } };
                  changed = true;
                }
                if (config.dropout !== null && /dropout/i.test(l.class_name) && typeof l.config['rate'] === 'number') {
                  l.config['rate'] = config.dropout;
                  changed = true;
                }
                return changed;
              })) ?? (await cloneModel(ctx.model)));
        try {
          const spec: TrainingSpec = { ...ctx.training, learningRate: config.learningRate, batchSize: config.batchSize };
          compileProbe(model, spec);
          if (i === 0) initialValLoss = evaluateLoss(model, split.xVal, split.yVal, spec).total;
          // the first trial sets the epoch count the others get, from its share of the budget
          const share = deadline({ budgetMs: i === 0 ? ctx.budgetMs / TRIALS : clock.left(), ...(ctx.signal ? { signal: ctx.signal } : {}) });
          const losses = await trainEpochs(model, split.x, split.y, { epochs, batchSize: config.batchSize, deadline: share, seed: ctx.seed });
          if (i === 0) epochs = Math.max(1, losses.length);
          if (losses.length < epochs && i > 0) break; // out of time: an incomplete trial is not comparable
          const val = evaluateLoss(model, split.xVal, split.yVal, spec).total;
          results.push({ ...config, valLoss: val, trainLoss: losses[losses.length - 1] ?? NaN, epochs: losses.length });
        } finally {
          disposeModel(model);
        }
        ctx.progress?.((i + 1) / configs.length);
      }
      if (results.length === 0) return [];
      const yours = results[0]!;
      const score = (r: TrialResult): number => (Number.isFinite(r.valLoss) ? r.valLoss : Infinity);
      const best = results.reduce((a, b) => (score(b) < score(a) ? b : a));
      const bestIndex = results.indexOf(best);
      const table = results.map((r, i) => `${i + 1}. ${describeConfig(r)} -> val ${round(r.valLoss, 4)} (train ${round(r.trainLoss, 4)})${i === 0 ? ' [yours]' : ''}${r === best ? ' [best]' : ''}`);
      const evidence = {
        trials: results.length,
        epochsPerTrial: epochs,
        valRows: exampleCount(split.xVal),
        validation: split.given ? 'given validation data' : 'a seeded random 20% of the training rows',
        learningRate: results.map((r) => r.learningRate),
        batchSize: results.map((r) => r.batchSize),
        weightDecay: results.map((r) => r.weightDecay ?? -1),
        dropout: results.map((r) => r.dropout ?? -1),
        valLoss: results.map((r) => round(r.valLoss)),
        trainLoss: results.map((r) => round(r.trainLoss)),
        table: table.join('; '),
        best: describeConfig(best),
        bestValLoss: round(best.valLoss),
        yourValLoss: round(yours.valLoss),
        valLossBeforeTraining: round(initialValLoss),
      };
      // clearly better: by a factor, and by at least 10% of the validation loss before training
      const clearly = bestIndex !== 0 && score(best) < CLEARLY_BETTER * score(yours) && (!Number.isFinite(initialValLoss) || score(yours) - score(best) > 0.1 * initialValLoss);
      return [
        makeFinding(META, {
          severity: clearly ? 'warning' : 'info',
          title: clearly ? 'A quick search beats your configuration clearly' : META.title,
          message: `${results.length} trials of ${epochs} epoch(s): best ${describeConfig(best)} with validation loss ${round(best.valLoss, 4)}; yours ${round(yours.valLoss, 4)}${clearly ? ` (more than ${Math.round((1 - CLEARLY_BETTER) * 100)}% worse)` : ''}. In the evidence, -1 in weightDecay/dropout means the model's own setting.`,
          evidence,
          actions: clearly
            ? [`train with ${describeConfig(best)} and confirm on a longer run`, 'widen the search around the best trial (these trials are short and few)']
            : ['your configuration is competitive in this quick search; tune further only with longer trials'],
        }),
      ];
    } finally {
      disposeSplit(split);
    }
  },
};
