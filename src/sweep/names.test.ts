import { describe, expect, it } from 'vitest';
import { commonDir, shortNames } from './names.js';

describe('shortNames', () => {
  it('keeps the fewest trailing path parts that tell runs apart', () => {
    const ids = ['ex/lightning/version_0', 'ex/lightning/version_1', 'ex/keras/a/training.log', 'ex/keras/b/training.log', 'ex/other/version_0'];
    expect([...shortNames(ids).values()]).toEqual(['lightning/version_0', 'version_1', 'a/training.log', 'b/training.log', 'other/version_0']);
  });
  it('falls back to the whole id when one id ends another', () => {
    expect(shortNames(['a/b', 'x/a/b'])).toEqual(new Map([['a/b', 'a/b'], ['x/a/b', 'x/a/b']]));
  });
});

describe('commonDir', () => {
  it('is the directory every run lies under, never a run itself', () => {
    expect(commonDir(['logs/a/version_0', 'logs/b/version_1'])).toBe('logs/');
    expect(commonDir(['/abs/logs/v0', '/abs/logs/v1'])).toBe('/abs/logs/');
    expect(commonDir(['logs/v0'])).toBe('logs/');
    expect(commonDir(['a/v0', 'b/v1'])).toBe('');
    expect(commonDir([])).toBe('');
  });
});
