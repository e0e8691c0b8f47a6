import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink } from '../../telemetry/run.js';
import type { ReadOptions } from '../reader.js';
import { topLevelScalars } from './hparams.js';
import { lightningCsvReader } from './index.js';

const LOGS = fileURLToPath(new URL('../../../examples/real-logs/lightning_forestcover/lightning_logs/', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-lightning-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(path: string, options: ReadOptions = {}) {
  const run = createRun('r', 'lightning-csv');
  const result = await lightningCsvReader.read(path, runSink(run), options);
  return { run, ...result };
}

async function temp(name: string, content: string): Promise<string> {
  const sub = await mkdtemp(join(dir, 'v-'));
  const path = join(sub, name);
  await writeFile(path, content);
  return path;
}

describe('lightningCsvReader on real metrics.csv files', () => {
  it('reads all 45 versions with zero problems', async () => {
    const versions = (await readdir(LOGS)).filter((v) => v.startsWith('version_'));
    expect(versions).toHaveLength(45);
    for (const v of versions) {
      const { problems, records, run } = await read(join(LOGS, v, 'metrics.csv'));
      expect(problems, v).toEqual([]);
      expect(records, v).toBeGreaterThan(0);
      expect(run.scalars.get('train_loss')?.steps.length, v).toBeGreaterThan(0);
    }
  });

  it('decodes version_4 by hand-checked values', async () => {
    const path = join(LOGS, 'version_4', 'metrics.csv');
    const { run, records, cursor } = await read(path);
    expect(records).toBe(79);
    const valid = run.scalars.get('valid_loss');
    expect(valid?.unit).toBe('step');
    expect(valid?.steps).toEqual([340, 681, 1022, 1363, 1704, 2045, 2386, 2727, 3068]);
    expect(valid?.values[0]).toBe(0.8253765106201172);
    expect(valid?.values[8]).toBe(0.8156298995018005);
    expect(run.scalars.get('train_loss')?.values[0]).toBe(0.8924820423126221);
    expect(run.scalars.get('train_loss')?.steps.length).toBe(61);
    const epoch = run.scalars.get('epoch');
    expect(epoch?.steps.length).toBe(70); // one point per distinct step, not per row (79)
    expect([epoch?.steps[0], epoch?.values[0], epoch?.steps.at(-1), epoch?.values.at(-1)]).toEqual([49, 0, 3068, 8]);
    expect(run.scalars.has('step')).toBe(false);
    expect(cursor.offset).toBeGreaterThan(0);
    expect(run.meta.get('learning_rate')).toBe(0.001);
    expect(run.meta.get('head')).toBe('LinearHead');
    expect(run.meta.get('precision')).toBe('32');
    expect(run.meta.get('batch_size')).toBe(1024);
    expect(run.meta.get('load_best')).toBe(true);
    expect(run.meta.has('target')).toBe(false); // a list
    expect(run.meta.has('profiler')).toBe(false); // null
  });

  it('detects metrics.csv and not other files', async () => {
    const head = new TextEncoder().encode('epoch,step,train_loss\n0,49,0.9\n');
    expect(lightningCsvReader.detect(join(LOGS, 'version_13', 'metrics.csv'), head)).toBe(true);
    expect(lightningCsvReader.detect('x/training.log', new TextEncoder().encode('epoch,loss\n'))).toBe(false);
    expect(lightningCsvReader.detect('x/events.out.tfevents.1', new Uint8Array([0, 1, 2]))).toBe(false);
  });
});

describe('topLevelScalars', () => {
  it('keeps top-level scalars only', () => {
    const yaml = [
      'a: 1', 'b: -2.5e-3', "c: 'it''s'", 'd: "x"', 'e: plain text # note', 'f: false', 'g: null', 'h: []',
      'i:', '  nested: 1', 'j:', '- item', 'k: -.inf', 'l: {}', 'm: !!python/tuple', '  sub: 2',
    ].join('\n');
    expect(topLevelScalars(yaml)).toEqual([
      ['a', 1], ['b', -0.0025], ['c', "it's"], ['d', 'x'], ['e', 'plain text'], ['f', false], ['k', -Infinity],
    ]);
  });
});

describe('lightningCsvReader problems', () => {
  it.each([
    {
      name: 'ragged row',
      content: 'epoch,step,loss\n0,1,0.5\n0,2\n0,3,0.4\n',
      code: 'ragged-row',
      message: /line 3: expected 3 columns .*found 2/,
      loss: [1, 3],
    },
    {
      name: 'non-numeric cell',
      content: 'epoch,step,loss\n0,1,0.5\n0,2,oops\n0,3,nan\n',
      code: 'bad-value',
      message: /line 3, column "loss": expected a number, found "oops"/,
      loss: [1, 3],
    },
    {
      name: 'missing step',
      content: 'epoch,step,loss\n0,,0.5\n0,3,0.4\n',
      code: 'bad-value',
      message: /line 2, column "step"/,
      loss: [3],
    },
    {
      name: 'no step column',
      content: 'epoch,loss\n0,0.5\n',
      code: 'bad-header',
      message: /line 1: expected a "step" column/,
      loss: undefined,
    },
  ])('$name -> $code, keeps reading', async ({ content, code, message, loss }) => {
    const path = await temp('metrics.csv', content);
    const { problems, run } = await read(path, { displayPath: 'shown/metrics.csv' });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe(code);
    expect(problems[0]?.file).toBe('shown/metrics.csv');
    expect(problems[0]?.message).toMatch(message);
    expect(run.scalars.get('loss')?.steps).toEqual(loss);
  });

  it('reports a missing file as unreadable', async () => {
    const { problems, records } = await read(join(dir, 'nope', 'metrics.csv'));
    expect(problems.map((p) => p.code)).toEqual(['unreadable']);
    expect(problems[0]?.message).toMatch(/ENOENT/);
    expect(records).toBe(0);
  });
});

describe('lightningCsvReader resume', () => {
  it('delivers every point exactly once across an append that completes a half-written line', async () => {
    const path = await temp('metrics.csv', 'epoch,step,loss,val_loss\n0,1,0.9,\n0,2,0.8,\n0,2,,0.85\n1,3,0.');
    const run = createRun('r', 'lightning-csv');
    const first = await lightningCsvReader.read(path, runSink(run), {});
    expect(first.records).toBe(3);
    expect(run.scalars.get('loss')?.steps).toEqual([1, 2]);
    await appendFile(path, '7,\n1,4,0.6,\n1,4,,0.7\n');
    const second = await lightningCsvReader.read(path, runSink(run), { from: first.cursor });
    expect(second.problems).toEqual([]);
    expect(second.records).toBe(3);
    expect(run.scalars.get('loss')?.steps).toEqual([1, 2, 3, 4]);
    expect(run.scalars.get('loss')?.values).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect(run.scalars.get('val_loss')?.steps).toEqual([2, 4]);
    expect(run.scalars.get('epoch')?.steps).toEqual([1, 2, 3, 4]);
    const third = await lightningCsvReader.read(path, runSink(run), { from: second.cursor });
    expect([third.records, third.cursor.offset]).toEqual([0, second.cursor.offset]);
  });

  it('re-reads a file Lightning rewrote with a new column, skipping rows already pushed', async () => {
    const path = await temp('metrics.csv', 'epoch,step,loss\n0,1,0.9\n0,2,0.8\n');
    const run = createRun('r', 'lightning-csv');
    const first = await lightningCsvReader.read(path, runSink(run), {});
    await writeFile(path, 'epoch,step,loss,val_loss\n0,1,0.9,\n0,2,0.8,\n0,2,,0.85\n1,3,0.7,\n');
    const second = await lightningCsvReader.read(path, runSink(run), { from: first.cursor });
    expect(second.problems).toEqual([]);
    expect(run.scalars.get('loss')?.steps).toEqual([1, 2, 3]);
    expect(run.scalars.get('val_loss')?.steps).toEqual([2]);
    expect(run.scalars.get('epoch')?.steps).toEqual([1, 2, 3]);
  });
});

describe('lightningCsvReader: last line and line ends', () => {
  const FINAL = { final: true } as ReadOptions;
  it('a final read takes a complete last row without a line end and reports a cut one as truncated', async () => {
    const whole = await read(await temp('metrics.csv', 'epoch,step,loss,val_loss\n0,1,0.9,\n0,1,,1.0'), FINAL);
    expect([whole.problems, whole.run.scalars.get('val_loss')?.steps]).toEqual([[], [1]]);
    const cut = await read(await temp('metrics.csv', 'epoch,step,loss,val_loss\n0,1,0.9,\n0,1'), FINAL);
    expect(cut.problems.map((p) => [p.code, p.message])).toEqual([
      ['truncated', 'line 3 (byte 34): the last line has no line end and only 2 of 4 columns: cut short; row skipped'],
    ]);
  });

  it('reads CR-only line ends', async () => {
    const { run, problems } = await read(await temp('metrics.csv', 'epoch,step,loss\r0,1,0.9\r0,2,0.8\r'));
    expect(problems).toEqual([]);
    expect(run.scalars.get('loss')?.steps).toEqual([1, 2]);
  });

  it('a text cell is a bad-value naming the line and column; the rest of the row is read', async () => {
    const { run, problems } = await read(await temp('metrics.csv', 'epoch,step,loss,val_loss\n0,1,tensor(0.9),1.0\n'), { displayPath: 'v0/metrics.csv' });
    expect(problems).toEqual([{ file: 'v0/metrics.csv', code: 'bad-value', message: 'line 2, column "loss": expected a number, found "tensor(0.9)"' }]);
    expect(run.scalars.get('val_loss')?.steps).toEqual([1]);
  });
});
