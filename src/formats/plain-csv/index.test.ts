import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink } from '../../telemetry/run.js';
import { segments } from '../../telemetry/series.js';
import type { ReadOptions } from '../reader.js';
import { plainCsvReader } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-plain-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FINAL = { final: true } as ReadOptions;

async function temp(content: string | Buffer, name = 'history.csv'): Promise<string> {
  const path = join(await mkdtemp(join(dir, 'run-')), name);
  await writeFile(path, content);
  return path;
}

async function read(content: string | Buffer, name = 'history.csv', options: ReadOptions = FINAL) {
  const path = await temp(content, name);
  const run = createRun('r', 'csv');
  const result = await plainCsvReader.read(path, runSink(run), { displayPath: `shown/${name}`, ...options });
  const series = (tag: string) => {
    const s = run.scalars.get(tag);
    return s ? { steps: s.steps, values: s.values, unit: s.unit } : undefined;
  };
  return { run, series, path, ...result };
}

/** `train_loss,valid_loss` rows as written by anime_face_recognition's loss_history.csv. */
const ANIME = 'train_loss,valid_loss\n1.79386,1.31989\n1.15808,1.07646\n0.98765,1.00211\n';

describe('plainCsvReader layouts', () => {
  it('no epoch column: rows are epochs 0..n-1', async () => {
    const { series, problems, records } = await read(ANIME, 'loss_history.csv');
    expect([problems, records]).toEqual([[], 3]);
    expect(series('train_loss')).toEqual({ steps: [0, 1, 2], values: [1.79386, 1.15808, 0.98765], unit: 'epoch' });
    expect(series('valid_loss')?.values).toEqual([1.31989, 1.07646, 1.00211]);
  });

  it('no header: a single column of numbers is the train loss, one per row (nebulae-nn history.csv)', async () => {
    const values = Array.from({ length: 2500 }, (_, i) => 0.654 * Math.exp(-i / 900));
    const { run, series, problems, records } = await read(values.map((v) => `${v.toExponential(18)}\n`).join(''));
    expect([problems, records, [...run.scalars.keys()]]).toEqual([[], 2500, ['loss']]);
    const loss = series('loss');
    expect(loss?.unit).toBe('step');
    expect(loss?.steps).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(loss?.values[0]).toBeCloseTo(0.654, 12);
    expect(loss?.values[2499]).toBeCloseTo(values[2499] as number, 12);
  });

  it('pandas index as the epoch (empty first header cell); the index is not a series', async () => {
    const { run, series, problems } = await read(',loss,val_loss\n0,0.9,1.0\n1,0.8,0.95\n2,0.7,0.97\n');
    expect(problems).toEqual([]);
    expect([...run.scalars.keys()]).toEqual(['loss', 'val_loss']);
    expect(series('val_loss')).toEqual({ steps: [0, 1, 2], values: [1.0, 0.95, 0.97], unit: 'epoch' });
  });

  it('spaces after commas, a capitalised epoch starting at 1 (kept as given)', async () => {
    const { series, problems } = await read('Epoch, loss, val_loss\n1, 0.9, 1.0\n2, 0.8, 0.9\n3, 0.7, 0.85\n');
    expect(problems).toEqual([]);
    expect(series('loss')).toEqual({ steps: [1, 2, 3], values: [0.9, 0.8, 0.7], unit: 'epoch' });
    expect(series('val_loss')?.values).toEqual([1.0, 0.9, 0.85]);
  });

  it('epoch,step with empty step cells uses the epoch', async () => {
    const { run, series, problems } = await read('epoch,step,loss,val_loss\n0,,0.9,1.0\n1,,0.8,0.9\n', 'metrics.csv');
    expect(problems).toEqual([]);
    expect([...run.scalars.keys()]).toEqual(['loss', 'val_loss']);
    expect(series('loss')).toEqual({ steps: [0, 1], values: [0.9, 0.8], unit: 'epoch' });
  });

  it('a step column is the x axis when filled, with the epoch as an epoch series', async () => {
    const { series, problems } = await read('global_step,epoch,loss\n10,0,0.9\n20,0,0.8\n30,1,0.7\n', 'training_log.csv');
    expect(problems).toEqual([]);
    expect(series('loss')).toEqual({ steps: [10, 20, 30], values: [0.9, 0.8, 0.7], unit: 'step' });
    expect(series('epoch')).toEqual({ steps: [10, 20, 30], values: [0, 0, 1], unit: 'step' });
  });

  it('tab and semicolon separated files, CR-only line ends', async () => {
    expect((await read('epoch\tloss\n0\t0.9\n1\t0.8\n', 'history.tsv')).series('loss')?.values).toEqual([0.9, 0.8]);
    expect((await read('epoch;loss\r0;0.9\r1;0.8\r')).series('loss')?.steps).toEqual([0, 1]);
    expect((await read('0.9\r0.8\r0.7', 'loss.txt')).series('loss')?.values).toEqual([0.9, 0.8, 0.7]);
  });

  it('a phase column prefixes the tags', async () => {
    const { run, series } = await read('epoch,phase,loss,acc\n0,train,0.9,0.5\n0,val,1.0,0.4\n1,train,0.8,0.6\n1,val,0.9,0.5\n', 'log.csv');
    expect([...run.scalars.keys()].sort()).toEqual(['train/acc', 'train/loss', 'val/acc', 'val/loss']);
    expect(series('val/loss')).toEqual({ steps: [0, 1], values: [1.0, 0.9], unit: 'epoch' });
  });

  it('skips a text column (a timestamp), None and NA cells, without problems', async () => {
    const { run, series, problems } = await read('epoch,time,loss,val_loss\n0,10:00:01,0.9,None\n1,10:05:13,0.8,0.85\n2,10:10:40,NA,0.8\n');
    expect(problems).toEqual([]);
    expect([...run.scalars.keys()]).toEqual(['loss', 'val_loss']);
    expect(series('loss')?.steps).toEqual([0, 1]);
    expect(series('val_loss')?.steps).toEqual([1, 2]);
  });
});

