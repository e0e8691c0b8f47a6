import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { FindingLog, RESOLVE_AFTER } from './finding-log.js';

const finding = (over: Partial<Finding> = {}): Finding => ({
  check: 'C2', severity: 'warning', title: 'Diverging', message: 'loss rises', tags: ['loss'], layer: null, steps: [10, 20], evidence: {}, actions: ['lower the lr'], ...over,
});

describe('FindingLog', () => {
  it('reports a finding once whatever steps it names later, and again when it escalates', () => {
    const log = new FindingLog();
    expect(log.isNew('a', finding())).toBe(true);
    expect(log.isNew('a', finding({ steps: [10, 90], message: 'loss rises more' }))).toBe(false);
    expect(log.isNew('a', finding({ severity: 'error' }))).toBe(true);
    expect(log.isNew('a', finding({ severity: 'warning' }))).toBe(false);
    expect(log.isNew('a', finding({ severity: 'error' }))).toBe(false);
  });

  it('tells findings apart by run, check, layer and tags', () => {
    const log = new FindingLog();
    expect(log.isNew('a', finding())).toBe(true);
    expect(log.isNew('b', finding())).toBe(true);
    expect(log.isNew('a', finding({ check: 'C6' }))).toBe(true);
    expect(log.isNew('a', finding({ layer: 'dense_1' }))).toBe(true);
    expect(log.isNew('a', finding({ tags: ['val_loss'] }))).toBe(true);
    expect(log.size).toBe(5);
  });

  it('forgets a finding so it can be reported again', () => {
    const log = new FindingLog();
    const stalled = finding({ check: 'STALLED', severity: 'info', tags: [] });
    expect(log.isNew('a', stalled)).toBe(true);
    log.forget('a', stalled);
    expect(log.isNew('a', stalled)).toBe(true);
  });

  it('resolves a finding the checks have not found for two passes in a row, and reports it again when it comes back', () => {
    const log = new FindingLog();
    const all = (): boolean => true;
    const c2 = finding();
    const c6 = finding({ check: 'C6', severity: 'error' });
    log.isNew('a', c2);
    log.isNew('a', c6);
    log.isNew('b', c2);
    expect(RESOLVE_AFTER).toBe(2);
    expect(log.settle('a', [c6], all)).toEqual([]); // one miss: not yet
    expect(log.settle('a', [c2, c6], all)).toEqual([]); // found again: the count starts over
    expect(log.settle('a', [c6], all)).toEqual([]);
    const later = finding({ steps: [10, 95] });
    log.isNew('a', later); // seen again with later steps: still not new, but remembered as last seen
    expect(log.settle('a', [c6], all)).toEqual([]);
    expect(log.settle('a', [c6], all)).toEqual([later]); // resolved, as last seen
    expect(log.settle('a', [], all)).toEqual([]);
    expect(log.settle('a', [], all)).toEqual([c6]);
    expect(log.size).toBe(1); // run b's finding stays
    expect(log.isNew('a', c2)).toBe(true); // it came back
  });

  it('does not count a pass that did not judge the check (end-of-run checks mid-run) as a miss', () => {
    const log = new FindingLog();
    const c4 = finding({ check: 'C4', severity: 'info' });
    log.isNew('a', c4);
    for (let i = 0; i < 5; i++) expect(log.settle('a', [], (check) => check !== 'C4')).toEqual([]);
    expect(log.settle('a', [], () => true)).toEqual([]);
    expect(log.settle('a', [], () => true)).toEqual([c4]);
  });
});
