import { describe, expect, it } from 'vitest';
import { checks } from './index.js';

describe('check registry', () => {
  it('is sorted by catalogue id with unique ids', () => {
    const ids = checks.map((c) => c.id);
    const key = (id: string): [string, number] => [id[0] ?? '', Number(id.slice(1))];
    const sorted = [...ids].sort((a, b) => key(a)[0].localeCompare(key(b)[0]) || key(a)[1] - key(b)[1]);
    expect(ids).toEqual(sorted);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers C1-C11 and T1-T10', () => {
    expect(checks.map((c) => c.id)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'T10']);
  });

  it.each(checks.map((c) => [c.id, c] as const))('%s has a title, a description and a kind', (_id, c) => {
    expect(c.title.length).toBeGreaterThan(3);
    expect(c.description.length).toBeGreaterThan(20);
    expect(['log', 'live']).toContain(c.kind);
  });
});
