import { appendFile, mkdir, mkdtemp, readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink, type Run } from '../../telemetry/run.js';
import { discoverRuns } from '../discover.js';
import { readers } from '../index.js';
import { loadRun } from '../load.js';
import type { Problem, ReadCursor } from '../reader.js';
import { configEntries } from './config-yaml.js';
import { wandbReader } from './index.js';
import { BLOCK_BYTES, FIRST, LAST, MIDDLE, RECORD_HEADER_BYTES } from './log-records.js';
import { encodeRecord, frameLog, historyRecord, type TestItem } from './test-support/write-wandb.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-wandb-'));
});

/** Writes a run folder `wandb/<name>/` with `run-<id>.wandb` (and `files/config.yaml` when given). */
async function writeRun(name: string, log: Uint8Array, config?: string, root = dir): Promise<string> {
  const runDir = join(root, 'wandb', name);
  await mkdir(join(runDir, 'files'), { recursive: true });
  await writeFile(join(runDir, `run-${name.split('-').pop() ?? 'x'}.wandb`), log);
  if (config !== undefined) await writeFile(join(runDir, 'files', 'config.yaml'), config);
  await writeFile(join(runDir, 'files', 'wandb-summary.json'), '{"loss": 0.1, "_step": 9}');
  await writeFile(join(runDir, 'files', 'output.log'), 'epoch,loss\n1,0.5\n');
  await writeFile(join(runDir, 'files', 'wandb-metadata.json'), '{"os": "Linux"}');
  return runDir;
}

async function readFile1(path: string, options: { final?: boolean; from?: ReadCursor } = { final: true }): Promise<{ run: Run; problems: Problem[]; cursor: ReadCursor; records: number }> {
  const run = createRun(path, 'wandb');
  const result = await wandbReader.read(path, runSink(run), options);
  return { run, problems: result.problems, cursor: result.cursor, records: result.records };
}

async function loadAll(paths: string[]): Promise<{ runs: Run[]; problems: Problem[] }> {
  const found = await discoverRuns(paths, readers, { followLinks: true });
  const runs: Run[] = [];
  const problems = [...found.problems];
  for (const source of found.runs) {
    const loaded = await loadRun(source);
    runs.push(loaded.run);
    problems.push(...loaded.problems);
  }
  return { runs, problems };
}

const loss = (v: number | string): TestItem => ({ key: 'loss', value_json: String(v) });
const values = (run: Run, tag: string): number[] => run.scalars.get(tag)?.values ?? [];
const steps = (run: Run, tag: string): number[] => run.scalars.get(tag)?.steps ?? [];
const CONFIG = [
  'wandb_version: 1',
  '',
  '_wandb:',
  '  desc: null',
  '  value:',
  '    cli_version: 0.16.6',
  '    python_version: 3.10.12',
  'batch_size:',
  '  desc: null',
  '  value: 64',
  'learning_rate:',
  '  desc: null',
  '  value: 0.0003',
  'optimizer:',
  '  value: adamw', // clients 0.19+ leave desc out
  'layers:',
  '  desc: null',
  '  value:',
  '  - 128',
  '  - 64',
  '',
].join('\n');

