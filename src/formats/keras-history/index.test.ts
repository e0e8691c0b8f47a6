import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink } from '../../telemetry/run.js';
import { discoverRuns } from '../discover.js';
import { hfTrainerStateReader } from '../hf-trainer-state/index.js';
import { readers } from '../index.js';
import { kerasHistoryReader } from './index.js';
import { realLabelledPath } from '../../test-support/real-runs.js';

const amdl = realLabelledPath('hf_keras_mlflow/amdl/');
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-keras-history-'));
});

async function readText(name: string, text: string): Promise<{ run: ReturnType<typeof createRun>; problems: Array<{ code: string; message: string }> }> {
  const path = join(dir, name);
  await writeFile(path, text);
  const run = createRun(path, 'keras-history');
  const { problems } = await kerasHistoryReader.read(path, runSink(run), { displayPath: path });
  return { run, problems };
}

describe('keras-history reader', () => {
  it('reads the labelled History.history dumps: one point per epoch, unit epoch', async () => {
    const { runs, problems } = await discoverRuns([amdl], readers);
    expect(problems).toEqual([]);
    expect(runs.map((r) => [r.id.slice(amdl.length), r.reader.name])).toEqual([
      ['model_history_1024.json', 'keras-history'],
      ['model_history_intermediate_sgd_001.json', 'keras-history'],
    ]);
    const run = createRun('amdl', 'keras-history');
    const result = await kerasHistoryReader.read(join(amdl, 'model_history_1024.json'), runSink(run), {});
    expect(result.problems).toEqual([]);
    const loss = run.scalars.get('loss');
    expect(loss?.unit).toBe('epoch');
    expect(loss?.steps.slice(0, 3)).toEqual([0, 1, 2]);
    expect(loss?.values[0]).toBeCloseTo(1.9388617277145386, 12);
    expect(run.scalars.get('val_loss')?.values.length).toBe(loss?.values.length);
  });

  it('reads lists of different lengths, each as epochs 0..n-1, with one problem naming keys and lengths', async () => {
    const { run, problems } = await readText('ragged.json', '{"val_loss": [1.0, 0.9], "loss": [1.2, 1.0, 0.8, 0.7], "accuracy": [0.1, 0.2, 0.3, 0.4]}');
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 3]);
    expect(run.scalars.get('val_loss')?.steps).toEqual([0, 1]);
    expect(problems.map((p) => p.code)).toEqual(['bad-shape']);
    expect(problems[0]?.message).toContain('"loss" has 4 values, "val_loss" has 2');
  });

  it("reads Python's NaN/Infinity tokens as numbers, and reports values that are not numbers by key and epoch", async () => {
    const { run, problems } = await readText('nan.json', '{"loss": [2.3, NaN, Infinity, "x", -Infinity]}');
    expect(run.scalars.get('loss')?.values).toEqual([2.3, NaN, Infinity, -Infinity]);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 4]);
    expect(problems.map((p) => [p.code, p.message])).toEqual([['bad-value', 'key "loss", epoch 3: expected a number, found "x"; skipped']]);
  });

  it('reads the pandas dump of a history ({"loss": {"0": ...}})', async () => {
    const { run, problems } = await readText('pandas.json', '{"loss":{"0":0.9,"1":0.7},"val_loss":{"0":1.0,"1":null}}');
    expect(problems).toEqual([]);
    expect(run.scalars.get('loss')?.values).toEqual([0.9, 0.7]);
    expect(run.scalars.get('val_loss')?.values).toEqual([1.0]);
  });

  it('reports bad JSON and a top level that is not an object, never throws', async () => {
    expect((await readText('cut.json', '{"loss": [1.0, 0.9')).problems.map((p) => p.code)).toEqual(['bad-json']);
    expect((await readText('list.json', '[1, 2]')).problems.map((p) => p.code)).toEqual(['bad-shape']);
  });

  it('re-reads a rewritten history and pushes only the new epochs', async () => {
    const path = join(dir, 'grow.json');
    await writeFile(path, '{"loss": [1.0, 0.9]}');
    const run = createRun(path, 'keras-history');
    const first = await kerasHistoryReader.read(path, runSink(run), {});
    expect((await kerasHistoryReader.read(path, runSink(run), { from: first.cursor })).records).toBe(0);
    await writeFile(path, '{"loss": [1.0, 0.9, 0.8]}');
    const third = await kerasHistoryReader.read(path, runSink(run), { from: first.cursor });
    expect(third.records).toBe(1);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2]);
  });

  it('claims History.history JSON only: not trainer_state.json, configs or other JSON', () => {
    const yes = ['{"loss": [0.5, 0.4], "val_loss": [0.6]}', '{"accuracy": [0.5], "loss": [1]}', '{ "val_loss": [NaN, 1.0] }', '{"loss":{"0":0.9}}'];
    for (const text of yes) expect(kerasHistoryReader.detect('h.json', bytes(text))).toBe(true);
    const no: Array<[string, string]> = [
      ['trainer_state.json', '{"log_history": [{"loss": 1, "step": 1}]}'],
      ['state.json', '{"best_metric": null, "log_history": [{"loss": [1]}]}'],
      ['config.json', '{"name": "cnn", "layers": [{"units": 3}]}'],
      ['data.json', '{"data": [1, 2, 3]}'],
      ['history.txt', '{"loss": [0.5]}'],
      ['runs.json', '[{"loss": 0.5}]'],
    ];
    for (const [name, text] of no) expect(kerasHistoryReader.detect(name, bytes(text))).toBe(false);
    // the Hugging Face reader comes first and keeps its files
    expect(hfTrainerStateReader.detect('trainer_state.json', bytes('{"loss": [1]}'))).toBe(true);
  });
});
