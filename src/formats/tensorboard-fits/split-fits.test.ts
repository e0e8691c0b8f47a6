import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverRuns } from '../discover.js';
import { readers } from '../index.js';
import { loadRun } from '../load.js';
import { encodeEvent } from '../tensorboard/proto.js';
import { frameRecord } from '../tensorboard/records.js';
import { probeEventFile, type EventFileProbe } from './probe.js';
import { splitFits } from './split-fits.js';
import { realLabelledPath } from '../../test-support/real-runs.js';

const tb = realLabelledPath('tensorboard/');

/** Scalars `[step, wall time]` of one tag, after a `file_version` record opened at `opened`. */
function eventFile(opened: number, points: ReadonlyArray<readonly [number, number]>, tag = 'loss', extra: Array<[string, number, number]> = []): Buffer {
  const records = [frameRecord(encodeEvent({ wall_time: opened, step: 0, file_version: 'brain.Event:2' }))];
  for (const [t, step, wall] of extra) records.push(frameRecord(encodeEvent({ wall_time: wall, step, summary: { value: [{ tag: t, simple_value: 0 }] } })));
  for (const [step, wall] of points) records.push(frameRecord(encodeEvent({ wall_time: wall, step, summary: { value: [{ tag, simple_value: 1 / (step + 1) }] } })));
  return Buffer.concat(records);
}
const steps = (from: number, n: number, wall: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [from + i, wall + i]);

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nndoctor-fits-'));
  const files: Record<string, Buffer> = {
    // two fits: both start at step 0, the second opened after the first ended
    'fits/events.out.tfevents.1000.h': eventFile(1000, steps(0, 5, 1001)),
    'fits/events.out.tfevents.5000.h': eventFile(5000, steps(0, 5, 5001)),
    // resumed: the second file continues the steps
    'resumed/events.out.tfevents.1000.h': eventFile(1000, steps(0, 5, 1001)),
    'resumed/events.out.tfevents.2000.h': eventFile(2000, steps(5, 5, 2001)),
    // two writers at the same time, both from step 0: one run
    'together/events.out.tfevents.1000.h': eventFile(1000, steps(0, 5, 1001), 'train/loss'),
    'together/events.out.tfevents.1002.h': eventFile(1002, steps(0, 5, 1003), 'val/loss'),
    // Lightning logs hp_metric at step 0 on every start: the other tags decide
    'lightning/events.out.tfevents.1000.h': eventFile(1000, steps(0, 5, 1001), 'train_loss', [['hp_metric', 0, 1000]]),
    'lightning/events.out.tfevents.5000.h': eventFile(5000, steps(5, 5, 5001), 'train_loss', [['hp_metric', 0, 5000]]),
    // header-only and 0-byte files join a fit and make no run of their own
    'empties/events.out.tfevents.1000.h': eventFile(1000, steps(0, 5, 1001)),
    'empties/events.out.tfevents.1003.h': eventFile(1003, []),
    'empties/events.out.tfevents.1004.h': Buffer.alloc(0),
    'empties/events.out.tfevents.9000.h': eventFile(9000, steps(0, 5, 9001)),
    'only-empty/events.out.tfevents.1.h': eventFile(1, []),
    'only-empty/events.out.tfevents.2.h': Buffer.alloc(0),
    // larger than the probe window (1 MiB): the end is read from the tail
    'big/events.out.tfevents.1000.h': eventFile(1000, steps(0, 40_000, 1001)),
    'big/events.out.tfevents.90000.h': eventFile(90_000, steps(0, 5, 90_001)),
  };
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), data);
  }
});

async function runsOf(dir: string): Promise<Array<[string, string[]]>> {
  const { runs, problems } = await discoverRuns([join(root, dir)], readers);
  expect(problems).toEqual([]);
  const base = join(root, dir);
  return runs.map((r) => [r.id.slice(base.length) || '.', r.files.map((f) => f.path.slice(base.length + 1))]);
}