describe('wandb reader: the .wandb transaction log', () => {
  it('reads FULL records: history rows as series on _step, run name and config as metadata', async () => {
    const { bytes } = frameLog([
      encodeRecord({ run: { run_id: 'abc123', project: 'mnist', display_name: 'lr-3e-4', config: { update: [{ key: 'epochs', value_json: '10' }, { key: '_wandb', value_json: '{"cli_version": "0.16.6"}' }] } } }),
      encodeRecord({ config: { update: [{ key: 'seed', value_json: '42' }] } }),
      historyRecord(0, [loss(2.3), { key: 'epoch', value_json: '0' }]),
      historyRecord(1, [loss(1.9)]),
      historyRecord(2, [{ key: 'val_loss', value_json: '2.0' }]), // a row holds only the keys of its wandb.log call
      historyRecord(3, [loss(1.5), { key: 'note', value_json: '"text"' }, { key: 'ok', value_json: 'true' }]),
      encodeRecord({ summary: { update: [{ key: 'loss', value_json: '1.5' }] } }),
      encodeRecord({ exit: {} }),
    ]);
    const runDir = await writeRun('run-20240101_000000-abc123', bytes);
    const { run, problems, records } = await readFile1(join(runDir, 'run-abc123.wandb'));
    expect(problems).toEqual([]);
    expect(records).toBe(7); // run, config, 4 history rows, exit (the summary is not read)
    expect(values(run, 'loss')).toEqual([2.3, 1.9, 1.5]);
    expect(steps(run, 'loss')).toEqual([0, 1, 3]);
    expect(steps(run, 'val_loss')).toEqual([2]);
    expect(values(run, 'epoch')).toEqual([0]);
    expect(run.scalars.get('loss')?.wallTimes).toEqual([1_700_000_000, 1_700_000_001, 1_700_000_003]);
    for (const internal of ['_step', '_runtime', '_timestamp', 'note', 'ok']) expect(run.scalars.has(internal)).toBe(false);
    expect(Object.fromEntries(run.meta)).toEqual({
      name: 'lr-3e-4', 'wandb.run_id': 'abc123', 'wandb.project': 'mnist', epochs: 10, seed: 42, 'wandb.exit_code': 0,
    });
  });

  it('reads nested_key items (wandb-core): a flat "train/loss" is one element; real nesting is joined with /', async () => {
    const { bytes } = frameLog([
      historyRecord(0, [{ nested_key: ['train/loss'], value_json: '0.9' }, { nested_key: ['metrics', 'acc'], value_json: '0.5' }], true),
      historyRecord(1, [{ nested_key: ['train/loss'], value_json: '0.8' }, { key: 'eval/loss', value_json: '1.0' }], true),
    ]);
    const runDir = await writeRun('run-20240101_000001-nest', bytes);
    const { run, problems } = await readFile1(join(runDir, 'run-nest.wandb'));
    expect(problems).toEqual([]);
    expect([...run.scalars.keys()].sort()).toEqual(['eval/loss', 'metrics/acc', 'train/loss']);
    expect(values(run, 'train/loss')).toEqual([0.9, 0.8]);
    expect(steps(run, 'train/loss')).toEqual([0, 1]);
  });

  it('reads bare NaN and Infinity values, plain dicts as <key>.<sub> series, histograms as histograms', async () => {
    const histogram = JSON.stringify({ _type: 'histogram', values: [1, 2, 1], bins: [-1, -0.5, 0.5, 1] });
    const packed = JSON.stringify({ _type: 'histogram', values: [3, 1], packedBins: { min: 0, size: 0.5, count: 2 } });
    const { bytes } = frameLog([
      historyRecord(0, [loss('NaN'), { key: 'grad', value_json: 'Infinity' }, { key: 'gradients/fc1.weight', value_json: histogram }]),
      historyRecord(1, [loss('-Infinity'), { key: 'val', value_json: '{"loss": 1.25, "acc": NaN}' }, { key: 'gradients/fc1.weight', value_json: packed }]),
      historyRecord(2, [{ key: 'image', value_json: '{"_type": "image-file", "path": "media/x.png"}' }]),
    ]);
    const runDir = await writeRun('run-20240101_000002-nanv', bytes);
    const { run, problems } = await readFile1(join(runDir, 'run-nanv.wandb'));
    expect(problems).toEqual([]);
    expect(values(run, 'loss')).toEqual([NaN, -Infinity]);
    expect(values(run, 'grad')).toEqual([Infinity]);
    expect(values(run, 'val.loss')).toEqual([1.25]);
    expect(values(run, 'val.acc')).toEqual([NaN]);
    expect(run.scalars.has('image')).toBe(false);
    const h = run.histograms.get('gradients/fc1.weight');
    expect(h?.steps).toEqual([0, 1]);
    expect(h?.histograms[0]).toMatchObject({ min: -1, max: 1, num: 4, bucketLimits: [-0.5, 0.5, 1], bucketCounts: [1, 2, 1] });
    expect(h?.histograms[1]).toMatchObject({ min: 0, max: 1, num: 4, bucketCounts: [3, 1] });
  });

  it('reassembles FIRST/MIDDLE/LAST fragments across block boundaries', async () => {
    const big = { key: 'text', value_json: JSON.stringify('x'.repeat(80_000)) }; // spans 3 blocks
    const records = [historyRecord(0, [loss(1)])];
    for (let s = 1; s <= 4; s++) records.push(historyRecord(s, [loss(1 - s / 10), big]));
    // small records until one lands within 7 bytes of a block end (zero padding before the next)
    for (let s = 5; s < 400; s++) records.push(historyRecord(s, [loss(0.5)]));
    const { bytes } = frameLog(records);
    const types = fragmentTypes(bytes);
    expect(types.filter((t) => t === FIRST).length).toBe(4);
    expect(types.filter((t) => t === MIDDLE).length).toBeGreaterThanOrEqual(4);
    expect(types.filter((t) => t === LAST).length).toBe(4);
    const runDir = await writeRun('run-20240101_000003-frag', bytes);
    const { run, problems } = await readFile1(join(runDir, 'run-frag.wandb'));
    expect(problems).toEqual([]);
    expect(steps(run, 'loss')).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(values(run, 'loss').slice(0, 5)).toEqual([1, 0.9, 0.8, 0.7, 0.6]);
  });

  it('skips a record whose checksum fails (bad-crc naming its offset) and goes on at the next block', async () => {
    const records = Array.from({ length: 3000 }, (_, s) => historyRecord(s, [loss(1 / (s + 1))]));
    const { bytes, offsets } = frameLog(records);
    const bad = offsets[100] as number;
    const damaged = Buffer.from(bytes);
    const flip = bad + RECORD_HEADER_BYTES + 3; // a payload byte of step 100
    damaged[flip] = (damaged[flip] as number) ^ 0xff;
    const runDir = await writeRun('run-20240101_000004-bcrc', damaged);
    const { run, problems } = await readFile1(join(runDir, 'run-bcrc.wandb'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe('bad-crc');
    expect(problems[0]?.message).toContain(`byte ${bad}:`);
    const read = steps(run, 'loss');
    const nextBlock = Math.ceil(bad / BLOCK_BYTES) * BLOCK_BYTES;
    const firstAfter = offsets.findIndex((o) => o >= nextBlock);
    // everything before the bad record, nothing else of its block, everything from the next block on
    expect(read.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(read[100]).toBe(firstAfter);
    expect(read[read.length - 1]).toBe(2999);
    expect(read.length).toBe(100 + (3000 - firstAfter));
  });

  it('reads a crashed run up to its last whole record (truncated), and resumes when the file grows', async () => {
    const big = { key: 'text', value_json: JSON.stringify('y'.repeat(40_000)) };
    const records = [historyRecord(0, [loss(3)]), historyRecord(1, [loss(2)]), historyRecord(2, [loss(1), big]), historyRecord(3, [loss(0.5)])];
    const { bytes, offsets } = frameLog(records);
    const runDir = await writeRun('run-20240101_000005-trnc', bytes);
    const path = join(runDir, 'run-trnc.wandb');
    // Cut inside the fragments of step 2, past the first block end: FIRST read, LAST missing.
    const cut = BLOCK_BYTES + 100;
    await truncate(path, cut);
    const final = await readFile1(path);
    expect(values(final.run, 'loss')).toEqual([3, 2]);
    expect(final.problems.map((p) => p.code)).toEqual(['truncated']);
    expect(final.problems[0]?.message).toContain(`byte ${offsets[2]}`);
    expect(final.cursor.offset).toBe(offsets[2]);
    // A half-written record header at the end: also read up to the record before.
    await truncate(path, (offsets[1] as number) + 3);
    expect((await readFile1(path)).problems[0]?.message).toContain(`byte ${offsets[1]}`);
    // Watching a file being written: no problem, and the rest is read from the cursor.
    await writeFile(path, bytes.subarray(0, cut));
    const live = await readFile1(path, {});
    expect(live.problems).toEqual([]);
    expect(values(live.run, 'loss')).toEqual([3, 2]);
    await appendFile(path, bytes.subarray(cut));
    const rest = createRun(path, 'wandb');
    const more = await wandbReader.read(path, runSink(rest), { from: live.cursor });
    expect(more.problems).toEqual([]);
    expect(values(rest, 'loss')).toEqual([1, 0.5]);
    expect(more.cursor.offset).toBe(bytes.length);
  });

  it('reports a file that is not a W&B log, and zero bytes where records should be', async () => {
    const runDir = await writeRun('run-20240101_000006-zero', new Uint8Array(0));
    const path = join(runDir, 'run-zero.wandb');
    const { bytes } = frameLog([historyRecord(0, [loss(1)]), historyRecord(1, [loss(0.9)])]);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(BLOCK_BYTES * 2 - bytes.length), frameLog([historyRecord(2, [loss(0.8)])]).bytes.subarray(7)]));
    const zeros = await readFile1(path);
    expect(values(zeros.run, 'loss')).toEqual([1, 0.9, 0.8]);
    expect(zeros.problems.map((p) => p.code)).toEqual(['zero-filled']);
    expect(zeros.problems[0]?.message).toContain(`bytes ${bytes.length}-${BLOCK_BYTES * 2 - 1}`);
    await writeFile(path, 'not a wandb file at all');
    expect((await readFile1(path)).problems.map((p) => p.code)).toEqual(['bad-header']);
  });
});

