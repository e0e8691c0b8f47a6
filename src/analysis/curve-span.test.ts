import { describe, expect, it } from 'vitest';
import { LEVEL_MIN_STEPS, stepSpan, tooYoung } from './curve-span.js';

describe('curve span', () => {
  it('measures the steps a curve covers and calls short step-level curves too young, never epoch-level ones', () => {
    expect(stepSpan({ steps: [] })).toBe(0);
    expect(stepSpan({ steps: [5, 10, 104] })).toBe(100);
    expect(tooYoung({ unit: 'step', steps: [0, 98] })).toBe(true);
    expect(tooYoung({ unit: 'step', steps: [0, LEVEL_MIN_STEPS - 1] })).toBe(false);
    expect(tooYoung({ unit: 'epoch', steps: [0, 1, 2, 3, 4] })).toBe(false);
  });
});
