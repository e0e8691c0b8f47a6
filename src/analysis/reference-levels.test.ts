import { describe, expect, it } from 'vitest';
import { chanceForStart, chanceLevels, classesFromMeta, doubleSoftmaxFloor, parkedAt } from './reference-levels.js';

describe('reference levels', () => {
  it('reads the class count from metadata', () => {
    expect(classesFromMeta(new Map([['num_classes', 7]]))).toBe(7);
    expect(classesFromMeta(new Map([['model.num_labels', 3]]))).toBe(3);
    expect(classesFromMeta(new Map<string, string | number>([['output_dim', 7], ['loss', 'CrossEntropyLoss']]))).toBe(7);
  });
  it('ignores an output width when nothing says classification', () => {
    expect(classesFromMeta(new Map([['output_dim', 7]]))).toBeNull();
    expect(classesFromMeta(new Map<string, string | number>([['output_dim', 1], ['loss', 'MSELoss']]))).toBeNull();
  });
  it('finds the chance level a loss is parked at', () => {
    expect(parkedAt(2.31, chanceLevels(new Map()), 0.03)?.name).toBe('ln(10)');
    expect(parkedAt(0.69, chanceLevels(new Map()), 0.03)?.name).toBe('ln(2)');
    expect(parkedAt(0.87, chanceLevels(new Map()), 0.03)).toBeNull();
  });
  it('uses only the class count from metadata when there is one', () => {
    const refs = chanceLevels(new Map([['num_classes', 7]]));
    expect(parkedAt(1.95, refs, 0.03)).toMatchObject({ name: 'ln(7)', classes: 7, source: 'meta' });
    expect(parkedAt(1.1, refs, 0.03)).toBeNull();
  });
});

describe('chanceForStart', () => {
  it('is the highest chance level at or below the start', () => {
    expect(chanceForStart(3.2, chanceLevels(new Map()), 0.06)?.name).toBe('ln(10)');
    expect(chanceForStart(2.2, chanceLevels(new Map()), 0.06)?.name).toBe('ln(10)');
    expect(chanceForStart(2.0, chanceLevels(new Map()), 0.06)?.name).toBe('ln(5)');
    expect(chanceForStart(0.5, chanceLevels(new Map()), 0.06)).toBeNull();
    expect(chanceForStart(5, chanceLevels(new Map([['num_classes', 10]])), 0.06)?.name).toBe('ln(10)');
  });
});

describe('doubleSoftmaxFloor', () => {
  it('is ln(1 + (C-1)/e): 1.461 for 10 classes, 0.313 for binary', () => {
    expect(doubleSoftmaxFloor(10)).toBeCloseTo(1.4612, 4);
    expect(doubleSoftmaxFloor(2)).toBeCloseTo(0.3133, 4);
  });
});
