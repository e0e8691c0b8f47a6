import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverRuns } from './discover.js';
import type { FormatReader } from './reader.js';

/** Readers that detect by file name only: discovery and grouping are under test, not decoding. */
function fake(name: string, test: (path: string) => boolean): FormatReader {
  return { name, detect: (path) => test(path), read: async () => ({ cursor: { offset: 0 }, problems: [], records: 0 }) };
}
const fakes = [
  fake('tensorboard', (p) => p.includes('tfevents')),
  fake('lightning-csv', (p) => p.endsWith('metrics.csv')),
  fake('keras-csv', (p) => p.endsWith('training.log')),
  fake('hf-trainer-state', (p) => p.endsWith('trainer_state.json')),
];

let root = '';
const files = [
  'keras_tb/run-1/train/events.out.tfevents.1.a.v2',
  'keras_tb/run-1/validation/events.out.tfevents.1.b.v2',
  'pt/exp/events.out.tfevents.1.host',
  'pt/exp/events.out.tfevents.2.host',
  'pt/exp/Loss_train/events.out.tfevents.1.host',
  'pt/exp/Loss_val/events.out.tfevents.1.host',
  'pt/other/events.out.tfevents.1.host',
  'lightning_logs/version_0/metrics.csv',
  'lightning_logs/version_0/hparams.yaml',
  'lightning_logs/version_1/metrics.csv',
  'keras_csv/a/training.log',
  'hf/out/checkpoint-500/trainer_state.json',
  'hf/out/checkpoint-1000/trainer_state.json',
  'hf/out/checkpoint-50/trainer_state.json',
  'docs/README.md',
];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nndoctor-discover-'));
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), 'x');
  }
  await mkdir(join(root, 'empty'), { recursive: true });
});

describe('discoverRuns', () => {
  it('groups files into runs as users think of them', async () => {
    const { runs, problems, ignored } = await discoverRuns([root], fakes);
    expect(problems).toEqual([]);
    expect(ignored).toBe(2); // hparams.yaml is read by the Lightning reader itself; README.md is not a log
    const byId = new Map(runs.map((r) => [r.id.slice(root.length + 1), r]));
    expect([...byId.keys()].sort()).toEqual(
      ['hf/out', 'keras_csv/a/training.log', 'keras_tb/run-1', 'lightning_logs/version_0', 'lightning_logs/version_1', 'pt/exp', 'pt/other'].sort(),
    );
    // Keras: train/ and validation/ are splits of one run
    expect(byId.get('keras_tb/run-1')?.files.map((f) => f.prefix).sort()).toEqual(['train/', 'validation/']);
    // PyTorch add_scalars sub-directories join the run whose directory holds event files; files keep name order
    expect(byId.get('pt/exp')?.files.map((f) => [f.path.slice(root.length + 1), f.prefix])).toEqual([
      ['pt/exp/events.out.tfevents.1.host', ''],
      ['pt/exp/events.out.tfevents.2.host', ''],
      ['pt/exp/Loss_train/events.out.tfevents.1.host', 'Loss_train/'],
      ['pt/exp/Loss_val/events.out.tfevents.1.host', 'Loss_val/'],
    ]);
    // Hugging Face: only the latest checkpoint's trainer_state.json holds the whole history
    expect(byId.get('hf/out')?.files.map((f) => f.path.slice(root.length + 1))).toEqual(['hf/out/checkpoint-1000/trainer_state.json']);
  });

  it('reports a missing path and an empty directory as problems, and still finds the rest', async () => {
    const { runs, problems } = await discoverRuns([join(root, 'nope'), join(root, 'empty'), join(root, 'keras_csv')], fakes);
    expect(problems.map((p) => p.code)).toEqual(['not-found', 'no-logs']);
    expect(problems[0]?.message).toContain('nope');
    expect(problems[1]?.message).toMatch(/no training logs found/);
    expect(runs).toHaveLength(1);
  });

  it('accepts a single file, and a split directory given directly', async () => {
    const single = await discoverRuns([join(root, 'keras_csv/a/training.log')], fakes);
    expect(single.runs.map((r) => r.id)).toEqual([join(root, 'keras_csv/a/training.log')]);
    const split = await discoverRuns([join(root, 'keras_tb/run-1/train')], fakes);
    expect(split.runs).toHaveLength(1);
    expect(split.runs[0]?.files[0]?.prefix).toBe('');
  });
});
