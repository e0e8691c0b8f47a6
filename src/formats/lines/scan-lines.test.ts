import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanLines, type Line, type ScanOptions } from './scan-lines.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scan(content: string | Buffer, options: ScanOptions = {}, offset = 0, line = 0) {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(path, content);
  const lines: Line[] = [];
  const end = await scanLines(path, { offset, line }, (l) => void lines.push(l), options);
  return { lines, end, path };
}

describe('scanLines', () => {
  it.each([
    { chunkSize: 2 },
    { chunkSize: 3 },
    { chunkSize: 64 * 1024 },
  ])('splits lines across chunk boundaries (chunk $chunkSize)', async ({ chunkSize }) => {
    const { lines, end } = await scan('a,b\r\nccc\n\nd', { chunkSize });
    expect(lines.map((l) => [l.text, l.number, l.offset, l.end])).toEqual([
      ['a,b', 1, 0, 5],
      ['ccc', 2, 5, 9],
      ['', 3, 9, 10],
    ]);
    expect(end).toEqual({ offset: 10, line: 3 }); // 'd' has no newline yet: not consumed
  });

  it('decodes multi-byte characters split between chunks and strips a BOM', async () => {
    const { lines } = await scan('\uFEFFépoch,λ\n€\n', { chunkSize: 1 });
    expect(lines.map((l) => l.text)).toEqual(['époch,λ', '€']);
  });

  it('resumes from a position with the right line numbers', async () => {
    const { lines, end } = await scan('one\ntwo\nthree\n', {}, 4, 1);
    expect(lines.map((l) => [l.text, l.number])).toEqual([['two', 2], ['three', 3]]);
    expect(end).toEqual({ offset: 14, line: 3 });
  });

  it('reports overlong lines without keeping them, then carries on', async () => {
    const { lines } = await scan(`${'x'.repeat(100)}\nok\n`, { chunkSize: 8, maxLineBytes: 10 });
    expect(lines.map((l) => [l.text, l.overlong, l.number])).toEqual([['', true, 1], ['ok', false, 2]]);
  });

  it('stops after a line when onLine returns false', async () => {
    const path = join(dir, 'stop.txt');
    await writeFile(path, 'h\nr1\nr2\n');
    const end = await scanLines(path, { offset: 0, line: 0 }, () => false);
    expect(end).toEqual({ offset: 2, line: 1 });
  });

  it('reports progress as absolute offsets', async () => {
    const seen: number[] = [];
    await scan('abcdef\n', { chunkSize: 4, onProgress: (b) => seen.push(b) });
    expect(seen).toEqual([4, 7]);
  });

  it('throws for a missing file (callers turn it into an unreadable problem)', async () => {
    await expect(scanLines(join(dir, 'missing'), { offset: 0, line: 0 }, () => {})).rejects.toThrow(/ENOENT/);
  });
});
