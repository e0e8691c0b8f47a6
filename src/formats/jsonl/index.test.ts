import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink } from '../../telemetry/run.js';
import type { ReadOptions } from '../reader.js';
import { jsonlReader } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function temp(lines: string | string[], ext = '.jsonl'): Promise<string> {
  const path = join(dir, `metrics${n++}${ext}`);
  await writeFile(path, typeof lines === 'string' ? lines : `${lines.join('\n')}\n`);
  return path;
}

async function read(path: string, options: ReadOptions = {}) {
  const run = createRun('r', 'jsonl');
  const result = await jsonlReader.read(path, runSink(run), options);
  return { run, ...result };
}

const HISTOGRAM = { min: -1, max: 1, num: 4, sum: 0, sum_squares: 2, bucket_limits: [0, 1], bucket_counts: [2, 2] };

describe('jsonlReader forms', () => {
  it('reads tagged, compact, histogram and meta lines', async () => {
    const path = await temp([
      '{"meta": {"framework": "jax", "batch_size": 32, "shuffle": true}}',
      '{"step": 1, "tag": "train/loss", "value": 0.9, "wall_time": 1700000000.5}',
      '{"step": 1, "epoch": 0.5, "lr": 0.001, "train/acc": 0.4, "split": "train"}',
      '{"step": 2, "tag": "train/loss", "value": null}',
      '{"step": 2, "train/loss": "Infinity", "grad_norm": "NaN", "time": 12}',
      '',
      '{"step": 3, "tag": "gradients/dense", "histogram": ' + JSON.stringify(HISTOGRAM) + '}',
      '{"step": 1, "tag": "val/loss", "value": 0.7, "unit": "epoch"}',
      '{"step": 2, "epoch": 1, "val_acc": -Infinity}',
    ]);
    const { run, problems, records } = await read(path);
    expect(problems).toEqual([]);
    expect(records).toBe(8);
    const loss = run.scalars.get('train/loss');
    expect(loss?.steps).toEqual([1, 2, 2]);
    expect(loss?.values).toEqual([0.9, NaN, Infinity]);
    expect(loss?.wallTimes).toEqual([1700000000.5, NaN, 12]);
    expect(run.scalars.get('lr')?.values).toEqual([0.001]);
    expect(run.scalars.has('split')).toBe(false);
    expect(run.scalars.get('grad_norm')?.values).toEqual([NaN]);
    expect(run.scalars.get('val/loss')?.unit).toBe('epoch');
    expect(run.scalars.get('val_acc')?.values).toEqual([-Infinity]);
    expect(run.scalars.get('epoch')?.steps).toEqual([1, 2]);
    expect(run.scalars.get('epoch')?.values).toEqual([0.5, 1]);
    expect(run.histograms.get('gradients/dense')?.histograms).toEqual([
      { min: -1, max: 1, num: 4, sum: 0, sumSquares: 2, bucketLimits: [0, 1], bucketCounts: [2, 2] },
    ]);
    expect(Object.fromEntries(run.meta)).toEqual({ framework: 'jax', batch_size: 32, shuffle: true });
  });

  it('detects .jsonl and .ndjson files holding objects', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(jsonlReader.detect('a/metrics.jsonl', enc('{"step": 1, "loss": 2}\n'))).toBe(true);
    expect(jsonlReader.detect('a/METRICS.NDJSON', enc(''))).toBe(true);
    expect(jsonlReader.detect('a/metrics.json', enc('{"step": 1}\n'))).toBe(false);
    expect(jsonlReader.detect('a/metrics.jsonl', enc('step,loss\n'))).toBe(false);
  });
});

describe('jsonlReader problems', () => {
  it.each([
    { line: '{"step": 1, "loss": 0.5', code: 'bad-json', message: /line 2 \(byte \d+\): not valid JSON/ },
    { line: '[1, 2]', code: 'bad-shape', message: /line 2: expected a JSON object, found an array/ },
    { line: '{"loss": 0.5}', code: 'missing-step', message: /line 2: expected a numeric "step"/ },
    { line: '{"step": "3", "loss": 0.5}', code: 'bad-value', message: /line 2: "step": expected a finite number, found "3"/ },
    { line: '{"step": 3, "tag": "loss", "value": "high"}', code: 'bad-value', message: /"value": expected a number/ },
    { line: '{"step": 3, "tag": "loss"}', code: 'bad-shape', message: /exactly one of "value" or "histogram"/ },
    { line: '{"step": 3, "tag": "h", "histogram": {"min": 0}}', code: 'bad-shape', message: /"histogram": expected a number in "max"/ },
    { line: '{"step": 3, "unit": "batch", "loss": 1}', code: 'bad-value', message: /"unit": expected "step" or "epoch"/ },
    { line: '{"step": 3, "note": "nothing numeric"}', code: 'bad-shape', message: /numeric metric keys/ },
    { line: '{"meta": [1]}', code: 'bad-shape', message: /"meta": expected an object/ },
  ])('$code: $line', async ({ line, code, message }) => {
    const path = await temp(['{"step": 0, "loss": 1}', line, '{"step": 9, "loss": 0.1}']);
    const { run, problems } = await read(path, { displayPath: 'logs/m.jsonl' });
    expect(problems.map((p) => [p.file, p.code])).toEqual([['logs/m.jsonl', code]]);
    expect(problems[0]?.message).toMatch(message);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 9]);
  });

  it('reports a missing file as unreadable', async () => {
    const { problems } = await read(join(dir, 'missing.jsonl'));
    expect(problems.map((p) => p.code)).toEqual(['unreadable']);
  });
});

describe('jsonlReader resume', () => {
  it('delivers every point exactly once across appends, with line numbers that continue', async () => {
    const path = await temp('{"step": 1, "loss": 0.9}\n{"step": 2, "epoch": 0, "loss": 0.8}\n{"step": 3, "lo');
    const run = createRun('r', 'jsonl');
    const first = await jsonlReader.read(path, runSink(run), {});
    expect([first.records, first.problems.map((p) => p.code)]).toEqual([2, ['truncated']]); // held back by watch
    await appendFile(path, 'ss": 0.7}\nnot json\n{"step": 3, "epoch": 0, "acc": 0.5}\n{"step": 4, "loss": 0.6}\n');
    const second = await jsonlReader.read(path, runSink(run), { from: first.cursor });
    expect(second.records).toBe(3);
    expect(second.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^line 4 /)]);
    expect(run.scalars.get('loss')?.steps).toEqual([1, 2, 3, 4]);
    expect(run.scalars.get('loss')?.values).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect(run.scalars.get('epoch')?.steps).toEqual([2, 3]);
    const third = await jsonlReader.read(path, runSink(run), { from: second.cursor });
    expect([third.records, third.cursor.offset]).toEqual([0, second.cursor.offset]);
  });
});
