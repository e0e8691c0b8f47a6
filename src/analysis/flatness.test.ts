import { describe, expect, it } from 'vitest';
import { curve } from '../test-support/runs.js';
import { flatness } from './flatness.js';

describe('flatness', () => {
  it('calls a noisy loss that goes nowhere flat', () => {
    expect(flatness(curve(500, () => 2.3, 0.3, 7))?.flat).toBe(true);
    expect(flatness(curve(500, () => 2.3, 0.3, 7))?.deadFlat).toBe(false);
  });
  it('calls a constant loss dead flat', () => {
    expect(flatness(Array.from({ length: 20 }, () => 3))).toMatchObject({ flat: true, deadFlat: true });
  });
  it('does not call a falling loss flat, however noisy', () => {
    expect(flatness(curve(1000, (i) => 2.3 * Math.exp(-i / 150) + 0.2, 0.3, 11))?.flat).toBe(false);
    expect(flatness([2.3, 1.5, 1.1, 0.9, 0.8])?.flat).toBe(false);
  });
  it('measures negative losses against their own level', () => {
    expect(flatness(curve(300, () => -2, 0.02, 3))?.flat).toBe(true);
    expect(flatness(curve(300, (i) => -2 + 1.5 * Math.exp(-i / 50), 0.05, 3))?.flat).toBe(false);
  });
  it('is null under 3 points', () => {
    expect(flatness([1, 1])).toBeNull();
  });
});
