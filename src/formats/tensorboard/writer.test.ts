import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink } from '../../telemetry/run.js';
import type { Histogram } from '../../telemetry/series.js';
import { defaultBucketLimits, histogramFromValues } from './bins.js';
import { decodeEvent } from './proto.js';
import { tensorboardReader } from './reader.js';
import { createEventFileWriter } from './writer.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-tbw-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EventFileWriter', () => {
  it('writes scalars and histograms the reader reads back equal', async () => {
    const w = createEventFileWriter(join(dir, 'roundtrip'), { hostname: 'testhost' });
    expect(basename(w.path)).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.testhost\\.${process.pid}\\.\\d+$`));
    const losses = [2.3, 1.7, 1.1, 0.9, 0.85];
    losses.forEach((v, step) => w.scalar('train/loss', step * 10, v, 1000 + step));
    w.scalar('epoch_accuracy', 0, 0.5, 2000);
    w.scalar('big_step', 2 ** 40, -3.5, 2001);
    const weights = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.1);
    w.histogram('weights/dense', 40, weights, 3000);
    const given: Histogram = { min: 0, max: 3, num: 6, sum: 9, sumSquares: 17, bucketLimits: [1, 2, 3], bucketCounts: [1, 2, 3] };
    w.histogram('given', 41, given, 3001);
    w.close();

    const run = createRun('roundtrip', 'tensorboard');
    const result = await tensorboardReader.read(w.path, runSink(run), {});
    expect(result.problems).toEqual([]);
    expect(result.records).toBe(1 + 5 + 2 + 2);
    const loss = run.scalars.get('train/loss');
    expect(loss?.steps).toEqual([0, 10, 20, 30, 40]);
    expect(loss?.values).toEqual(losses.map(Math.fround)); // simple_value is a float32
    expect(loss?.wallTimes).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(run.scalars.get('epoch_accuracy')?.unit).toBe('epoch');
    expect(run.scalars.get('big_step')?.steps).toEqual([2 ** 40]);
    expect(run.histograms.get('weights/dense')?.histograms[0]).toEqual(histogramFromValues(weights));
    expect(run.histograms.get('given')?.histograms[0]).toEqual(given);
    expect(run.histograms.get('given')?.wallTimes).toEqual([3001]);
  });

  it('starts with a brain.Event:2 version event on disk, and buffers events until flush', async () => {
    const w = createEventFileWriter(join(dir, 'buffered'));
    const bytes = await readFile(w.path);
    const first = decodeEvent(bytes.subarray(12, bytes.length - 4));
    expect(first.file_version).toBe('brain.Event:2');
    w.scalar('loss', 0, 1);
    expect((await readFile(w.path)).length).toBe(bytes.length);
    w.flush();
    expect((await readFile(w.path)).length).toBeGreaterThan(bytes.length);
    w.close();
    w.close();
    expect(() => w.scalar('loss', 1, 1)).toThrow(/closed/);
  });

  it('writes to disk by itself once the buffer exceeds flushBytes', async () => {
    const w = createEventFileWriter(join(dir, 'small-buffer'), { flushBytes: 100 });
    const before = (await readFile(w.path)).length;
    for (let i = 0; i < 10; i++) w.scalar('loss', i, i);
    expect((await readFile(w.path)).length).toBeGreaterThan(before + 100);
    w.close();
  });

  it('gives two writers in the same directory and second different files', () => {
    const a = createEventFileWriter(join(dir, 'two'), { filenameSuffix: '.v2' });
    const b = createEventFileWriter(join(dir, 'two'), { filenameSuffix: '.v2' });
    expect(a.path).not.toBe(b.path);
    expect(a.path.endsWith('.v2')).toBe(true);
    a.close();
    b.close();
  });
});

describe('histogramFromValues', () => {
  it('uses TensorFlow default limits: ±1e-12 * 1.1^k below 1e20, 0, and ±MAX_VALUE outermost', () => {
    const limits = defaultBucketLimits();
    expect(limits.length).toBe(1551);
    expect(limits[0]).toBe(-Number.MAX_VALUE);
    expect(limits[775]).toBe(0);
    expect(limits[776]).toBe(1e-12);
    expect(limits[777]).toBeCloseTo(1.1e-12, 25);
    expect(limits[1550]).toBe(Number.MAX_VALUE);
    for (let i = 1; i < limits.length; i++) expect(limits[i] as number).toBeGreaterThan(limits[i - 1] as number);
  });

  it('counts values per bucket, collapses empty runs and skips non-finite values', () => {
    expect(histogramFromValues([1, 2, 3, 10, NaN, Infinity], [0, 2.5, 5, 7.5, 10, 20])).toEqual({
      min: 1, max: 10, num: 4, sum: 16, sumSquares: 114, bucketLimits: [2.5, 5, 10, 20], bucketCounts: [2, 1, 0, 1],
    });
  });

  it('keeps the default-bucket histogram finite and consistent', () => {
    const values = Array.from({ length: 500 }, (_, i) => (i - 250) / 100);
    const h = histogramFromValues(values);
    expect(h.bucketCounts.reduce((a, b) => a + b, 0)).toBe(500);
    expect(h.bucketLimits.every(Number.isFinite)).toBe(true);
    expect(h.bucketLimits.at(-1) as number).toBeGreaterThanOrEqual(h.max);
    expect(h.bucketLimits[0] as number).toBeGreaterThan(h.min);
  });

  it('describes no values as an empty histogram', () => {
    expect(histogramFromValues([])).toEqual({ min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimits: [], bucketCounts: [] });
  });
});
