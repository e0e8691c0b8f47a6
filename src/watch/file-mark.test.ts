import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareMarks, isRestart, markFile } from './file-mark.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nndoctor-mark-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('file marks', () => {
  it('tells a grown file from a replaced, truncated or rewritten one', async () => {
    const file = join(dir, 'm.jsonl');
    writeFileSync(file, '{"step":0,"loss":1}\n');
    const first = await markFile(file);
    const offset = first.size;
    expect(compareMarks(undefined, first, 0)).toBe('grown');
    expect(await markFile(file, first)).toBe(first); // unchanged: no second look at its bytes
    expect(compareMarks(first, first, offset)).toBe('same');

    appendFileSync(file, '{"step":1,"loss":0.9}\n');
    const grown = await markFile(file, first);
    expect(compareMarks(first, grown, offset)).toBe('grown');

    // Renamed over it: another inode, even though larger and starting with the same bytes.
    const next = join(dir, 'next.tmp');
    writeFileSync(next, '{"step":0,"loss":1}\n{"step":1,"loss":0.9}\n{"step":2,"loss":0.8}\n');
    renameSync(next, file);
    const replaced = await markFile(file, grown);
    expect(compareMarks(grown, replaced, grown.size)).toBe('replaced');

    truncateSync(file, 5);
    const shrunk = await markFile(file, replaced);
    expect(compareMarks(replaced, shrunk, replaced.size)).toBe('shrunk');

    // Same inode, longer, other first bytes (a CSV written anew with another header).
    writeFileSync(file, '{"step":0,"loss":5}\n{"step":1,"loss":4}\n{"step":2,"loss":3}\n{"step":3,"loss":2}\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const rewritten = await markFile(file, replaced);
    expect(compareMarks(replaced, rewritten, 5)).toBe('rewritten');

    expect(['same', 'grown'].map((c) => isRestart(c as 'same'))).toEqual([false, false]);
    expect(['replaced', 'shrunk', 'rewritten'].map((c) => isRestart(c as 'replaced'))).toEqual([true, true, true]);
  });
});
