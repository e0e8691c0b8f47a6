import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadOptions } from '../reader.js';
import { readCsvTable, type CsvTableSpec } from './read-table.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-table-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function temp(content: string | Buffer): Promise<string> {
  const path = join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, content);
  return path;
}

/** Rows as seen by a spec: [line, row index, cells joined]. */
type Seen = Array<[number, number, string]>;

function spec(seen: Seen, extra: Partial<CsvTableSpec<null>> = {}): CsvTableSpec<null> {
  return {
    checkHeader: (h) => (h.includes('epoch') ? null : `expected an "epoch" column, found ${h.join(',')}`),
    extra: () => null,
    row: (cells, line, table) => {
      seen.push([line, table.row, `${table.header.join('|')}: ${cells.join('|')}`]);
      return true;
    },
    ...extra,
  };
}

const FINAL = { final: true } as ReadOptions;

async function read(content: string | Buffer, options: ReadOptions = {}, extra: Partial<CsvTableSpec<null>> = {}) {
  const path = await temp(content);
  const seen: Seen = [];
  const result = await readCsvTable(path, { displayPath: 'runs/log.csv', ...options }, spec(seen, extra));
  return { ...result, seen, path };
}

describe('readCsvTable: a last line without a line end', () => {
  it('a final read takes a complete last row', async () => {
    const { seen, problems, records, cursor } = await read('epoch,loss\n0,0.5\n1,0.4', FINAL);
    expect(seen.map((s) => s[2])).toEqual(['epoch|loss: 0|0.5', 'epoch|loss: 1|0.4']);
    expect([problems, records, cursor.offset]).toEqual([[], 2, 22]);
  });

  it('a final read reports a row cut mid-way as truncated, naming the line, and keeps the rest', async () => {
    const { seen, problems } = await read('epoch,loss,val_loss\n0,0.5,0.6\n1,0.4', FINAL);
    expect(seen.map((s) => s[0])).toEqual([2]);
    expect(problems).toEqual([{
      file: 'runs/log.csv',
      code: 'truncated',
      message: 'line 3 (byte 30): the last line has no line end and only 2 of 3 columns: cut short; row skipped',
    }]);
  });

  it('a following read leaves it for later, says so, and reads it once when its line end comes', async () => {
    const first = await read('epoch,loss\n0,0.5\n1,0.4');
    expect(first.seen.map((s) => s[0])).toEqual([2]);
    expect(first.cursor.offset).toBe(17);
    expect(first.problems.map((p) => [p.code, p.message])).toEqual([
      ['truncated', 'line 3 (byte 17): no line end yet (still being written, or cut short); not read'],
    ]);
    await appendFile(first.path, '2\n2,0.3\n');
    const seen: Seen = [];
    const second = await readCsvTable(first.path, { from: first.cursor }, spec(seen));
    expect(second.problems).toEqual([]);
    expect(seen.map((s) => [s[0], s[1], s[2]])).toEqual([[3, 1, 'epoch|loss: 1|0.42'], [4, 2, 'epoch|loss: 2|0.3']]);
  });

  it('a following read waits for the \\n of a half-written \\r\\n; a blank tail is no problem', async () => {
    const half = await read('epoch,loss\r\n0,0.5\r');
    expect([half.seen.length, half.problems.map((p) => p.code), half.cursor.offset]).toEqual([0, ['truncated'], 12]);
    const blank = await read('epoch,loss\r\n0,0.5\r\n  ');
    expect([blank.seen.length, blank.problems, blank.cursor.offset]).toEqual([1, [], 19]);
  });
});

describe('readCsvTable: line ends', () => {
  it.each([{}, FINAL])('reads a CR-only file (%j)', async (options) => {
    const { seen, problems, records } = await read('epoch,loss\r0,0.5\r1,0.4\r', options);
    expect([records, problems]).toEqual([2, []]);
    expect(seen.map((s) => s[0])).toEqual([2, 3]);
  });

  it('reads \\r\\r\\n line ends with the line numbers an editor shows', async () => {
    const { seen, problems } = await read('epoch,loss\r\r\n0,0.5\r\r\n1,x,2\r\r\n');
    expect(seen.map((s) => s[0])).toEqual([2]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^line 3: expected 2 columns/)]);
  });
});

