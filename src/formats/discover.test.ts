import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { discoverRuns } from './discover.js';
import { readers } from './index.js';
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

describe('discoverRuns on awkward trees (real readers)', () => {
  let tree = '';
  let outside = '';
  beforeAll(async () => {
    tree = await mkdtemp(join(tmpdir(), 'nndoctor-discover-tree-'));
    outside = await mkdtemp(join(tmpdir(), 'nndoctor-discover-outside-'));
    const put = async (base: string, rel: string, text: string): Promise<void> => {
      await mkdir(join(base, rel, '..'), { recursive: true });
      await writeFile(join(base, rel), text);
    };
    await put(tree, 'keras/a/training.log', 'epoch,loss\n0,1.0\n1,0.8\n');
    await put(tree, 'mlruns/3/meta.yaml', "experiment_id: '3'\nname: exp\n");
    await put(tree, 'mlruns/3/r1/meta.yaml', 'run_id: r1\n');
    await put(tree, 'mlruns/3/r1/metrics/loss', '1 0.9 0\n2 0.8 1\n');
    await put(tree, 'mlruns/3/r1/metrics/val/loss', '1 1.0 0\n2 0.9 1\n');
    await put(tree, 'mlruns/3/r1/metrics/training.log', 'epoch,loss\n'); // a metric named like a Keras log: still the run's metric
    await put(tree, 'mlruns/3/r1/params/epochs', '2');
    await put(tree, 'mlruns/3/r2/meta.yaml', 'run_id: r2\n');
    await put(tree, 'mlruns/3/r2/metrics/loss', '1 0.7 0\n');
    await put(outside, 'linked-run/training.log', 'epoch,loss\n0,2.0\n');
    await symlink(join(outside, 'linked-run'), join(tree, 'keras', 'linked')); // a run folder linked in
    await symlink(join(outside, 'linked-run', 'training.log'), join(tree, 'keras', 'file-link.log')); // a linked file
    await symlink(join(tree, 'keras'), join(tree, 'keras', 'a', 'up')); // a loop
    const bad = Buffer.concat([Buffer.from(join(tree, 'keras', 'bad-')), Buffer.from([0xc3, 0x28])]); // not UTF-8
    mkdirSync(bad);
    writeFileSync(Buffer.concat([bad, Buffer.from('/training.log')]), 'epoch,loss\n0,1\n');
  });

  it('groups an MLflow store into one run per run folder, follows links, cuts loops, skips a bad name with one problem', async () => {
    const { runs, problems } = await discoverRuns([tree], readers, { followLinks: true });
    const rel = (p: string): string => p.slice(tree.length + 1);
    expect(runs.map((r) => [rel(r.id), r.reader.name])).toEqual([
      ['keras/a/training.log', 'keras-csv'],
      ['keras/file-link.log', 'keras-csv'],
      ['mlruns/3/r1', 'mlflow'],
      ['mlruns/3/r2', 'mlflow'],
      ['keras/linked/training.log', 'keras-csv'],
    ]);
    expect(runs[2]?.files.map((f) => rel(f.path))).toEqual(['mlruns/3/r1/meta.yaml', 'mlruns/3/r1/metrics/loss', 'mlruns/3/r1/metrics/training.log', 'mlruns/3/r1/metrics/val/loss']);
    expect(problems.map((p) => [p.code, rel(p.file)])).toEqual([
      ['bad-name', 'keras'],
      ['symlink-loop', 'keras/a/up'],
    ]);
  });

  it('a folder with a non-UTF-8 name does not hide the rest of the root', async () => {
    const { runs, problems } = await discoverRuns([join(tree, 'keras')], readers, { followLinks: true });
    expect(runs.length).toBe(3); // a/training.log, file-link.log, linked/training.log
    expect(problems.filter((p) => p.code === 'bad-name')).toHaveLength(1);
    expect(problems.some((p) => p.code === 'not-found')).toBe(false);
  });

  it('follows no link unless asked (the dashboard never opens a file outside its paths)', async () => {
    const { runs, problems } = await discoverRuns([join(tree, 'keras')], readers);
    expect(runs.map((r) => r.id.slice(tree.length + 1))).toEqual(['keras/a/training.log']);
    expect(problems.map((p) => p.code)).toEqual(['bad-name']);
  });
});

describe('discoverRuns and W&B run folders (real readers)', () => {
  let project = '';
  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'nndoctor-discover-wandb-'));
    const put = async (rel: string, data: string | Uint8Array): Promise<void> => {
      await mkdir(join(project, rel, '..'), { recursive: true });
      await writeFile(join(project, rel), data);
    };
    const header = Uint8Array.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]); // an empty .wandb log: its header only
    await put('wandb/run-20240101_000000-aaaa/run-aaaa.wandb', header);
    await put('wandb/run-20240101_000000-aaaa/files/config.yaml', 'wandb_version: 1\nlr:\n  value: 0.1\n');
    await put('wandb/run-20240101_000000-aaaa/files/wandb-summary.json', '{"loss": 1}');
    await put('wandb/run-20240101_000000-aaaa/files/output.log', 'epoch,loss\n0,1\n');
    await put('wandb/run-20240101_000000-aaaa/logs/debug.log', 'x');
    await put('wandb/debug.log', 'x');
    await put('logs/training.log', 'epoch,loss\n0,1.0\n1,0.8\n');
    await symlink('run-20240101_000000-aaaa', join(project, 'wandb', 'latest-run'));
  });

  it('walks wandb/ folders: one run per run folder (history and config), latest-run not a second run', async () => {
    const { runs, problems } = await discoverRuns([project], readers, { followLinks: true });
    expect(problems).toEqual([]);
    const rel = (p: string): string => p.slice(project.length + 1);
    expect(runs.map((r) => [rel(r.id), r.reader.name])).toEqual([
      ['logs/training.log', 'keras-csv'],
      ['wandb/run-20240101_000000-aaaa', 'wandb'],
    ]);
    expect(runs[1]?.files.map((f) => rel(f.path))).toEqual(['wandb/run-20240101_000000-aaaa/files/config.yaml', 'wandb/run-20240101_000000-aaaa/run-aaaa.wandb']);
  });

  it('a history outside a run-* folder claims only itself and its config: the other logs there are read as usual', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-discover-wandb-exports-'));
    await writeFile(join(dir, 'wandb-history.jsonl'), '{"loss": 1.0, "_step": 0}\n{"loss": 0.8, "_step": 1}\n');
    await writeFile(join(dir, 'training.log'), 'epoch,loss\n0,1.0\n1,0.8\n');
    const { runs } = await discoverRuns([dir], readers, { followLinks: true });
    expect(runs.map((r) => [r.id.slice(dir.length), r.reader.name]).sort()).toEqual([['', 'wandb'], [`${sep}training.log`, 'keras-csv']]);
  });

  it('reads a file reached again through a second given path once', async () => {
    const { runs, problems } = await discoverRuns([join(project, 'wandb'), join(project, 'wandb', 'latest-run'), project, join(project, 'logs')], readers, { followLinks: true });
    expect(problems).toEqual([]);
    expect(runs.map((r) => r.id.slice(project.length + 1))).toEqual(['wandb/run-20240101_000000-aaaa', 'logs/training.log']);
  });
});
