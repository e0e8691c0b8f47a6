import { describe, expect, it } from 'vitest';
import { curve, runFrom } from '../test-support/runs.js';
import { between, gte, ruleTable, runCheck } from '../test-support/rule-table.js';
import { c3Overfitting } from './c3-overfitting.js';

const EPOCHS = 30;
const valSteps = Array.from({ length: EPOCHS }, (_, e) => e * 100 + 99);
/** Per-step train loss (every 10 steps) falling from 2.3 toward `floor`. */
const train = (floor = 0.05, noise = 0.1) => {
  const steps = Array.from({ length: EPOCHS * 10 }, (_, i) => i * 10);
  return { steps, values: curve(steps.length, (i) => floor + 2.2 * Math.exp(-i / 60), noise, 3) };
};
const val = (f: (e: number) => number, noise = 0.02, seed = 5) => ({ steps: valSteps, values: curve(EPOCHS, f, noise, seed) });
const falling = (e: number) => 0.4 + 1.9 * Math.exp(-e / 6);
/** U-shaped val loss: minimum `min` at epoch 10, then rising by `rise` (relative) by the last epoch. */
const uShape = (min: number, rise: number) => (e: number) => (e <= 10 ? min + 1.5 * (1 - e / 10) ** 2 : min * (1 + (rise * (e - 10)) / (EPOCHS - 11)));

/** Per-step training loss of the corpus run tuning-relu2x32-adam-healthy-s1 (784-32-32-10 MLP, Adam, MNIST). */
const HEALTHY_MLP_LOSS = [2.25,2.23,2.25,2.17,2.3,2.09,2.19,2.09,2.04,2.05,2.01,1.9,1.88,2.04,1.98,2,1.81,1.87,1.7,1.7,1.7,1.69,1.66,1.56,1.58,1.77,1.41,1.58,1.48,1.46,1.43,1.36,1.25,1.53,1.18,1.4,1.23,1.25,1.33,1.22,1.19,1.08,0.983,1.1,1.17,1.09,0.885,0.795,0.88,0.871,0.935,0.928,0.937,0.837,0.891,0.883,1,0.802,0.915,0.98,1.01,0.863,0.636,0.577,0.77,0.728,0.645,0.522,0.682,0.754,0.432,0.442,0.837,0.745,0.492,0.589,0.681,0.547,0.713,0.636,0.315,0.54,0.557,0.523,0.546,0.49,0.383,0.631,0.713,0.383,0.526,0.658,0.388,0.525,0.423,0.293,0.37,0.622,0.507,0.542,0.511,0.409,0.614,0.466,0.438,0.615,0.533,0.365,0.252,0.224,0.472,0.294,0.494,0.465,0.206,0.433,0.395,0.31,0.282,0.319,0.401,0.258,0.243,0.285,0.22,0.431,0.213,0.342,0.329,0.513,0.243,0.526,0.441,0.188,0.311,0.334,0.387,0.57,0.165,0.17,0.181,0.207,0.238,0.209,0.285,0.262,0.348,0.365,0.298,0.268,0.3,0.214,0.333,0.383,0.214,0.247,0.372,0.323,0.271,0.153];