describe('event files of one folder: separate fits or one resumed run', () => {
  it('splits fits that start again at step 0 after the previous ended; run ids are the file paths', async () => {
    expect(await runsOf('fits')).toEqual([
      ['/events.out.tfevents.1000.h', ['events.out.tfevents.1000.h']],
      ['/events.out.tfevents.5000.h', ['events.out.tfevents.5000.h']],
    ]);
  });

  it('keeps a resumed run, two writers at the same time, and a Lightning restart (hp_metric at 0) together under the folder id', async () => {
    expect(await runsOf('resumed')).toEqual([['.', ['events.out.tfevents.1000.h', 'events.out.tfevents.2000.h']]]);
    expect(await runsOf('together')).toEqual([['.', ['events.out.tfevents.1000.h', 'events.out.tfevents.1002.h']]]);
    expect(await runsOf('lightning')).toEqual([['.', ['events.out.tfevents.1000.h', 'events.out.tfevents.5000.h']]]);
  });

  it('puts header-only and 0-byte files with the nearest fit, never in a run of their own', async () => {
    expect(await runsOf('empties')).toEqual([
      ['/events.out.tfevents.1000.h', ['events.out.tfevents.1000.h', 'events.out.tfevents.1003.h', 'events.out.tfevents.1004.h']],
      ['/events.out.tfevents.9000.h', ['events.out.tfevents.9000.h']],
    ]);
    expect(await runsOf('only-empty')).toEqual([['.', ['events.out.tfevents.1.h', 'events.out.tfevents.2.h']]]);
  });

  it('reads the last step of a file larger than the probe window from its tail', async () => {
    const p = await probeEventFile(join(root, 'big/events.out.tfevents.1000.h'));
    expect([p.openedAt, p.firstStep, p.lastStep, p.lastWall, p.empty]).toEqual([1000, 0, 39_999, 41_000, false]);
    expect((await runsOf('big')).map(([id]) => id)).toEqual(['/events.out.tfevents.1000.h', '/events.out.tfevents.90000.h']);
  });

  it('without the end of the previous file, steps starting again hours later are a new fit, minutes later not', () => {
    const probe = (path: string, openedAt: number): EventFileProbe => ({ path, openedAt, firstSteps: new Map([['loss', 0]]), firstStep: 0, lastStep: null, lastWall: null, empty: false });
    expect(splitFits([probe('a', 0), probe('b', 600)])).toHaveLength(1);
    expect(splitFits([probe('a', 0), probe('b', 4 * 3600)])).toHaveLength(2);
  });
});

describe('event files of one folder: labelled runs', () => {
  it('catsdogs Cats-vs-dogs-CNN: three fits of 20 epochs, one run per file', async () => {
    const dir = join(tb, 'catsdogs_keras1/logs/Cats-vs-dogs-CNN');
    const { runs } = await discoverRuns([join(tb, 'catsdogs_keras1/logs')], readers);
    expect(runs.map((r) => r.id)).toEqual([
      join(tb, 'catsdogs_keras1/logs/1-conv-32-nodes-0-dense-1540344641'),
      join(dir, 'events.out.tfevents.1540179982.NAYAN'),
      join(dir, 'events.out.tfevents.1540269347.NAYAN'),
      join(dir, 'events.out.tfevents.1540347494.NAYAN'),
    ]);
    for (const source of runs) expect((await loadRun(source)).run.scalars.get('epoch_loss')?.steps).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('fsoco_yolov5 exp9: one resumed run, epochs 0-34 then 35-99', async () => {
    const { runs } = await discoverRuns([join(tb, 'fsoco_yolov5/runs/train/exp9')], readers);
    expect(runs.map((r) => [r.id, r.files.length])).toEqual([[join(tb, 'fsoco_yolov5/runs/train/exp9'), 2]]);
    const { run, problems } = await loadRun(runs[0] as (typeof runs)[number]);
    expect(problems).toEqual([]);
    expect(run.scalars.get('train/box_loss')?.steps).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
