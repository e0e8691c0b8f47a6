import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCurve } from '../../telemetry/curves.js';
import { createRun, runSink } from '../../telemetry/run.js';
import { segments } from '../../telemetry/series.js';
import type { ReadOptions } from '../reader.js';
import { kerasCsvReader } from './index.js';

const REAL = (name: string) =>
  fileURLToPath(new URL(`../../../examples/real-logs/keras_csvlogger/${name}/training.log`, import.meta.url));
const CAR = REAL('BurakErguvn_Car-Prediction-CNN-Model');
const RESNET = REAL('Aditya24jar_Emotion-Detection-Resnet50');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-keras-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(path: string, options: ReadOptions = {}) {
  const run = createRun('r', 'keras-csv');
  const result = await kerasCsvReader.read(path, runSink(run), options);
  return { run, ...result };
}

const FINAL = { final: true } as ReadOptions;

async function temp(content: string | Buffer, name = 'training.log'): Promise<string> {
  const path = join(await mkdtemp(join(dir, 'run-')), name);
  await writeFile(path, content);
  return path;
}

describe('kerasCsvReader on real training.log files', () => {
  it.each([
    { name: 'car CNN', path: CAR, epochs: 100, firstVal: 1.8974509239196777, lastVal: 0.7466485500335693 },
    { name: 'ResNet50', path: RESNET, epochs: 17, firstVal: 1.4435802698135376, lastVal: 1.0745148658752441 },
  ])('$name', async ({ path, epochs, firstVal, lastVal }) => {
    const { run, problems, records } = await read(path);
    expect(problems).toEqual([]);
    expect(records).toBe(epochs);
    expect([...run.scalars.keys()].sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const val = run.scalars.get('val_loss');
    expect(val?.unit).toBe('epoch');
    expect(val?.steps).toEqual(Array.from({ length: epochs }, (_, i) => i));
    expect(val?.values[0]).toBe(firstVal);
    expect(val?.values.at(-1)).toBe(lastVal);
  });

  it('has the ResNet50 validation-loss spike at epoch 1', async () => {
    const { run } = await read(RESNET);
    expect(run.scalars.get('val_loss')?.values[1]).toBe(7.41715145111084);
  });

  it('detects Keras logs and not Lightning ones', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(kerasCsvReader.detect(CAR, enc('epoch,accuracy,loss,val_accuracy,val_loss\n0,0.28'))).toBe(true);
    expect(kerasCsvReader.detect('a/metrics.csv', enc('epoch,step,loss\n'))).toBe(false);
    expect(kerasCsvReader.detect('a/training.log', enc('Epoch 1/10 loss: 0.3\n'))).toBe(false);
  });
});