ruleTable(c3Overfitting, {
  valid: [
    { name: 'healthy: train and val both fall', run: runFrom({ 'train/loss': train(0.3), 'val/loss': val(falling) }) },
    { name: 'noisy val that still improves', run: runFrom({ 'train/loss': train(0.3), 'val/loss': val(falling, 0.12, 7) }) },
    {
      name: 'one-point val spike at epoch 0 (batch norm) is not overfitting',
      run: runFrom({ 'train/loss': train(0.3), 'val/loss': { steps: valSteps, values: val(falling).values.map((v, e) => (e === 0 ? 9.5 : v)) } }),
    },
    {
      name: 'a single bad last evaluation is not a rise',
      run: runFrom({ 'train/loss': train(0.3), 'val/loss': { steps: valSteps, values: val(falling).values.map((v, e) => (e === EPOCHS - 1 ? v * 1.5 : v)) } }),
    },
    { name: 'converged: both curves flat, gap constant', run: runFrom({ 'train/loss': { steps: valSteps, values: curve(EPOCHS, () => 0.45, 0.03, 2) }, 'val/loss': val(() => 0.55, 0.02) }) },
    {
      name: 'train (with dropout) falls to meet a flat val: no gap above val',
      run: runFrom({ 'train/loss': { steps: valSteps, values: curve(EPOCHS, (e) => 0.6 + 1.5 * Math.exp(-e / 4), 0.02, 2) }, 'val/loss': val((e) => 0.62 + 0.5 * Math.exp(-e / 2), 0.01) }),
    },
    { name: 'noisy flat val with flat train', run: runFrom({ 'train/loss': { steps: valSteps, values: curve(EPOCHS, () => 0.5, 0.05, 2) }, 'val/loss': val(() => 0.6, 0.1, 9) }) },
    {
      // 8 evaluations, val within its noise of the minimum for the last 3 while train keeps falling: a curve still settling (corpus run tuning-relu2x32-adam-healthy-s1).
      name: 'a short val curve flat for its last 3 of 8 evaluations is no stall',
      run: runFrom({
        'train/loss': { steps: Array.from({ length: 160 }, (_, i) => i), values: HEALTHY_MLP_LOSS },
        'val/loss': { steps: [19, 39, 59, 79, 99, 119, 139, 159], values: [1.77, 1.24, 0.893, 0.681, 0.593, 0.557, 0.553, 0.561] },
      }),
    },
    { name: 'too few evaluations (info only)', run: runFrom({ 'train/loss': train(), 'val/loss': { steps: [999, 1999, 2999], values: [0.5, 0.4, 0.6] } }) },
    {
      // en-jv LSTM+attention (Keras CSVLogger, 63 epochs): val flattens near 0.80 but keeps creeping down to its minimum at epoch 55
      // while train falls 26% and the gap grows 0.45 -> 0.54: a large, stable gap with val at its minimum, not a stall.
      name: 'val still creeping down to its minimum beside a falling train loss is no stall',
      run: runFrom(
        {
          loss: [1.93, 1.34, 1.21, 1.11, 1.02, 0.932, 0.865, 0.806, 0.761, 0.719, 0.684, 0.652, 0.625, 0.6, 0.583, 0.56, 0.542, 0.525, 0.517, 0.496, 0.484, 0.473, 0.462, 0.423, 0.406, 0.394, 0.385, 0.379, 0.373, 0.365, 0.358, 0.34, 0.331, 0.329, 0.323, 0.319, 0.314, 0.314, 0.306, 0.303, 0.296, 0.297, 0.295, 0.291, 0.292, 0.291, 0.288, 0.285, 0.284, 0.284, 0.281, 0.278, 0.278, 0.276, 0.272, 0.27, 0.269, 0.266, 0.267, 0.266, 0.266, 0.264, 0.265],
          val_loss: [1.42, 1.27, 1.18, 1.11, 1.05, 0.985, 0.946, 0.922, 0.886, 0.877, 0.867, 0.846, 0.839, 0.849, 0.831, 0.83, 0.829, 0.827, 0.827, 0.819, 0.828, 0.824, 0.835, 0.817, 0.811, 0.813, 0.819, 0.81, 0.811, 0.816, 0.815, 0.808, 0.809, 0.811, 0.806, 0.811, 0.81, 0.81, 0.809, 0.807, 0.806, 0.807, 0.806, 0.805, 0.805, 0.804, 0.804, 0.806, 0.804, 0.805, 0.802, 0.803, 0.804, 0.803, 0.803, 0.802, 0.803, 0.805, 0.804, 0.803, 0.803, 0.803, 0.803],
        },
        { unit: 'epoch' },
      ),
    },
    {
      // Whisper fine-tune (HF trainer_state, resumed at step 800): eval loss flat near 0.35 for its last 17 of 40 evaluations
      // while the noisy train loss falls 37%, but the smoothed minimum is at the last evaluation: val at its best at the end.
      name: 'val flat but at its smoothed minimum at the end beside a falling train loss is no stall',
      run: runFrom({
        loss: {
          steps: Array.from({ length: 80 }, (_, i) => 25 * i + 25),
          values: [0.2689, 0.5731, 0.4585, 0.5744, 0.4376, 0.975, 0.4933, 0.726, 0.6708, 0.5116, 0.6633, 0.6526, 0.556, 0.5636, 0.511, 0.4791, 0.4197, 0.4379, 0.4445, 0.3989, 0.3648, 0.3508, 0.4157, 0.3665, 0.4041, 0.4503, 0.3403, 0.3708, 0.4042, 0.4066, 0.5615, 0.4388, 0.3431, 0.305, 0.2937, 0.3851, 0.3175, 0.3274, 0.4, 0.3384, 0.3956, 0.3405, 0.3734, 0.3755, 0.4597, 0.3167, 0.3016, 0.368, 0.257, 0.4046, 0.2848, 0.264, 0.2791, 0.2637, 0.3065, 0.3299, 0.2523, 0.2616, 0.3335, 0.2736, 0.2472, 0.3574, 0.282, 0.2475, 0.2921, 0.1959, 0.2339, 0.2264, 0.2962, 0.2236, 0.2527, 0.3266, 0.229, 0.2462, 0.2306, 0.2194, 0.2213, 0.263, 0.251, 0.2053],
        },
        eval_loss: {
          steps: Array.from({ length: 40 }, (_, i) => 50 * i + 50),
          values: [0.5736, 0.5292, 0.4811, 0.4563, 0.4526, 0.4209, 0.4102, 0.4058, 0.4089, 0.395, 0.4029, 0.4058, 0.3827, 0.3747, 0.3617, 0.3541, 0.3834, 0.3684, 0.3632, 0.3673, 0.3671, 0.3538, 0.3607, 0.3449, 0.3505, 0.352, 0.358, 0.3421, 0.3522, 0.3414, 0.3491, 0.3488, 0.3529, 0.3563, 0.3494, 0.3478, 0.3562, 0.3548, 0.3473, 0.3422],
        },
      }),
    },
  ],
  invalid: [
    {
      name: 'val turns up 15% after epoch 10 while train keeps falling',
      run: runFrom({ 'train/loss': train(), 'val/loss': val(uShape(0.5, 0.15), 0.01) }),
      findings: [
        {
          severity: 'warning',
          steps: (s) => s !== null && s[0] >= 899 && s[0] <= 1299 && s[1] === 2999,
          message: /rose .* best checkpoint: step/i,
          evidence: { pattern: 'rose', bestStep: between(899, 1299), valRiseRelative: between(0.1, 0.2), riseWarnThreshold: 0.05, trainFallRelative: gte(0.05) },
        },
      ],
    },
    {
      name: 'val rises 60% above its minimum: error',
      run: runFrom({ 'train/loss': train(0.02), 'val/loss': val(uShape(0.5, 0.6), 0.01) }),
      findings: [{ severity: 'error', evidence: { pattern: 'rose', valRiseRelative: gte(0.25), riseErrorThreshold: 0.25 } }],
    },
    {
      // The best evaluations lie mid-plateau (a 1.5% dip around epoch 15): val's best is behind it, not at the end.
      name: 'val stalls for 2/3 of the run while train halves (gap widens)',
      run: runFrom({ 'train/loss': train(0.02, 0.05), 'val/loss': val((e) => (e < 10 ? 0.7 + 1.5 * (1 - e / 10) ** 2 : 0.7 - 0.0105 * Math.exp(-(((e - 15) / 3) ** 2))), 0.01) }),
      findings: [{ severity: 'warning', message: /stalled/, evidence: { pattern: 'stalled', stallShare: gte(0.35), trainFallRelative: gte(0.2) } }],
    },
    {
      name: 'non-finite val points are skipped',
      run: runFrom({ 'train/loss': train(), 'val/loss': { steps: valSteps, values: val(uShape(0.5, 0.15), 0.01).values.map((v, e) => (e === 20 ? NaN : v)) } }),
      findings: [{ severity: 'warning', evidence: { pattern: 'rose' } }],
    },
    {
      name: 'epoch-level curves (Keras CSV) work the same',
      run: runFrom({ loss: curve(EPOCHS, (e) => 0.1 + 1.5 * Math.exp(-e / 5), 0.01, 4), val_loss: curve(EPOCHS, uShape(0.6, 0.3), 0.01, 4) }, { unit: 'epoch' }),
      findings: [{ severity: 'error', steps: (s) => s !== null && s[1] === EPOCHS - 1 }],
    },
  ],
});

describe('C3 without validation', () => {
  it('returns no finding at all', () => {
    expect(runCheck(c3Overfitting, { name: 'train only', run: runFrom({ 'train/loss': train() }) })).toEqual([]);
  });
  it('says too little data for 3 evaluations', () => {
    const f = runCheck(c3Overfitting, { name: 'short', run: runFrom({ 'train/loss': train(), 'val/loss': { steps: [999, 1999, 2999], values: [0.5, 0.4, 0.6] } }) });
    expect(f.map((x) => [x.severity, x.evidence.insufficientData])).toEqual([['info', true]]);
  });
});
