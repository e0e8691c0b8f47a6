import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadOptions } from '../reader.js';
import { isFinalRead, scanLines, type Line, type ScanOptions } from './scan-lines.js';

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

const shape = (lines: readonly Line[]) => lines.map((l) => [l.text, l.number, l.offset, l.end]);

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
    expect(end).toEqual({ offset: 10, line: 3, pendingBytes: 1 }); // 'd' has no newline yet: not consumed
  });

  it('decodes multi-byte characters split between chunks and strips a BOM', async () => {
    const { lines } = await scan('\uFEFFépoch,λ\n€\n', { chunkSize: 1 });
    expect(lines.map((l) => l.text)).toEqual(['époch,λ', '€']);
  });

  it('resumes from a position with the right line numbers', async () => {
    const { lines, end } = await scan('one\ntwo\nthree\n', {}, 4, 1);
    expect(lines.map((l) => [l.text, l.number])).toEqual([['two', 2], ['three', 3]]);
    expect(end).toEqual({ offset: 14, line: 3, pendingBytes: 0 });
  });

  it('reports overlong lines without keeping them, then carries on', async () => {
    const { lines } = await scan(`${'x'.repeat(100)}\nok\n`, { chunkSize: 8, maxLineBytes: 10 });
    expect(lines.map((l) => [l.text, l.overlong, l.number])).toEqual([['', true, 1], ['ok', false, 2]]);
  });

  it('stops after a line when onLine returns false', async () => {
    const path = join(dir, 'stop.txt');
    await writeFile(path, 'h\nr1\nr2\n');
    const end = await scanLines(path, { offset: 0, line: 0 }, () => false);
    expect(end).toEqual({ offset: 2, line: 1, pendingBytes: 0 });
  });

  it('reports progress as absolute offsets', async () => {
    const seen: number[] = [];
    await scan('abcdef\n', { chunkSize: 4, onProgress: (b) => seen.push(b) });
    expect(seen).toEqual([4, 7]);
  });

  it('throws for a missing file (callers turn it into an unreadable problem)', async () => {
    await expect(scanLines(join(dir, 'missing'), { offset: 0, line: 0 }, () => {})).rejects.toThrow(/ENOENT/);
  });

  describe('line ends', () => {
    const CHUNKS = [1, 2, 3, 64 * 1024];
    it.each(CHUNKS)('reads CR-only (old Mac) files, chunk %i', async (chunkSize) => {
      const { lines, end } = await scan('epoch,loss\r0,0.5\r1,0.4\r', { chunkSize });
      expect(shape(lines)).toEqual([['epoch,loss', 1, 0, 11], ['0,0.5', 2, 11, 17], ['1,0.4', 3, 17, 23]]);
      expect(end).toEqual({ offset: 23, line: 3, pendingBytes: 0 }); // a last lone CR ends the line in a CR file
    });

    it.each(CHUNKS)('takes \\r\\r\\n (Windows text mode over \\r\\n) as one line end, chunk %i', async (chunkSize) => {
      const { lines, end } = await scan('a,b\r\r\n1,2\r\r\n', { chunkSize });
      expect(shape(lines)).toEqual([['a,b', 1, 0, 6], ['1,2', 2, 6, 12]]);
      expect(end.pendingBytes).toBe(0);
    });

    it.each(CHUNKS)('keeps empty lines between lone CRs, chunk %i', async (chunkSize) => {
      const { lines } = await scan('a\r\rb\r', { chunkSize, final: true });
      expect(shape(lines)).toEqual([['a', 1, 0, 2], ['', 2, 2, 3], ['b', 3, 3, 5]]);
    });

    it('waits for the \\n of a \\r\\n file whose last \\r has no \\n yet', async () => {
      const { lines, end } = await scan('a\r\nb\r');
      expect(lines.map((l) => l.text)).toEqual(['a']);
      expect(end).toEqual({ offset: 3, line: 1, pendingBytes: 2 });
    });

    it('resumes a CR-only file after a lone CR, taking its last CR as a line end', async () => {
      const { lines, end } = await scan('h\r1\r2\r', {}, 2, 1);
      expect(shape(lines)).toEqual([['1', 2, 2, 4], ['2', 3, 4, 6]]);
      expect(end).toEqual({ offset: 6, line: 3, pendingBytes: 0 });
    });
  });

  describe('a last line without a line end', () => {
    it('is not consumed when following, and onTail sees it', async () => {
      const tails: Line[] = [];
      const { lines, end } = await scan('a\nbc', { onTail: (l) => tails.push(l) });
      expect(lines.map((l) => l.text)).toEqual(['a']);
      expect(end).toEqual({ offset: 2, line: 1, pendingBytes: 2 });
      expect(tails.map((l) => [l.text, l.number, l.offset, l.end, l.terminated])).toEqual([['bc', 2, 2, 4, false]]);
    });

    it.each([1, 3, 64 * 1024])('is handed over and consumed in a final read (chunk %i)', async (chunkSize) => {
      const tails: Line[] = [];
      const { lines, end } = await scan('a\r\nbc', { chunkSize, final: true, onTail: (l) => tails.push(l) });
      expect(lines.map((l) => [l.text, l.terminated])).toEqual([['a', true], ['bc', false]]);
      expect(end).toEqual({ offset: 5, line: 2, pendingBytes: 0 });
      expect(tails).toEqual([]);
    });

    it('a final read takes a last \\r as a line end', async () => {
      const { lines, end } = await scan('a\r\nb\r', { final: true });
      expect(lines.map((l) => [l.text, l.terminated])).toEqual([['a', true], ['b', true]]);
      expect(end).toEqual({ offset: 5, line: 2, pendingBytes: 0 });
    });

    it('an empty file or one ending in a line end has no tail', async () => {
      const tails: Line[] = [];
      expect((await scan('', { onTail: (l) => tails.push(l) })).end).toEqual({ offset: 0, line: 0, pendingBytes: 0 });
      expect((await scan('x\n', { final: true, onTail: (l) => tails.push(l) })).end).toEqual({ offset: 2, line: 1, pendingBytes: 0 });
      expect(tails).toEqual([]);
    });
  });

  it('isFinalRead reads the final option of reader options', () => {
    expect(isFinalRead({})).toBe(false);
    expect(isFinalRead({ final: true } as ReadOptions)).toBe(true);
  });
});
