/**
 * End-to-end tests of `nndoctor preflight` through runCli (in-process, captured streams): a tiny
 * model saved to a temp dir with a file-system save handler, data as CSV and JSON, bad inputs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';
import { blobs, mlp, saveToDir } from '../src/test-support/tfjs-fixtures.js';
import { probes } from '../src/tfjs/probes/index.js';

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s), isTTY: false }, stderr: { write: (s: string) => (err += s), isTTY: false }, env: {}, out: () => out, err: () => err };
}

interface JsonReport {
  version: number;
  runs: Array<{ run: string; files: string[]; format: string; training: { loss: string; optimizer: string; learningRate: number; batchSize: number }; notes: string[]; probeMs: Record<string, number>; findings: Array<{ check: string; severity: string; actions: string[]; evidence: Record<string, unknown> }> }>;
  problems: Array<{ file: string; code: string; message: string }>;
}

let dir: string;
let modelJson: string;
let csv: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-preflight-'));
  const model = mlp({ inputs: 4, hidden: [8], outputs: 3, outputActivation: 'softmax', name: 'tiny_mlp' });
  modelJson = await saveToDir(model, join(dir, 'model'), { loss: 'categorical_crossentropy', optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.01 } } });
  model.dispose();
  const data = blobs(64, 4, 3, 2, { spread: 1.5 });
  const x = (data.x as tf.Tensor).arraySync() as number[][];
  csv = join(dir, 'train.csv');
  await writeFile(csv, ['f1,f2,f3,f4,label', ...x.map((row, i) => [...row.map((v) => v.toFixed(5)), String(data.labels[i])].join(','))].join('\n') + '\n');
  tf.dispose([data.x as tf.Tensor, data.y as tf.Tensor]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nndoctor preflight', () => {
  it('runs every probe on a saved model and a CSV, and prints the JSON report', async () => {
    const io = capture();
    const code = await runCli(['preflight', modelJson, '--data', csv, '--format', 'json', '--budget', '20'], io);
    const report = JSON.parse(io.out()) as JsonReport;
    expect(report.version).toBe(1);
    expect(report.problems).toEqual([]);
    expect(report.runs).toHaveLength(1);
    const run = report.runs[0]!;
    expect(run.run).toBe(modelJson);
    expect(run.format).toBe('preflight');
    expect(run.files).toContain(csv);
    expect(run.training).toEqual({ loss: 'categoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 32 });
    expect(run.notes.join(' ')).toContain("training_config");
    expect(Object.keys(run.probeMs)).toEqual(probes.map((p) => p.id));
    for (const f of run.findings) {
      expect(probes.map((p) => p.id)).toContain(f.check);
      expect(f.actions.length).toBeGreaterThan(0);
    }
    expect(code).toBe(run.findings.some((f) => f.severity === 'error') ? 1 : 0);
    expect(io.err()).not.toContain('Hi, looks like you are running TensorFlow.js');
  });

  it('--only, --skip, flags over training_config, markdown and text reports', async () => {
    const io = capture();
    const code = await runCli(['preflight', modelJson, '--data', csv, '--only', 'm7,P1,D1', '--skip', 'D1', '--lr', '0.05', '--optimizer', 'sgd', '--batch-size', '8', '--format', 'json', '--fail-on', 'never'], io);
    expect(code).toBe(0);
    const run = (JSON.parse(io.out()) as JsonReport).runs[0]!;
    expect(Object.keys(run.probeMs)).toEqual(['M7', 'P1']);
    expect(run.training).toMatchObject({ optimizer: 'sgd', learningRate: 0.05, batchSize: 8 });
    const md = capture();
    await runCli(['preflight', modelJson, '--data', csv, '--only', 'P1', '--format', 'markdown'], md);
    expect(md.out()).toContain('| preflight |');
    const text = capture();
    await runCli(['preflight', modelJson, '--data', csv, '--only', 'P1', '--no-color'], text);
    expect(text.out()).toContain('(preflight)');
  });

  it('reads the JSON data format', async () => {
    const json = join(dir, 'data.json');
    const lines = (await readFile(csv, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    await writeFile(json, JSON.stringify({ x: lines.map((r) => r.slice(0, 4)), y: lines.map((r) => r[4]), xVal: lines.slice(0, 8).map((r) => r.slice(0, 4)), yVal: lines.slice(0, 8).map((r) => r[4]) }));
    const io = capture();
    const code = await runCli(['preflight', modelJson, '--data', json, '--only', 'D6', '--format', 'json', '--fail-on', 'never'], io);
    expect(code).toBe(0);
    expect((JSON.parse(io.out()) as JsonReport).runs[0]!.files).toContain(json);
  });

  it.each([
    ['a model.json that is not JSON', async () => ['preflight', await write('broken.json', '{"modelTopology": '), '--data', csv], /broken\.json: is not valid JSON/],
    ['a missing model.json', async () => ['preflight', join(dir, 'absent.json'), '--data', csv], /absent\.json: no such file/],
    ['a CSV with a ragged line', async () => ['preflight', modelJson, '--data', await write('bad.csv', 'f1,f2,f3,f4,label\n1,2,3,4,0\n1,2,3\n')], /bad\.csv line 3: 3 fields, expected 5/],
    ['a CSV with the wrong number of features', async () => ['preflight', modelJson, '--data', await write('wide.csv', 'a,b,c,d,e,label\n1,2,3,4,5,0\n')], /wide\.csv line 2: 5 feature value\(s\), expected 4/],
    ['an unknown probe id', async () => ['preflight', modelJson, '--data', csv, '--only', 'M99'], /--only\/--skip: unknown probe id\(s\) M99/],
    ['a bad learning rate', async () => ['preflight', modelJson, '--data', csv, '--lr', 'fast'], /--lr: expected a positive number, got 'fast'/],
  ])('%s: exit 2 with a message naming it', async (_name, args, pattern) => {
    const io = capture();
    const code = await runCli(await args(), io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(pattern);
    expect(io.out()).toBe('');
  });

  it('loads a model with a custom layer after --custom-layers registers its class, and says what is wrong without it', async () => {
    const layers = fileURLToPath(new URL('./fixtures/custom-layer.mjs', import.meta.url));
    const fixtureUrl: string = new URL('./fixtures/custom-layer.mjs', import.meta.url).href;
    const { default: register } = (await import(fixtureUrl)) as { default: (t: typeof tf) => new (config: object) => tf.layers.Layer };
    const NndScale = register(tf);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), new NndScale({ factor: 3 }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    const custom = await saveToDir(model, join(dir, 'custom'), { loss: 'categorical_crossentropy' });
    model.dispose();
    // As in a fresh process, where only the module can register the class.
    delete tf.serialization.SerializationMap.getMap().classNameMap['NndScale'];

    const without = capture();
    expect(await runCli(['preflight', custom, '--data', csv, '--only', 'M3'], without)).toBe(2);
    expect(without.err()).toMatch(/custom.*model\.json: TF\.js could not build the model: .*NndScale.*--custom-layers <module\.mjs>/);

    const withIt = capture();
    const code = await runCli(['preflight', custom, '--data', csv, '--custom-layers', layers, '--only', 'M3', '--format', 'json', '--fail-on', 'never'], withIt);
    expect(withIt.err()).toBe('');
    expect(code).toBe(0);
    const run = (JSON.parse(withIt.out()) as JsonReport).runs[0]!;
    expect(run.notes).toContain(`custom layer classes registered from ${layers}: NndScale`);
    expect(Object.keys(run.probeMs)).toEqual(['M3']);

    const nothing = capture();
    expect(await runCli(['preflight', custom, '--data', csv, '--custom-layers', await write('no-layers.mjs', 'export const x = 1;\n')], nothing)).toBe(2);
    expect(nothing.err()).toMatch(/no-layers\.mjs: registered no layer class with this TF\.js; expected a default export \(tf\) =>/);
    const missing = capture();
    expect(await runCli(['preflight', custom, '--data', csv, '--custom-layers', join(dir, 'absent.mjs')], missing)).toBe(2);
    expect(missing.err()).toMatch(/absent\.mjs: no such file \(expected an ES module/);
    const throwing = capture();
    expect(await runCli(['preflight', custom, '--data', csv, '--custom-layers', await write('throws.mjs', 'export default () => { throw new Error("boom"); };\n')], throwing)).toBe(2);
    expect(throwing.err()).toMatch(/throws\.mjs: its register function threw: boom/);
  });

  it('does not load TF.js for other commands: the command module imports it lazily', async () => {
    const source = await readFile(new URL('../src/cli/preflight-command.ts', import.meta.url), 'utf8');
    const staticImports = source.split('\n').filter((l) => /^import (?!type ).*from '(\.\.\/tfjs\/|@tensorflow)/.test(l));
    expect(staticImports).toEqual([]);
    expect(source).toContain("import('../tfjs/probes/preflight.js')");
  });
});

async function write(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}