describe('plainCsvReader problems', () => {
  it('a text cell in a number column is a bad-value naming file, line, column and what was expected; the rest is read', async () => {
    const { series, problems } = await read('epoch,loss,val_loss,lr\n0,0.9,1.0,0.1\n1,oops,0.9,0.1\n2,0.7,0.8,n/a!\n');
    expect(problems).toEqual([
      { file: 'shown/history.csv', code: 'bad-value', message: 'line 3, column "loss": expected a number, found "oops"' },
      { file: 'shown/history.csv', code: 'bad-value', message: 'line 4, column "lr": expected a number, found "n/a!"' },
    ]);
    expect(series('loss')?.steps).toEqual([0, 2]);
    expect(series('val_loss')?.steps).toEqual([0, 1, 2]);
    expect(series('lr')?.steps).toEqual([0, 1]);
  });

  it('a loss column whose first value is text is still a number column', async () => {
    const { series, problems } = await read('train_loss,valid_loss\n[0.9],1.0\n0.8,0.9\n', 'loss_history.csv');
    expect(problems.map((p) => p.message)).toEqual(['line 2, column "train_loss": expected a number, found "[0.9]"']);
    expect(series('train_loss')?.steps).toEqual([1]);
  });

  it('an unreadable epoch skips the row', async () => {
    const { series, problems } = await read('epoch,loss\n0,0.9\nfirst,0.8\n2,0.7\n');
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ['bad-value', 'line 3, column "epoch": expected a number (the epoch), found "first"; row skipped'],
    ]);
    expect(series('loss')?.steps).toEqual([0, 2]);
  });

  it('a header-less file with a text line', async () => {
    const { series, problems } = await read('0.9\n0.8\nloss exploded\n0.7\n');
    expect(problems.map((p) => p.message)).toEqual(['line 3, column "loss": expected a number, found "loss exploded"']);
    expect(series('loss')?.steps).toEqual([0, 1, 3]); // rows keep their place
  });

  it('a complete last row without a line end is read in a final read; a cut one is truncated', async () => {
    expect((await read(`${ANIME}0.9,0.98`, 'loss_history.csv')).series('valid_loss')?.steps).toEqual([0, 1, 2, 3]);
    const cut = await read(`${ANIME}0.9`, 'loss_history.csv');
    expect(cut.series('train_loss')?.steps).toEqual([0, 1, 2]);
    expect(cut.problems.map((p) => [p.code, p.message])).toEqual([
      ['truncated', 'line 5 (byte 70): the last line has no line end and only 1 of 2 columns: cut short; row skipped'],
    ]);
  });

  it('reads the rows before a zero-filled tail', async () => {
    const { series, problems } = await read(Buffer.concat([Buffer.from(ANIME), Buffer.alloc(4096)]), 'loss_history.csv');
    expect(series('train_loss')?.steps).toEqual([0, 1, 2]);
    expect(problems.map((p) => p.code)).toEqual(['zero-filled']);
    expect(problems[0]?.message).toMatch(/^bytes 70-4165: 4096 zero \(NUL\) bytes/);
  });
});

