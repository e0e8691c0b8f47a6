/**
 * Golden-file tests for the rendered reports (like Observable Plot's test/plots): the expected output
 * lives in __golden__/; run with UPDATE_GOLDEN=1 to rewrite it after an intended change, then review the diff.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

const roles = { trainLoss: 'loss', valLoss: 'val_loss', trainMetric: 'accuracy', valMetric: 'val_accuracy', lr: null, gradNorm: null, epoch: null };

const diagnosis: Diagnosis = {
  version: 1,
  runs: [
    {
      run: 'logs/healthy',
      files: ['logs/healthy/training.log'],
      format: 'keras-csv',
      lastStep: 19,
      unit: 'epoch',
      curves: roles,
      notes: [],
      findings: [
        {
          check: 'C9', severity: 'info', title: 'Unstable: too little data', message: 'loss has 6 points; C9 needs at least 8 to judge.', tags: ['loss'], layer: null, steps: null,
          evidence: { insufficientData: true, points: 6, needed: 8 }, actions: ['log more often'],
        },
      ],
    },
    {
      run: 'logs/broken',
      files: ['logs/broken/events.out.tfevents.1.host'],
      format: 'tensorboard',
      lastStep: 1200,
      unit: 'step',
      curves: { ...roles, lr: 'lr' },
      notes: ['loss: the log restarts at step 400; older points from there on were replaced by the newer ones (as TensorBoard does)'],
      findings: [
        {
          check: 'C6', severity: 'error', title: 'Curve vanishes', message: 'loss turns NaN at step 812 and stays non-finite.', tags: ['loss'], layer: null, steps: [812, 1200],
          evidence: { firstNonFiniteStep: 812, lastFinite: 3.1415926, value: NaN }, actions: ['lower the learning rate', 'add gradient clipping'],
        },
        {
          check: 'T3', severity: 'warning', title: 'Vanishing gradients', message: 'dense_1 gets 1.2e-7 of the gradient norm of dense_4 | ratio far below 1e-2.', tags: ['grad_norm/dense_1'], layer: 'dense_1', steps: [0, 800],
          evidence: { ratio: 1.234e-7, threshold: 0.01, norms: [1e-9, 2e-9, 3e-9, 4e-9, 5e-9, 6e-9, 7e-9] }, actions: ['use ReLU/He init'],
        },
      ],
    },
  ],
  problems: [{ file: 'logs/bad/events.out.tfevents.2.host', code: 'bad-crc', message: 'logs/bad/events.out.tfevents.2.host: payload CRC mismatch at byte 1024; skipped the record' }],
};

async function golden(name: string, actual: string): Promise<void> {
  const url = new URL(`./__golden__/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN']) await writeFile(url, actual);
  expect(actual).toBe(await readFile(url, 'utf8'));
}

describe('reports', () => {
  it('text, no colour', async () => golden('diagnosis.txt', renderText(diagnosis, { color: false })));
  it('text, quiet leaves out healthy runs and too-little-data notes', async () => golden('diagnosis-quiet.txt', renderText(diagnosis, { color: false, verbose: false })));
  it('markdown', async () => golden('diagnosis.md', renderMarkdown(diagnosis)));
  it('json keeps the documented shape and writes non-finite numbers as strings', async () => {
    const json = renderJson(diagnosis);
    await golden('diagnosis.json', json);
    const parsed = JSON.parse(json) as { version: number; runs: Array<{ findings: Array<{ evidence: Record<string, unknown> }> }> };
    expect(parsed.version).toBe(1);
    expect(parsed.runs[1]?.findings[0]?.evidence['value']).toBe('NaN');
  });
  it('colours only when asked', () => {
    expect(renderText(diagnosis, { color: false })).not.toContain('\u001b[');
    expect(renderText(diagnosis, { color: true })).toContain('\u001b[31m');
  });
  it('puts the worst run first', () => {
    const text = renderText(diagnosis, { color: false });
    expect(text.indexOf('logs/broken')).toBeLessThan(text.indexOf('logs/healthy'));
  });
});
