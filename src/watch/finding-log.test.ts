import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings/finding.js';
import { FindingLog } from './finding-log.js';

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
});