describe('plainCsvReader restarts and resume', () => {
  it('a header written again (another fit appended) starts the rows again: steps go back', async () => {
    const { series, problems } = await read(`${ANIME}train_loss,valid_loss\n2.0,1.5\n1.2,1.1\n`, 'loss_history.csv');
    expect(problems).toEqual([]);
    const steps = series('train_loss')?.steps ?? [];
    expect(steps).toEqual([0, 1, 2, 0, 1]);
    expect(segments(steps)).toEqual([[0, 3], [3, 5]]);
  });

  it('without an x column or a header again, a restart cannot be told from a jump (lr back up): rows go on', async () => {
    const { series } = await read('loss,lr\n0.9,0.1\n0.5,0.01\n0.95,0.1\n0.6,0.01\n', 'training_log.csv');
    expect(series('lr')?.steps).toEqual([0, 1, 2, 3]);
  });

  it('an epoch column that restarts keeps the order', async () => {
    const { series } = await read(',loss\n0,0.9\n1,0.8\n0,1.0\n1,0.7\n');
    expect(series('loss')?.steps).toEqual([0, 1, 0, 1]);
  });

  it('a following read resumes a header-less file with the row numbers going on', async () => {
    const path = await temp('0.9\n0.8\n0.7', 'history.csv');
    const run = createRun('r', 'csv');
    const first = await plainCsvReader.read(path, runSink(run), {});
    expect(first.records).toBe(2);
    expect(first.problems.map((p) => p.code)).toEqual(['truncated']); // dropped by watch until its final read
    await appendFile(path, '5\n0.6\n');
    const second = await plainCsvReader.read(path, runSink(run), { from: first.cursor });
    expect([second.records, second.problems]).toEqual([2, []]);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 3]);
    expect(run.scalars.get('loss')?.values).toEqual([0.9, 0.8, 0.75, 0.6]);
  });
});

describe('plainCsvReader.detect', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('claims plain histories and leaves logger files and other CSVs alone', () => {
    expect(plainCsvReader.detect('a/loss_history.csv', enc(ANIME))).toBe(true);
    expect(plainCsvReader.detect('a/history.csv', enc('0.65\n0.64\n'))).toBe(true);
    expect(plainCsvReader.detect('a/training.log', enc('epoch,loss\n0,0.5\n'))).toBe(false); // keras-csv
    expect(plainCsvReader.detect('a/metrics.csv', enc('epoch,step,loss\n0,1,0.5\n'))).toBe(false); // lightning-csv
    expect(plainCsvReader.detect('a/notes.csv', enc('name,value\nlr,0.1\n'))).toBe(false);
  });
});
