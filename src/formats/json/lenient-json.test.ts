import { describe, expect, it } from 'vitest';
import { jsonNumber, parseLenientJson } from './lenient-json.js';

describe('parseLenientJson', () => {
  it.each([
    ['{"a": 1}', { a: 1 }],
    ['{"loss": NaN, "g": -Infinity, "h": [Infinity]}', { loss: 'NaN', g: '-Infinity', h: ['Infinity'] }],
    ['{"text": "NaN and \\"Infinity\\"", "x": NaN}', { text: 'NaN and "Infinity"', x: 'NaN' }],
  ])('%s', (text, value) => {
    expect(parseLenientJson(text)).toEqual(value);
  });

  it('throws the strict parser error for non-JSON', () => {
    expect(() => parseLenientJson('{"a": NaNx}')).toThrow(SyntaxError);
    expect(() => parseLenientJson('nope')).toThrow(SyntaxError);
  });
});

describe('jsonNumber', () => {
  it.each([
    [0.5, 0.5], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
    ['0.5', undefined], [null, undefined], [true, undefined], [undefined, undefined],
  ])('%j -> %s', (value, number) => {
    expect(jsonNumber(value)).toEqual(number);
  });
});