describe('wandb reader: old clients (wandb-history.jsonl)', () => {
  it('reads one row per line with _step, bare NaN, epoch rows and gradient histograms', async () => {
    const runDir = join(dir, 'old', 'wandb', 'run-20200127_150938-yi0otqy5');
    await mkdir(runDir, { recursive: true });
    const hist = '{"_type": "histogram", "values": [1.0, 3.0], "bins": [-0.1, 0.0, 0.1]}';
    await writeFile(join(runDir, 'wandb-history.jsonl'), [
      '{"epoch": 0, "_runtime": 5.1, "_timestamp": 1580137783.5, "_step": 0}',
      '{"loss": 2.30, "_runtime": 5.3, "_timestamp": 1580137783.6, "_step": 1}',
      `{"gradients/fc1.weight": ${hist}, "_runtime": 5.4, "_timestamp": 1580137783.7, "_step": 2}`,
      '{"loss": NaN, "_runtime": 5.5, "_timestamp": 1580137783.8, "_step": 3}',
      '{"loss": 1.9, "_runtime": 5.6, "_timestamp": 1580137783.9, "_step": 4}',
      '',
    ].join('\n'));
    await writeFile(join(runDir, 'config.yaml'), 'wandb_version: 1\n\n_wandb:\n  desc: null\n  value:\n    cli_version: 0.8.22\nlr:\n  desc: null\n  value: 0.001\n');
    await writeFile(join(runDir, 'wandb-events.jsonl'), '{"system.cpu": 12.5, "_wandb": true, "_timestamp": 1580137790, "_runtime": 10}\n');
    await writeFile(join(runDir, 'wandb-summary.json'), '');
    await writeFile(join(runDir, 'wandb-metadata.json'), '{"state": "killed", "exitcode": 255}');
    const { runs, problems } = await loadAll([join(dir, 'old')]);
    expect(problems).toEqual([]);
    expect(runs.map((r) => [r.id, r.format])).toEqual([[runDir, 'wandb']]);
    const run = runs[0] as Run;
    expect(run.files.map((f) => f.slice(runDir.length + 1))).toEqual(['config.yaml', 'wandb-history.jsonl']);
    expect(steps(run, 'loss')).toEqual([1, 3, 4]);
    expect(values(run, 'loss')).toEqual([2.3, NaN, 1.9]);
    expect(steps(run, 'epoch')).toEqual([0]);
    expect(run.histograms.get('gradients/fc1.weight')?.histograms[0]).toMatchObject({ num: 4, bucketCounts: [1, 3] });
    expect(run.meta.get('lr')).toBe(0.001);
    expect([...run.scalars.keys()].some((k) => k.startsWith('_') || k.startsWith('system'))).toBe(false);
  });
});