describe('readCsvTable: zero bytes', () => {
  it('reads the rows before a zero-filled tail and reports the zeros once, with their bytes', async () => {
    const content = Buffer.concat([Buffer.from('epoch,loss\n0,0.5\n1,0.'), Buffer.alloc(5000)]);
    for (const options of [{}, FINAL]) {
      const { seen, problems } = await read(content, options);
      expect(seen.map((s) => s[2])).toEqual(['epoch|loss: 0|0.5']);
      expect(problems).toEqual([{
        file: 'runs/log.csv',
        code: 'zero-filled',
        message: 'bytes 21-5020: 5000 zero (NUL) bytes where text was expected (the writer crashed before its data reached the disk?); '
          + 'the row they cut short (line 3) is skipped; the rows around them were read',
      }]);
    }
  });

  it('reads what a restarted writer appended after the zeros', async () => {
    const content = Buffer.concat([Buffer.from('epoch,loss\n0,0.5\n'), Buffer.alloc(10), Buffer.from('epoch,loss\n0,0.7\n1,0.6\n')]);
    const { seen, problems } = await read(content, FINAL);
    expect(seen.map((s) => [s[1], s[2]])).toEqual([[0, 'epoch|loss: 0|0.5'], [0, 'epoch|loss: 0|0.7'], [1, 'epoch|loss: 1|0.6']]);
    expect(problems.map((p) => [p.code, p.message.slice(0, 34)])).toEqual([['zero-filled', 'bytes 17-26: 10 zero (NUL) bytes w']]);
  });
});

describe('readCsvTable: headers', () => {
  it('takes a header written again below the rows (another fit) as the header of what follows, counting rows again', async () => {
    const { seen, problems } = await read('epoch,loss\n0,0.5\n1,0.4\nepoch,loss\n0,0.9\nepoch,loss,lr\n0,0.8,0.1\n', FINAL);
    expect(problems).toEqual([]);
    expect(seen.map((s) => [s[0], s[1], s[2]])).toEqual([
      [2, 0, 'epoch|loss: 0|0.5'], [3, 1, 'epoch|loss: 1|0.4'], [5, 0, 'epoch|loss: 0|0.9'], [7, 0, 'epoch|loss|lr: 0|0.8|0.1'],
    ]);
  });

  it('does not take a row of text sharing no column name for a header', async () => {
    const { seen, problems } = await read('epoch,loss\n0,0.5\nx,y\n', FINAL);
    expect(seen.map((s) => s[2])).toEqual(['epoch|loss: 0|0.5', 'epoch|loss: x|y']);
    expect(problems).toEqual([]);
  });

  it('reads a file without a header line when the spec names its columns', async () => {
    const headerless = (cells: readonly string[]) => (cells.every((c) => /^[\d.]+$/.test(c)) ? ['loss'] : null);
    const { seen, problems, cursor } = await read('0.9\n0.8\n0.7\n', FINAL, { headerless });
    expect(problems).toEqual([]);
    expect(seen.map((s) => [s[0], s[1], s[2]])).toEqual([[1, 0, 'loss: 0.9'], [2, 1, 'loss: 0.8'], [3, 2, 'loss: 0.7']]);
    expect((cursor.state as { headerless: boolean }).headerless).toBe(true);
  });

  it('resumes a header-less file and a separator other than a comma', async () => {
    const path = await temp('epoch\tloss\n0\t0.9\n');
    const seen: Seen = [];
    const s = spec(seen, { delimiter: (line) => (line.includes('\t') ? '\t' : ',') });
    const first = await readCsvTable(path, {}, s);
    await appendFile(path, '1\t0.8\n');
    await readCsvTable(path, { from: first.cursor }, s);
    expect(seen.map((x) => x[2])).toEqual(['epoch|loss: 0|0.9', 'epoch|loss: 1|0.8']);
  });
});
