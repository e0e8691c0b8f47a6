import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink, type Run } from '../../telemetry/run.js';
import { discoverRuns } from '../discover.js';
import { readers } from '../index.js';
import { loadRun } from '../load.js';
import type { Problem } from '../reader.js';
import { mlflowReader } from './index.js';
import { realLabelledPath } from '../../test-support/real-runs.js';

const labelled = realLabelledPath('hf_keras_mlflow/');
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function load(paths: string[]): Promise<{ runs: Map<string, Run>; problems: Problem[] }> {
  const found = await discoverRuns(paths, readers);
  const runs = new Map<string, Run>();
  const problems = [...found.problems];
  for (const source of found.runs) {
    const loaded = await loadRun(source);
    runs.set(source.id, loaded.run);
    problems.push(...loaded.problems);
  }
  return { runs, problems };
}

let store = '';
const runA = (): string => join(store, 'mlruns', '0', 'aaaa1111');
const runB = (): string => join(store, 'mlruns', '0', 'bbbb2222');

beforeAll(async () => {
  store = await mkdtemp(join(tmpdir(), 'nndoctor-mlflow-'));
  const files: Record<string, string> = {
    'mlruns/0/meta.yaml': "artifact_location: file:///x/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
    'mlruns/0/aaaa1111/meta.yaml': "artifact_uri: file:///x\nexperiment_id: '0'\nname: ''\nrun_id: aaaa1111\nrun_uuid: aaaa1111\nstatus: 3\n",
    'mlruns/0/aaaa1111/metrics/train/loss': '1000 2.0 1\n2000 1.5 2\n3000 1.2 3\n',
    'mlruns/0/aaaa1111/metrics/final accuracy': '4000 0.91 0\n',
    // log_metric without step=: every step is 0, the timestamp rank orders the curve
    'mlruns/0/aaaa1111/metrics/val_loss': '1500 1.9 0\n3500 1.1 0\n2500 1.4 0\n',
    'mlruns/0/aaaa1111/params/num_classes': '10\n',
    'mlruns/0/aaaa1111/params/optimizer': 'adam',
    'mlruns/0/aaaa1111/params/use_reg': 'True',
    'mlruns/0/aaaa1111/tags/mlflow.runName': 'brave-fox-7',
    'mlruns/0/bbbb2222/meta.yaml': "run_id: bbbb2222\nrun_name: quiet-owl-3\nexperiment_id: '0'\n",
    // a line with two fields among three-field lines, a non-number and a step that is not an integer
    'mlruns/0/bbbb2222/metrics/loss': '1000 0.9 0\n2000 0.8\n3000 abc 2\n4000 0.6 3.5\n5000 nan 4\n6000 0.5 5\n',
    // before MLflow 0.9 lines had no step: read as step 0, then ranked
    'mlruns/0/bbbb2222/metrics/old_acc': '1000 0.5\n2000 0.6\n',
    'mlruns/0/bbbb2222/metrics/garbage': 'not a metric line\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(store, rel, '..'), { recursive: true });
    await writeFile(join(store, rel), text);
  }
});