describe('wandb config.yaml', () => {
  it('takes the value of every top-level block, skipping _wandb, wandb_version and nested values', () => {
    expect(configEntries(CONFIG).entries).toEqual([['batch_size', 64], ['learning_rate', 0.0003], ['optimizer', 'adamw']]);
  });

  it('is read with the run; an unreadable or malformed one is a problem and the run is still read', async () => {
    const { bytes } = frameLog([historyRecord(0, [loss(1)]), historyRecord(1, [loss(0.5)])]);
    const runDir = await writeRun('run-20240101_000007-conf', bytes, CONFIG, join(dir, 'conf'));
    const { runs, problems } = await loadAll([join(dir, 'conf')]);
    expect(problems).toEqual([]);
    expect(runs[0]?.meta.get('batch_size')).toBe(64);
    expect(runs[0]?.meta.get('optimizer')).toBe('adamw');

    const missing = { id: runDir, reader: wandbReader, files: [{ path: join(runDir, 'files', 'missing', 'config.yaml'), prefix: '' }, { path: join(runDir, 'run-conf.wandb'), prefix: '' }] };
    const loaded = await loadRun(missing);
    expect(loaded.problems.map((p) => p.code)).toEqual(['unreadable']);
    expect(loaded.problems[0]?.message).toContain('read without it');
    expect(values(loaded.run, 'loss')).toEqual([1, 0.5]);

    await writeFile(join(runDir, 'files', 'config.yaml'), '\u0000\u0001garbage\u0002');
    const bad = await loadAll([join(dir, 'conf')]);
    expect(bad.problems.map((p) => p.code)).toEqual(['bad-config']);
    expect(values(bad.runs[0] as Run, 'loss')).toEqual([1, 0.5]);
  });
});

