import { describe, expect, it } from 'vitest';
import { describeJsonError, jsonErrorAt, jsonErrorOffset } from './json-error.js';

const errorOf = (text: string): unknown => {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('jsonErrorOffset', () => {
  it('finds the offset of the first syntax error, or null for valid JSON', () => {
    expect(jsonErrorOffset('{"a": [1,]}')).toBe(9);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('{"a": "x\\"y", "b": [true, null, -1.5e3]}')).toBeNull();
  });
});

describe('jsonErrorAt', () => {
  it('gives the line and column from the position in the message, else from the scanner', () => {
    expect(jsonErrorAt('{\n "a": 1\n "b": 2}', errorOf('{\n "a": 1\n "b": 2}'))).toEqual({ line: 3, column: 2 });
    expect(jsonErrorAt('{"a": }', new Error('Unexpected token'))).toEqual({ line: 1, column: 7 });
    expect(jsonErrorAt('{"a": 1}', new Error('no position'))).toBeNull();
  });
});

describe('describeJsonError', () => {
  it.each([
    ['{\n "a": 1\n "b": 2}', /^line 3, column 2: /],
    ['{"a": }', /^column 7: Unexpected token/], // V8 gives no position for this one: the scanner does
    ['{"a": 1 "b"}', /^column 9: /],
    ['{"a": [', /^ends early after 7 characters/],
  ])('%j', (text, pattern) => {
    expect(describeJsonError(errorOf(text), text)).toMatch(pattern);
  });
});
