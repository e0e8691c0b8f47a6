import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorboardReader } from '../formats/tensorboard/index.js';
import { createRun, runSink } from '../telemetry/run.js';
import { Recorder } from './recorder.js';

describe('Recorder', () => {
  it('thins a series beyond maxPoints, keeping the first and the last point', () => {
    const rec = new Recorder('mem', null, 100);
    for (let i = 0; i < 101; i++) rec.scalar('loss', i, i);
    const s = rec.run.scalars.get('loss');
    expect(s?.values).toHaveLength(51);
    expect(s?.steps[0]).toBe(0);
    expect(s?.steps.at(-1)).toBe(100);
    expect(s?.wallTimes).toHaveLength(51);
  });

  it('gives epoch_* tags the epoch unit, as the TensorBoard reader does', () => {
    const rec = new Recorder('mem', null, 100);
    rec.scalar('epoch_loss', 0, 1);
    rec.scalar('loss', 0, 1);
    expect(rec.run.scalars.get('epoch_loss')?.unit).toBe('epoch');
    expect(rec.run.scalars.get('loss')?.unit).toBe('step');
  });

  it('scales a histogram of a strided sample to the size of the whole tensor', () => {
    const rec = new Recorder('mem', null, 100);
    const h = rec.histogram('parameters/w', 0, [1, 2, 3, 4], 400);
    expect(h.num).toBe(400);
    expect(h.sum).toBeCloseTo(1000);
    expect(h.bucketCounts.reduce((a, b) => a + b, 0)).toBeCloseTo(400);
  });

  it('buffers events recorded before the event file is open and writes them all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-rec-'));
    try {
      const rec = new Recorder(dir, dir, 1000);
      rec.scalar('loss', 0, 2.5); // synchronously, before the writer module has loaded
      rec.histogram('activations/a', 0, [0, 1, 2]);
      await rec.close();
      const files = await readdir(dir);
      const back = createRun(dir, 'tensorboard');
      await tensorboardReader.read(join(dir, files[0] as string), runSink(back), {});
      expect(back.scalars.get('loss')?.values).toEqual([2.5]);
      expect(back.histograms.get('activations/a')?.histograms[0]?.num).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unwritable log directory at close, and keeps recording in memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-rec-'));
    try {
      const file = join(dir, 'a-file');
      await writeFile(file, 'not a directory');
      const rec = new Recorder('bad', join(file, 'logs'), 100);
      rec.scalar('loss', 0, 1);
      await expect(rec.close()).rejects.toThrow(/ENOTDIR|EEXIST/);
      expect(rec.run.scalars.get('loss')?.values).toEqual([1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