describe('wandb discovery', () => {
  it('makes one run per run folder (offline runs too); summary, metadata, output.log are not runs', async () => {
    const root = join(dir, 'disc');
    const { bytes } = frameLog([historyRecord(0, [loss(1)]), historyRecord(1, [loss(0.5)])]);
    await writeRun('run-20240101_000008-aaaa', bytes, CONFIG, root);
    await writeRun('offline-run-20240101_000009-bbbb', bytes, undefined, root);
    await mkdir(join(root, 'wandb', 'run-20240101_000008-aaaa', 'files', 'media'), { recursive: true });
    await writeFile(join(root, 'wandb', 'run-20240101_000008-aaaa', 'files', 'media', 'history.csv'), 'step,loss\n0,1\n1,0.5\n');
    const found = await discoverRuns([root], readers, { followLinks: true });
    expect(found.problems).toEqual([]);
    expect(found.runs.map((r) => [r.id.slice(root.length + 1), r.reader.name, r.files.length])).toEqual([
      [join('wandb', 'offline-run-20240101_000009-bbbb'), 'wandb', 1],
      [join('wandb', 'run-20240101_000008-aaaa'), 'wandb', 2],
    ]);
  });

  it('counts a run reached through wandb/latest-run once, also when both paths are given', async () => {
    const root = join(dir, 'latest');
    const { bytes } = frameLog([historyRecord(0, [loss(1)]), historyRecord(1, [loss(0.5)])]);
    const runDir = await writeRun('run-20240101_000010-cccc', bytes, CONFIG, root);
    await symlink('run-20240101_000010-cccc', join(root, 'wandb', 'latest-run'));
    const once = await loadAll([root]);
    expect(once.runs.map((r) => r.id)).toEqual([runDir]);
    const twice = await loadAll([join(root, 'wandb'), join(root, 'wandb', 'latest-run')]);
    expect(twice.runs.map((r) => r.id)).toEqual([runDir]);
  });

  it('writes nothing under the paths it reads', async () => {
    const snapshot = async (d: string): Promise<string[]> => {
      const out: string[] = [];
      for (const name of (await readdir(d, { recursive: true })).sort()) {
        const st = await stat(join(d, name));
        out.push(`${name} ${st.size} ${st.mtimeMs}${st.isFile() ? ` ${(await readFile(join(d, name))).length}` : ''}`);
      }
      return out;
    };
    const before = await snapshot(dir);
    await loadAll([dir]);
    expect(await snapshot(dir)).toEqual(before);
  });
});

/** The fragment types of a framed file, in order (walking the blocks as the reader does). */
function fragmentTypes(bytes: Uint8Array): number[] {
  const b = Buffer.from(bytes);
  const types: number[] = [];
  let pos = 7;
  while (pos < b.length) {
    const blockEnd = (Math.floor(pos / BLOCK_BYTES) + 1) * BLOCK_BYTES;
    if (blockEnd - pos < RECORD_HEADER_BYTES) {
      pos = blockEnd;
      continue;
    }
    types.push(b[pos + 6] as number);
    pos += RECORD_HEADER_BYTES + b.readUInt16LE(pos + 4);
  }
  return types;
}
