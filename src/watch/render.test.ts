import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { findingJson, findingText, problemJson, resolvedJson, resolvedText, summaryText } from './render.js';

const finding: Finding = {
  check: 'C6', severity: 'error', title: 'Curve vanishes', message: 'train/loss is NaN from step 120 to the end.', tags: ['train/loss'], layer: null,
  steps: [120, 150], evidence: { firstNonFiniteStep: 120, value: NaN, ratio: 0.000123456 }, actions: ['lower the learning rate', 'check the inputs'],
};

describe('watch rendering', () => {
  it('writes a finding as text like the diagnose report, prefixed by its run', () => {
    expect(findingText({ run: 'logs/a', unit: 'step', finding }, false)).toBe(
      '[logs/a] ERROR C6 Curve vanishes (steps 120-150): train/loss is NaN from step 120 to the end.\n' +
        '    evidence: firstNonFiniteStep=120 value=NaN ratio=1.235e-4\n' +
        '    → lower the learning rate\n' +
        '    → check the inputs\n',
    );
    expect(findingText({ run: 'r', unit: 'epoch', finding: { ...finding, steps: [6, 6], layer: 'dense_1', evidence: {}, actions: [] } }, false)).toBe('[r] ERROR C6 Curve vanishes (epoch 6, layer dense_1): train/loss is NaN from step 120 to the end.\n');
  });

  it('writes a finding as one JSON line with the run, non-finite numbers as strings', () => {
    const line = findingJson({ run: 'logs/a', unit: 'step', finding });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ type: 'finding', run: 'logs/a', unit: 'step', ...finding, evidence: { firstNonFiniteStep: 120, value: 'NaN', ratio: 0.000123456 } });
    expect(JSON.parse(problemJson({ file: 'f', code: 'bad-crc', message: 'm' }))).toEqual({ type: 'problem', file: 'f', code: 'bad-crc', message: 'm' });
  });

  it('writes a resolved finding as one text line and as one JSON line', () => {
    const event = { run: 'logs/a', unit: 'step' as const, finding: { ...finding, severity: 'warning' as const, layer: 'dense_1' }, step: 900 };
    expect(resolvedText(event, false)).toBe('[logs/a] RESOLVED C6 Curve vanishes (layer dense_1): no longer found at step 900 (was warning: train/loss is NaN from step 120 to the end.)\n');
    expect(resolvedText({ ...event, step: null, unit: 'epoch' }, false)).toContain('no longer found (was warning');
    expect(JSON.parse(resolvedJson(event))).toMatchObject({ type: 'resolved', run: 'logs/a', unit: 'step', step: 900, check: 'C6', layer: 'dense_1', severity: 'warning', evidence: { value: 'NaN' } });
  });

  it('sums up a watch in one line, with the resolved findings when there were any', () => {
    expect(summaryText({ runs: 1, findings: { error: 1, warning: 2, info: 0 }, resolved: 0, problems: 0, elapsedMs: 12_400 })).toBe('nndoctor watch: 1 run · 1 error · 2 warnings · 0 info · 0 input problems (12 s)\n');
    expect(summaryText({ runs: 2, findings: { error: 0, warning: 1, info: 1 }, resolved: 1, problems: 1, elapsedMs: 1000 })).toBe('nndoctor watch: 2 runs · 0 errors · 1 warning · 1 info · 1 resolved · 1 input problem (1 s)\n');
  });
});
