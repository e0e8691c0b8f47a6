import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverRuns, readers } from '../formats/index.js';
import { createEventFileWriter } from '../formats/tensorboard/index.js';
import { RunStore } from './run-store.js';
import { SERVED_MAX_POINTS, ServedRun } from './served-run.js';

let dir: string;

async function served(file: string): Promise<ServedRun> {
  const { runs } = await discoverRuns([file], readers);
  const source = runs[0];
  if (!source) throw new Error('no run found');
  const run = new ServedRun(source, 'run');
  await run.ensureLoaded();
  return run;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nndoctor-served-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ServedRun', () => {
  it('reads what a growing file gained, and a partly written line only once it is complete', async () => {
    const file = join(dir, 'metrics.jsonl');
    writeFileSync(file, '{"step":0,"loss":1}\n{"step":1,"loss":0.9}\n');
    const run = await served(file);
    expect(run.summary()).toMatchObject({ state: 'ready', points: 2, version: 1 });
    expect(await run.refresh()).toBe(false);
    appendFileSync(file, '{"step":2,"loss":0.8}\n{"step":3,"lo');
    expect(await run.refresh()).toBe(true);
    expect(run.summary()).toMatchObject({ points: 3, version: 2 });
    expect(run.problems).toEqual([]); // the unfinished line is not a problem yet
    appendFileSync(file, 'ss":0.7}\n');
    expect(await run.refresh()).toBe(true);
    expect(run.curve('loss')?.values).toEqual([1, 0.9, 0.8, 0.7]);
  });

  it('reads a rewritten file (a CSV with a new header) again from the start', async () => {
    const file = join(dir, 'training.log');
    writeFileSync(file, 'epoch,loss,val_loss\n0,1.0,1.1\n1,0.9,1.0\n');
    const run = await served(file);
    expect(run.curve('loss')?.values).toEqual([1, 0.9]);
    writeFileSync(file, 'epoch,accuracy,loss,val_loss\n0,0.5,2.0,2.1\n1,0.6,1.8,1.9\n2,0.7,1.6,1.7\n');
    expect(await run.refresh()).toBe(true);
    expect(run.curve('loss')?.values).toEqual([2, 1.8, 1.6]);
    expect(run.curve('accuracy')?.values).toEqual([0.5, 0.6, 0.7]);
  });

  it('reads a truncated file again from the start', async () => {
    const file = join(dir, 'metrics.jsonl');
    writeFileSync(file, '{"step":0,"loss":1}\n{"step":1,"loss":0.9}\n{"step":2,"loss":0.8}\n');
    const run = await served(file);
    writeFileSync(file, '{"step":0,"loss":5}\n');
    expect(await run.refresh()).toBe(true);
    expect(run.curve('loss')?.values).toEqual([5]);
  });

  it('keeps bounded series while it reads a long event file (memory does not grow with the file), exact where it matters', async () => {
    const steps = 3 * SERVED_MAX_POINTS;
    const nanFrom = 2 * SERVED_MAX_POINTS + 123;
    const w = createEventFileWriter(join(dir, 'long'), { hostname: 'test', flushBytes: 1 << 20 });
    for (let step = 0; step < steps; step++) {
      w.scalar('train/loss', step, step >= nanFrom ? NaN : 2 / (1 + step / 500));
      w.scalar('lr', step, 1e-3);
      if (step % 10 === 0) w.histogram('weights/fc1', step, new Float32Array([0.1, -0.2, 0.3 + step * 1e-5]));
    }
    w.scalar('val/loss', steps - 1, 0.75);
    w.close();
    const store = new RunStore({ paths: [dir] });
    try {
      await store.discover();
      await store.settle();
      const [run] = store.list();
      if (!run) throw new Error('no run');
      for (const series of run.run.scalars.values()) expect(series.values.length, series.tag).toBeLessThanOrEqual(SERVED_MAX_POINTS);
      expect(run.run.scalars.get('train/loss')?.values.length).toBeGreaterThanOrEqual(SERVED_MAX_POINTS / 2);
      expect(run.run.histograms.get('weights/fc1')?.histograms.length).toBeLessThanOrEqual(256);
      const summary = run.summary();
      expect(summary.points).toBe(2 * steps + 1); // raw points read
      expect(summary.lastStep).toBe(steps - 1);
      expect(summary.trainLoss).toEqual({ tag: 'train/loss', step: steps - 1, value: 'NaN' });
      // The first non-finite step stays exact in the kept series, so the diagnosis names it.
      const loss = run.run.scalars.get('train/loss');
      const firstBad = loss?.values.findIndex((v) => !Number.isFinite(v)) ?? -1;
      expect(loss?.steps[firstBad]).toBe(nanFrom);
      const c6 = run.latestReport?.findings.find((f) => f.check === 'C6' || f.check === 'T1');
      expect(c6?.steps?.[0]).toBe(nanFrom);
    } finally {
      await store.close();
    }
  });
});
