import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Finding } from '../findings/finding.js';
import { findingText, problemText, statusText } from '../watch/render.js';
import { renderMarkdown } from './markdown.js';
import { printable } from './printable.js';
import { renderSweepMarkdown } from './sweep-markdown.js';
import { renderSweepText } from './sweep-text.js';
import { renderText } from './text.js';

/** Clear screen, set the window title, ring the bell, and a right-to-left override. */
const HOSTILE = 'loss\x1b[2J\x1b]0;pwned\x07\u202e';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const finding: Finding = {
  check: 'C6', severity: 'error', title: 'Curve vanishes', message: `${HOSTILE} is NaN from step 3`, tags: [HOSTILE], layer: HOSTILE,
  steps: [3, 4], evidence: { tag: HOSTILE, step: 3 }, actions: [`inspect ${HOSTILE}`],
};
const diagnosis: Diagnosis = {
  version: 1,
  runs: [{ run: `runs/${HOSTILE}`, files: [`runs/${HOSTILE}/metrics.csv`], format: 'lightning-csv', lastStep: 4, unit: 'step', curves: { trainLoss: HOSTILE, valLoss: null, trainMetric: null, valMetric: null, lr: null, gradNorm: null, epoch: null }, notes: [HOSTILE], findings: [finding], params: { [HOSTILE]: HOSTILE, lr: 0.1 }, lastLoss: { train: 1, val: null } }],
  problems: [{ file: HOSTILE, code: 'bad-value', message: `line 2: ${HOSTILE}` }],
};

/** Seven runs (a sweep) whose names, parameters, findings and problems carry control characters. */
const sweep: Diagnosis = {
  version: 1,
  runs: Array.from({ length: 7 }, (_, i) => ({
    ...(diagnosis.runs[0] as Diagnosis['runs'][number]),
    run: `runs/${HOSTILE}/${i}`,
    findings: i < 4 ? [finding] : [],
    params: { [HOSTILE]: i < 4 ? HOSTILE : 'calm', lr: i < 4 ? 0.1 : 0.001 },
  })),
  problems: diagnosis.problems,
};

describe('printable', () => {
  it('escapes control characters visibly and keeps tabs, newlines and other text', () => {
    expect(printable(HOSTILE)).toBe('loss\\x1b[2J\\x1b]0;pwned\\x07\\u202e');
    expect(printable('a\tb\nc é 日本')).toBe('a\tb\nc é 日本');
    expect(printable({ a: ['\x00', 1, NaN, null, true] })).toEqual({ a: ['\\x00', 1, NaN, null, true] });
  });

  it('leaves no control character from the input in the text, markdown and watch outputs', () => {
    const outputs = [
      renderText(diagnosis, { color: false }),
      renderMarkdown(diagnosis),
      renderSweepText(sweep, { color: false }),
      renderSweepText(sweep, { color: false, width: 40 }),
      renderSweepMarkdown(sweep),
      findingText({ run: HOSTILE, unit: 'step', finding }, false),
      problemText({ file: HOSTILE, code: 'bad-value', message: HOSTILE }),
      statusText({ run: HOSTILE, format: 'jsonl', step: 3, unit: 'step', trainLoss: { tag: HOSTILE, value: 1 }, valLoss: null, worst: finding, stalled: false }, 200),
    ];
    for (const out of outputs) {
      expect(out).not.toMatch(CONTROL);
      expect(out).toContain('\\x1b[2J');
    }
  });
});
