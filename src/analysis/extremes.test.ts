import { describe, expect, it } from 'vitest';
import { maxOf, minOf } from './extremes.js';

describe('minOf / maxOf', () => {
  it('agree with Math.min / Math.max on small lists, NaN and empty lists included', () => {
    for (const xs of [[3, 1, 2], [-1], [1, NaN, 0], [], [Infinity, -Infinity]]) {
      expect(minOf(xs)).toBe(Math.min(...xs));
      expect(maxOf(xs)).toBe(Math.max(...xs));
    }
  });
  it('take a million values, where the spread overflows the stack', () => {
    const xs = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    expect(() => Math.max(...xs)).toThrow(RangeError);
    expect(maxOf(xs)).toBe(xs.reduce((a, b) => (b > a ? b : a), -Infinity));
    expect(minOf(xs)).toBe(0);
  });
});
