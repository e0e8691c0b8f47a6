/**
 * Checks on real logs written by other people (examples/real-logs, copied byte-exact from public
 * repositories). Expectations come from reading the curves by hand: each entry says why.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../src/diagnose/diagnose-paths.js';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import type { Finding } from '../src/findings/finding.js';

const root = fileURLToPath(new URL('../examples/real-logs/', import.meta.url));
let diagnosis: Diagnosis;

beforeAll(async () => {
  diagnosis = await diagnosePaths([root]);
});

function findings(run: string): Finding[] {
  const r = diagnosis.runs.find((x) => x.run.slice(root.length) === run);
  if (!r) throw new Error(`no run ${run}; runs: ${diagnosis.runs.map((x) => x.run.slice(root.length)).join(', ')}`);
  return r.findings.filter((f) => f.evidence['insufficientData'] !== true);
}
const fired = (run: string, check: string, atLeast: 'warning' | 'error' = 'warning'): Finding | undefined =>
  findings(run).find((f) => f.check === check && (atLeast === 'warning' ? f.severity !== 'info' : f.severity === 'error'));

const lightning = (n: number): string => `lightning_forestcover/lightning_logs/version_${n}`;
const car = 'keras_csvlogger/BurakErguvn_Car-Prediction-CNN-Model/training.log';
const resnet = 'keras_csvlogger/Aditya24jar_Emotion-Detection-Resnet50/training.log';
const reuters = 'tf2_keras_reuters/mod1-reuters-1690485395';
const lora = 'hf_trainer_state/Tashu014_lora-imdb-distilbert';
const bert = 'hf_trainer_state/Francis-xsc_BERT_Weibo_Rumor';
const unet = (name: string): string => `pets_unet_deeplab/unet/runs/${name}`;
const deeplab = (name: string): string => `pets_unet_deeplab/deeplabv3_resnet101/runs/${name}`;

describe('real logs: must fire', () => {
  const cases: Array<[string, string, string]> = [
    [reuters, 'C3', 'val loss 0.814 at epoch 8 -> 0.879 while train loss fell 72%'],
    [car, 'C3', 'val loss stalls near 0.74 from epoch ~21 while train loss halves; gap 0.16 -> 0.45'],
    [deeplab('DeepLabV3ResNet_lr3e_4'), 'C3', 'test loss flat ~0.060 for >60% of the run while train loss fell ~30%'],
    [deeplab('DeepLabV3ResNet_lr4e_4'), 'C3', 'same pattern as lr3e_4'],
    [unet('UNet_lr2e_3'), 'C8', 'test IoU jitters 0.048 between evaluations, far above its trend (small test set)'],
    [lightning(0), 'C1', 'per-step train loss 0.90 -> 0.87 (3%) over the whole run, valid accuracy frozen at 0.574'],
    [lightning(2), 'C1', 'train loss 0.825 -> 0.80 (2.6%)'],
  ];
  it.each(cases)('%s gets %s (%s)', (run, check) => {
    expect(fired(run, check)).toBeDefined();
  });
});

describe('real logs: must not fire', () => {
  const cases: Array<[string, string, string]> = [
    // Was "must C10" under the old start-ratio rule (train loss ends at 76% of its start); by the labelling
    // rule of the hand-labelled real set, C10 needs a loss flat at the end, and this one is still falling
    // with its test IoU rising 0.60 -> 0.81.
    [unet('UNet_Adam_CE'), 'C10', 'train loss still falling at the end, test IoU rising: not underfitting'],
    [resnet, 'C3', 'one val-loss spike of 7.42 at epoch 1 then recovery: not overfitting (error)'],
    [lora, 'C3', 'only 3 evaluations'],
    [lightning(0), 'C7', 'per-step loss shows no epoch-periodic pattern'],
    [bert, 'C7', 'about one logged point per epoch: cannot show a within-epoch pattern'],
    [car, 'C8', 'val accuracy jitter 0.005, small against its trend'],
    [deeplab('DeepLabV3ResNet_lr2e_4'), 'C8', 'IoU jitter <= 0.004'],
    [reuters, 'C11', 'val loss up and val accuracy down together: that is C3, not a disagreement'],
    [car, 'C11', 'loss and accuracy move together'],
    [lora, 'T10', 'linear decay reaching ~0 only at the last step, by design'],
    [bert, 'T10', 'learning rate still 1.2% of peak at step 25500 of 25800'],
    [lora, 'T2', 'grad_norm fluctuates 0.75-3.9 with no trend'],
    [reuters, 'T8', 'kernel norms grow 1.65x, biases stay below 0.5'],
    [reuters, 'T9', 'every layer changes between epochs'],
    [reuters, 'T3', 'no gradient telemetry in this log'],
    [lora, 'C1', 'starts at ln 2 = 0.69 and halves'],
    [lightning(8), 'C1', 'train loss drops 13-43%'],
    [bert, 'C4', 'the last quarter makes only 3.8% of the total drop'],
    [car, 'C4', 'val loss turned flat: training longer will not help'],
    [lightning(8), 'C10', 'train loss ends at ~45% of its start'],
  ];
  it.each(cases)('%s does not get %s (%s)', (run, check) => {
    const f = check === 'C3' ? fired(run, check, 'error') : fired(run, check);
    expect(f, f?.message).toBeUndefined();
  });
});

describe('real logs: overall', () => {
  it.each([
    ['C2', 'no published run diverges (e.g. the Keras Emotion last-epoch uptick 0.951 -> 0.964 is noise)'],
    ['C5', 'no run has a long plateau before a late drop'],
    ['C6', 'no run turns NaN; curves that end a few steps before others (Lightning val at epoch end) do not vanish'],
    ['C9', 'none oscillates repeatedly at a large scale'],
  ])('no run gets %s at warning or above (%s)', (check) => {
    const hits = diagnosis.runs.filter((r) => r.findings.some((f) => f.check === check && f.severity !== 'info')).map((r) => r.run.slice(root.length));
    expect(hits).toEqual([]);
  });

  it('reads all 84 runs and raises no error-level finding on these (mostly healthy) published runs', () => {
    expect(diagnosis.runs).toHaveLength(84);
    const errors = diagnosis.runs.flatMap((r) => r.findings.filter((f) => f.severity === 'error').map((f) => `${r.run.slice(root.length)} ${f.check}: ${f.message}`));
    expect(errors).toEqual([]);
  });
});