describe('mlflow reader', () => {
  it('makes one run per run folder (not per metric file, not the experiment), with its series and metadata', async () => {
    const { runs, problems } = await load([join(store, 'mlruns')]);
    expect([...runs.keys()]).toEqual([runA(), runB()]);
    const a = runs.get(runA()) as Run;
    expect(a.format).toBe('mlflow');
    expect([...a.scalars.keys()].sort()).toEqual(['final accuracy', 'train/loss', 'val_loss']);
    expect(a.scalars.get('train/loss')?.steps).toEqual([1, 2, 3]);
    expect(a.scalars.get('train/loss')?.wallTimes).toEqual([1, 2, 3]);
    expect(a.scalars.get('val_loss')?.steps).toEqual([0, 1, 2]);
    expect(a.scalars.get('val_loss')?.values).toEqual([1.9, 1.4, 1.1]);
    expect(a.scalars.get('final accuracy')?.values).toEqual([0.91]);
    expect(a.meta.get('name')).toBe('brave-fox-7');
    expect(a.meta.get('num_classes')).toBe(10);
    expect(a.meta.get('optimizer')).toBe('adam');
    expect(a.meta.get('use_reg')).toBe(true);
    expect(a.files[0]).toBe(join(runA(), 'meta.yaml'));
    const b = runs.get(runB()) as Run;
    expect(b.meta.get('name')).toBe('quiet-owl-3');
    expect(b.scalars.get('old_acc')?.steps).toEqual([0, 1]);
    // the bad lines are problems naming the file, the line and what was expected; the rest is read
    expect(b.scalars.get('loss')?.steps).toEqual([0, 4, 5]);
    expect(b.scalars.get('loss')?.values).toEqual([0.9, NaN, 0.5]);
    const loss = problems.filter((p) => p.file === join(runB(), 'metrics', 'loss'));
    expect(loss.map((p) => p.code)).toEqual(['bad-line', 'bad-value', 'bad-value']);
    expect(loss[0]?.message).toMatch(/^line 2: expected "<timestamp> <value> <step>", found 2 field\(s\)/);
    expect(loss[1]?.message).toMatch(/^line 3: .*a number as the value, found "abc"/);
    expect(loss[2]?.message).toMatch(/^line 4: .*an integer step, found "3.5"/);
    // a file below metrics/ whose first line is not a metric line still belongs to the run, and says why
    expect(problems.filter((p) => p.file.endsWith('garbage')).map((p) => p.code)).toEqual(['bad-line']);
  });

  it('reads a grown metric file from its cursor, continuing timestamp ranks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-mlflow-grow-'));
    const file = join(dir, 'r', 'metrics', 'loss');
    await mkdir(join(dir, 'r', 'metrics'), { recursive: true });
    await writeFile(join(dir, 'r', 'meta.yaml'), 'run_id: r\n');
    await writeFile(file, '1000 1.0 0\n2000 0.9 0\n3000 0.8');
    const run = createRun('r', 'mlflow');
    const first = await mlflowReader.read(file, runSink(run), {});
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1]); // the last line has no newline yet
    await appendFile(file, ' 0\n4000 0.7 0\n');
    const second = await mlflowReader.read(file, runSink(run), { from: first.cursor });
    expect(second.records).toBe(2);
    expect(run.scalars.get('loss')?.steps).toEqual([0, 1, 2, 3]);
    expect(run.scalars.get('loss')?.values).toEqual([1.0, 0.9, 0.8, 0.7]);
  });

  it('detects a run meta.yaml and metric files, not an experiment meta.yaml or look-alikes elsewhere', () => {
    expect(mlflowReader.detect('mlruns/1/abc/meta.yaml', bytes('artifact_uri: x\nrun_id: abc\n'))).toBe(true);
    expect(mlflowReader.detect('mlruns/1/meta.yaml', bytes("artifact_location: x\nexperiment_id: '1'\n"))).toBe(false);
    expect(mlflowReader.detect('mlruns/1/abc/metrics/val_loss', bytes('1645787668014 0.13 0\n'))).toBe(true);
    expect(mlflowReader.detect('mlruns/1/abc/metrics/final error', bytes('1733401484592 20.86 0\n'))).toBe(true);
    expect(mlflowReader.detect('notes/loss.txt', bytes('1645787668014 0.13 0\n'))).toBe(false);
    expect(mlflowReader.detect('mlruns/1/abc/metrics/x', bytes('epoch,loss\n'))).toBe(false);
  });
});

describe('mlflow reader on the labelled runs', () => {
  it('finds the 11 labelled runs with 1-based (cnntention) and 0-based (deepnilm) epochs', async () => {
    const { runs, problems } = await load([join(labelled, 'cnntention'), join(labelled, 'deepnilm')]);
    expect(problems).toEqual([]);
    expect(runs.size).toBe(11);
    for (const [id, run] of runs) {
      expect(id).toMatch(/mlruns\/\d+\/[0-9a-f]{32}$/);
      expect(run.scalars.get('train_loss')?.values.length).toBeGreaterThan(10);
    }
    const cnn = runs.get(join(labelled, 'cnntention/mlruns/833036032974162673/2e42cda57af9477f8996fb9dfea53a5e')) as Run;
    expect(cnn.meta.get('name')).toBe('sincere-snake-245');
    expect(cnn.meta.get('batch_size')).toBe(128);
    expect(cnn.scalars.get('valid_loss')?.steps.slice(0, 3)).toEqual([1, 2, 3]);
    expect(cnn.scalars.get('final accuracy')?.values).toEqual([0.7914]);
    const nilm = runs.get(join(labelled, 'deepnilm/mlflow/mlruns/1/0add8460f20841cebf8b6a0921301254')) as Run;
    expect(nilm.scalars.get('val_loss')?.steps).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(nilm.scalars.get('val_loss')?.values[0]).toBeCloseTo(0.13028749823570251, 12);
  });
});
