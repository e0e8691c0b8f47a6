import { describe, expect, it } from 'vitest';
import { parseTarget } from './request-target.js';

describe('parseTarget', () => {
  it('splits and decodes ordinary targets', () => {
    const t = parseTarget('/api/runs/0123456789ab/scalars?tag=train%2Floss&width=800');
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.segments).toEqual(['api', 'runs', '0123456789ab', 'scalars']);
    expect(t.query.getAll('tag')).toEqual(['train/loss']);
    expect(parseTarget('/')).toMatchObject({ ok: true, segments: [] });
  });

  it.each([
    '/api/..%2f..%2fetc/passwd',
    '/api/runs/%2e%2e/%2e%2e/etc/passwd',
    '/../etc/passwd',
    '/api/runs/../../x',
    '/./app.js',
    '//etc/passwd',
    '/%2Fetc%2Fpasswd',
    '/api/runs//etc/passwd',
    '/api/runs/..\\..\\x',
    '/api/runs/%5c..%5cx',
    '/api/runs/%252e%252e',
    '/C:/Windows/win.ini',
    '/api/runs/%00',
    '/api/runs/%E0%A4%A',
    'http://example.com/api/runs',
    'example.com:80',
    '*',
  ])('refuses %s with 400', (raw) => {
    expect(parseTarget(raw)).toMatchObject({ ok: false, status: 400 });
  });
});