describe('kerasCsvReader values and problems', () => {
  it('reads nan/inf as non-finite data and skips NA cells', async () => {
    const path = await temp('epoch,loss,val_loss,lr\n0,0.5,nan,NA\n1,inf,-inf,0.001\n');
    const { run, problems } = await read(path);
    expect(problems).toEqual([]);
    expect(run.scalars.get('loss')?.values).toEqual([0.5, Infinity]);
    expect(run.scalars.get('val_loss')?.values).toEqual([NaN, -Infinity]);
    expect(run.scalars.get('lr')?.steps).toEqual([1]);
  });

  it.each([
    { name: 'ragged row', content: 'epoch,loss\n0,0.5\n1,0.4,extra\n2,0.3\n', code: 'ragged-row', message: /line 3: expected 2 columns .*found 3/ },
    { name: 'non-numeric cell', content: 'epoch,loss\n0,0.5\n1,[0.4 0.1]\n2,0.3\n', code: 'bad-value', message: /line 3, column "loss": expected a number, found "\[0.4 0.1\]"/ },
    { name: 'non-numeric epoch', content: 'epoch,loss\n0,0.5\nx,0.4\n2,0.3\n', code: 'bad-value', message: /line 3, column "epoch"/ },
  ])('$name -> $code, keeps reading', async ({ content, code, message }) => {
    const { run, problems } = await read(await temp(content));
    expect(problems.map((p) => [p.code, p.file.endsWith('training.log')])).toEqual([[code, true]]);
    expect(problems[0]?.message).toMatch(message);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 2]);
  });

  it('reports a header without epoch as bad-header', async () => {
    const { problems } = await read(await temp('loss,val_loss\n0.5,0.6\n', 'history.csv'));
    expect(problems.map((p) => p.code)).toEqual(['bad-header']);
  });

  it('reports a missing file as unreadable', async () => {
    const { problems } = await read(join(dir, 'missing.log'), { displayPath: 'runs/missing.log' });
    expect(problems).toEqual([{ file: 'runs/missing.log', code: 'unreadable', message: expect.stringMatching(/ENOENT/) }]);
  });

  it('caps repeated problems of one code', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${i},bad`).join('\n');
    const { problems } = await read(await temp(`epoch,loss\n${rows}\n`));
    expect(problems).toHaveLength(51);
    expect(problems.at(-1)?.message).toBe('70 more bad-value problems not listed (120 in all)');
  });
});

describe('kerasCsvReader resume', () => {
  it('delivers every epoch exactly once when the file grows, and progress is reported', async () => {
    const path = await temp('epoch,loss,val_loss\r\n0,0.9,1.0\r\n1,0.8,0.9\r\n2,0.7');
    const run = createRun('r', 'keras-csv');
    const first = await kerasCsvReader.read(path, runSink(run), {});
    expect(first.records).toBe(2);
    await appendFile(path, ',0.8\r\n3,0.6,0.75\r\n');
    const progress: number[] = [];
    const second = await kerasCsvReader.read(path, runSink(run), { from: first.cursor, onProgress: (b) => progress.push(b) });
    expect([second.records, second.problems]).toEqual([2, []]);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 3]);
    expect(run.scalars.get('val_loss')?.values).toEqual([1.0, 0.9, 0.8, 0.75]);
    expect(progress.at(-1)).toBe(second.cursor.offset);
  });

  it('reads a file replaced by a shorter one from the start (a new run)', async () => {
    const path = await temp('epoch,loss\n0,0.9\n1,0.8\n2,0.7\n');
    const run = createRun('r', 'keras-csv');
    const first = await kerasCsvReader.read(path, runSink(run), {});
    await writeFile(path, 'epoch,loss\n0,1.5\n');
    await kerasCsvReader.read(path, runSink(run), { from: first.cursor });
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 0]);
  });
});

describe('kerasCsvReader: several fits in one file', () => {
  // CSVLogger(append=True), or a second fit(), writes epochs 0.. again below the first fit's rows.
  const first = Array.from({ length: 50 }, (_, e) => `${e},${(1 - e / 100).toFixed(3)},0.01`);
  const second = Array.from({ length: 30 }, (_, e) => `${e},${(0.9 - e / 100).toFixed(3)},0.001`);

  it('keeps the rows in file order: the epochs go back at row 50, and the restart is seen downstream', async () => {
    const { run, problems, records } = await read(await temp(`epoch,loss,lr\n${[...first, ...second].join('\n')}\n`));
    expect([problems, records]).toEqual([[], 80]);
    const loss = run.scalars.get('loss');
    expect(loss?.steps.slice(48, 52)).toEqual([48, 49, 0, 1]);
    expect(segments(loss?.steps ?? [])).toEqual([[0, 50], [50, 80]]);
    const curve = toCurve(loss!);
    expect(curve.restarts).toEqual([0]);
    expect(curve.values[0]).toBe(0.9); // the newer fit replaces the older from its first epoch on
  });

  it('a second fit that wrote its header again is read without problems', async () => {
    const { run, problems } = await read(await temp(`epoch,loss,lr\n${first.join('\n')}\nepoch,loss,lr\n${second.join('\n')}\n`));
    expect(problems).toEqual([]);
    expect(run.scalars.get('loss')?.steps.length).toBe(80);
    expect(run.scalars.get('lr')?.steps[50]).toBe(0);
  });
});

describe('kerasCsvReader: odd files', () => {
  it('reads a header with spaces after the commas', async () => {
    const { run, problems } = await read(await temp('epoch, loss, val_loss\n0, 0.9, 1.0\n1, 0.8, 0.9\n'));
    expect(problems).toEqual([]);
    expect([...run.scalars.keys()]).toEqual(['loss', 'val_loss']);
    expect(run.scalars.get('val_loss')?.values).toEqual([1.0, 0.9]);
  });

  it('reads CR-only line ends (old Mac) and \r\r\n (Windows text mode)', async () => {
    for (const content of ['epoch,loss\r0,0.9\r1,0.8\r', 'epoch,loss\r\r\n0,0.9\r\r\n1,0.8\r\r\n']) {
      const { run, problems } = await read(await temp(content));
      expect(problems).toEqual([]);
      expect(run.scalars.get('loss')?.values).toEqual([0.9, 0.8]);
    }
  });

  it('a crashed log with a zero-filled tail: the rows before it are read, one zero-filled problem', async () => {
    const path = await temp(Buffer.concat([Buffer.from('epoch,loss,val_loss\n0,0.9,1.0\n1,0.8,0.9\n'), Buffer.alloc(8192)]));
    const head = new Uint8Array(4096);
    head.set(Buffer.from('epoch,loss,val_loss\n0,0.9,1.0\n1,0.8,0.9\n'));
    expect(kerasCsvReader.detect(path, head)).toBe(true);
    for (const options of [{}, FINAL]) {
      const { run, problems } = await read(path, options);
      expect(run.scalars.get('loss')?.steps).toEqual([0, 1]);
      expect(problems.map((p) => [p.code, p.message.slice(0, 41)])).toEqual([['zero-filled', 'bytes 40-8231: 8192 zero (NUL) bytes wher']]);
      run.scalars.clear();
    }
  });

  it('a final read takes a complete last row without a line end, and reports a cut one', async () => {
    const whole = await read(await temp('epoch,loss,val_loss\n0,0.9,1.0\n1,0.8,0.9'), FINAL);
    expect([whole.problems, whole.run.scalars.get('val_loss')?.steps]).toEqual([[], [0, 1]]);
    const cut = await read(await temp('epoch,loss,val_loss\n0,0.9,1.0\n1,0.8'), { ...FINAL, displayPath: 'runs/training.log' } as ReadOptions);
    expect(cut.problems).toEqual([{
      file: 'runs/training.log',
      code: 'truncated',
      message: 'line 3 (byte 30): the last line has no line end and only 2 of 3 columns: cut short; row skipped',
    }]);
    expect(cut.run.scalars.get('loss')?.steps).toEqual([0]);
  });

  it('a following read leaves a last row without a line end for later, with a truncated problem watch holds back', async () => {
    const { run, problems, cursor } = await read(await temp('epoch,loss\n0,0.9\n1,0.8'));
    expect(run.scalars.get('loss')?.steps).toEqual([0]);
    expect(problems.map((p) => p.code)).toEqual(['truncated']);
    expect(cursor.offset).toBe(17);
  });
});
