/**
 * M12 regularisation sanity: raising a regulariser's strength must raise the training loss. For each
 * weight regulariser (L1/L2 in a layer config) and each dropout-like layer (a `rate` in its config),
 * a copy of the model with that one strength raised (L1/L2 x100, dropout rate 0.9) is compared with
 * an unchanged copy on the same batch: the loss the training step optimises (TF.js includes
 * regularisation penalties) must go up. If it does not, the regulariser is not wired in.
 */
import * as tf from '@tensorflow/tfjs';
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import type { Probe, TrainingSpec } from './probe.js';
import type { LayerJson } from './probe-kit.js';
import { breathe, compileProbe, deadline, disposeModel, exampleCount, modelArtifacts, rebuildWith, round, sliceRows, topologyLayers, unwrap } from './probe-kit.js';

const META = { id: 'M12', title: 'Regularisation sanity' } as const;
const PASSES = 12;

/** One strength to raise. */
interface Target {
  readonly layer: string;
  readonly what: string;
  readonly kind: 'weight' | 'dropout';
  readonly edit: (l: LayerJson) => boolean;
}

function regularizerKeys(config: Record<string, unknown>): string[] {
  return Object.keys(config).filter((k) => /_regularizer$|Regularizer$/.test(k) && config[k] !== null && typeof config[k] === 'object');
}

/** Raises the numeric strengths of a serialised regulariser (`{class_name, config: {l1, l2}}`) in place. */
function strengthen(reg: Record<string, unknown>): string {
  const config = (reg['config'] ?? {}) as Record<string, unknown>;
  reg['config'] = config;
  const numeric = Object.keys(config).filter((k) => typeof config[k] === 'number');
  const before = numeric.map((k) => `${k}=${config[k]}`).join(' ');
  const anyPositive = numeric.some((k) => (config[k] as number) > 0);
  for (const k of numeric) {
    const v = config[k] as number;
    if (v > 0) config[k] = v * 100;
  }
  if (!anyPositive) {
    const key = numeric.includes('l2') || numeric.length === 0 ? 'l2' : numeric[0]!;
    config[key] = 0.01;
  }
  const after = Object.keys(config).filter((k) => typeof config[k] === 'number').map((k) => `${k}=${config[k]}`).join(' ');
  return `${String(reg['class_name'] ?? 'regularizer')} ${before || '(no strength)'} -> ${after}`;
}

function findTargets(topology: unknown): Target[] {
  const targets: Target[] = [];
  for (const l of topologyLayers(topology)) {
    const name = String(l.config.name ?? '?');
    const keys = regularizerKeys(l.config);
    if (keys.length > 0) {
      targets.push({
        layer: name,
        what: keys.map((k) => `${k}: ${strengthen(structuredClone(l.config[k]) as Record<string, unknown>)}`).join('; '),
        kind: 'weight',
        edit: (e) => {
          if (e.config.name !== name) return false;
          for (const k of keys) strengthen(e.config[k] as Record<string, unknown>);
          return true;
        },
      });
    }
    const rate = l.config['rate'];
    if (typeof rate === 'number' && rate < 0.9) {
      targets.push({
        layer: name,
        what: `${l.class_name} rate ${rate} -> 0.9`,
        kind: 'dropout',
        edit: (e) => {
          if (e.config.name !== name) return false;
          e.config['rate'] = 0.9;
          return true;
        },
      });
    }
  }
  return targets;
}

/** Mean and standard error of the loss the training step reports, over `passes` steps at learning rate 0. */
async function trainingLoss(model: tf.LayersModel, spec: TrainingSpec, x: tf.Tensor[], y: tf.Tensor[], passes: number): Promise<{ mean: number; se: number }> {
  compileProbe(model, spec, { optimizer: 'sgd', learningRate: 0 });
  const values: number[] = [];
  for (let i = 0; i < passes; i++) {
    const v = await model.trainOnBatch(unwrap(x), unwrap(y));
    values.push(Array.isArray(v) ? (v[0] ?? NaN) : v);
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, se: sd / Math.sqrt(values.length) };
}

export const m12RegularisationSanity: Probe = {
  ...META,
  severity: 'warning',
  kind: 'probe',
  description:
    'For each L1/L2 regulariser and dropout-like layer, compares the training loss of a copy with that strength raised (L1/L2 x100, dropout 0.9) against an unchanged copy: if the loss does not rise, the regulariser is not wired in.',
  budgetMs: 2500,
  async run(ctx) {
    const clock = deadline(ctx);
    const artifacts = await modelArtifacts(ctx.model);
    const targets = findTargets(artifacts.modelTopology);
    if (targets.length === 0) return [];
    const rows = Math.min(exampleCount(ctx.data.x), 128);
    const x = sliceRows(ctx.data.x, 0, rows);
    const y = sliceRows(ctx.data.y, 0, rows);
    const findings: Finding[] = [];
    const checked: string[] = [];
    let base: tf.LayersModel | null = null;
    try {
      base = await rebuildWith(ctx.model, () => true);
      if (!base) return [];
      const baseLoss = await trainingLoss(base, ctx.training, x, y, PASSES);
      for (const [k, target] of targets.entries()) {
        if (clock.over()) break;
        let strong: tf.LayersModel | null = null;
        try {
          strong = await rebuildWith(ctx.model, target.edit);
          if (!strong) continue;
          const what = target.what;
          const strongLoss = await trainingLoss(strong, ctx.training, x, y, target.kind === 'weight' ? 1 : PASSES);
          const noise = target.kind === 'weight' ? 1e-6 * Math.abs(baseLoss.mean) + 1e-7 : 2 * Math.hypot(baseLoss.se, strongLoss.se) + 1e-6 * Math.abs(baseLoss.mean);
          const rise = strongLoss.mean - baseLoss.mean;
          checked.push(`${target.layer} (${what}): ${round(baseLoss.mean, 4)} -> ${round(strongLoss.mean, 4)}`);
          if (!(rise > noise)) {
            findings.push(
              makeFinding(META, {
                severity: 'warning',
                title: target.kind === 'weight' ? 'A weight regulariser has no effect on the loss' : 'Raising the dropout rate does not raise the loss',
                message: `raising ${target.kind === 'weight' ? 'the regularisation' : 'the dropout rate'} of ${target.layer} (${what}) changed the training loss by ${round(rise, 3)} (${round(baseLoss.mean, 4)} -> ${round(strongLoss.mean, 4)}); it should rise by more than ${round(noise, 3)}: this regulariser is not wired into the loss.`,
                layer: target.layer,
                evidence: { baseLoss: round(baseLoss.mean), raisedLoss: round(strongLoss.mean), rise: round(rise), minimumRise: round(noise), change: what, batch: rows },
                actions:
                  target.kind === 'weight'
                    ? ['check that the layer registers its regulariser (addWeight with the regularizer, or addLoss in a custom layer)', 'with a custom training loop, add model.losses (the regularisation penalties) to the loss you minimise']
                    : ['check that the dropout layer reads the `training` flag and is active during training', 'with a custom training loop, call the model with training: true'],
              }),
            );
          }
        } finally {
          disposeModel(strong);
        }
        ctx.progress?.((k + 1) / targets.length);
        await breathe();
      }
      return findings;
    } finally {
      disposeModel(base);
      tf.dispose([...x, ...y]);
    }
  },
};
