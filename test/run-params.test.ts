/**
 * Runs carry their hyper-parameters (`RunReport.params`): from Lightning `hparams.yaml`, MLflow
 * `params/`, Hugging Face `trainer_state.json` settings and TensorBoard's hparams plugin, with the
 * non-parameter metadata left out.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import { encodeEvent } from '../src/formats/tensorboard/proto.js';
import { frameRecord } from '../src/formats/tensorboard/records.js';
import { isParamKey, paramsFromMeta } from '../src/sweep/params.js';

const examples = fileURLToPath(new URL('../examples/real-logs/', import.meta.url));

/**
 * The upstream messages, written independently of the reader's own schema: plugin_data.proto's
 * HParamsPluginData (the Experiment message stubbed) with google/protobuf/struct.proto's Value.
 */
const upstreamRoot = new protobuf.Root();
upstreamRoot.addJSON(protobuf.common.get('google/protobuf/struct.proto')?.nested ?? {});
const UPSTREAM = protobuf.parse(`
syntax = "proto3";
package tensorboard.hparams;
import "google/protobuf/struct.proto";
message Experiment { string name = 6; }
message HParamsPluginData {
  int32 version = 1;
  oneof data { Experiment experiment = 2; SessionStartInfo session_start_info = 3; SessionEndInfo session_end_info = 4; }
}
message SessionStartInfo {
  map<string, google.protobuf.Value> hparams = 1;
  string model_uri = 2;
  string monitor_url = 3;
  string group_name = 4;
  double start_time_secs = 5;
}
message SessionEndInfo { int32 status = 1; double end_time_secs = 2; }
`, upstreamRoot, { keepCase: true }).root.lookupType('tensorboard.hparams.HParamsPluginData');

function hparamsContent(hparams: Record<string, unknown>): Uint8Array {
  const value = (v: unknown): Record<string, unknown> =>
    typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : typeof v === 'string' ? { stringValue: v } : { listValue: { values: [{ numberValue: 1 }] } };
  return UPSTREAM.encode(
    UPSTREAM.fromObject({ version: 0, session_start_info: { hparams: Object.fromEntries(Object.entries(hparams).map(([k, v]) => [k, value(v)])), group_name: 'g', start_time_secs: 1.5e9 } }),
  ).finish();
}

function eventFile(events: Array<Record<string, unknown>>): Buffer {
  return Buffer.concat([frameRecord(encodeEvent({ wall_time: 1, step: 0, file_version: 'brain.Event:2' })), ...events.map((e) => frameRecord(encodeEvent(e)))]);
}

function hparamsEvent(content: Uint8Array): Record<string, unknown> {
  return { wall_time: 2, step: 0, summary: { value: [{ tag: '_hparams_/session_start_info', metadata: { plugin_data: { plugin_name: 'hparams', content } }, tensor: { dtype: 1 } }] } };
}

function lossEvents(n: number, loss: (i: number) => number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ wall_time: 10 + i, step: i, summary: { value: [{ tag: 'train/loss', simple_value: loss(i) }] } }));
}

describe('run parameters', () => {
  it('keeps hyper-parameters and leaves out names, tool bookkeeping, private keys and results', () => {
    const meta = new Map<string, string | number | boolean>([
      ['learning_rate', 0.001], ['optimizer', 'Adam'], ['use_bn', true], ['name', 'brave-fox-7'], ['mlflow.status', 'FINISHED'],
      ['_wandb', 'x'], ['_module_src', 'models.ft'], ['global_step', 375], ['train_runtime', 12.5], ['framework', 'tfjs'], ['long', 'x'.repeat(300)],
    ]);
    const params = paramsFromMeta(meta);
    expect(Object.keys(params)).toEqual(['learning_rate', 'optimizer', 'use_bn', 'long']);
    expect(params['long']).toHaveLength(200);
    expect(String(params['long']).endsWith('...')).toBe(true);
    expect(isParamKey('wandb.run_id')).toBe(false);
    expect(isParamKey('max_steps')).toBe(true);
  });

  it('reads Lightning hparams.yaml and Hugging Face trainer_state settings into every run report', async () => {
    const lightning = await diagnosePaths([join(examples, 'lightning_forestcover/lightning_logs/version_4')]);
    const params = lightning.runs[0]?.params ?? {};
    expect(params['learning_rate']).toBe(0.001);
    expect(params['continuous_dim']).toBe(15);
    expect(params['optimizer']).toBe('Adam');
    expect(Object.keys(params).some((k) => k.startsWith('_'))).toBe(false);
    const hf = await diagnosePaths([join(examples, 'hf_trainer_state/Tashu014_lora-imdb-distilbert')]);
    const hfParams = hf.runs[0]?.params ?? {};
    expect(hfParams).toMatchObject({ num_train_epochs: 3, train_batch_size: expect.any(Number) });
    expect(hfParams['global_step']).toBeUndefined();
    expect(hfParams['train_runtime']).toBeUndefined();
    expect(hf.runs[0]?.lastLoss?.train).toEqual(expect.any(Number));
  });

  it('reads MLflow params/ (numbers as numbers) without the run name and MLflow bookkeeping', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-params-mlflow-'));
    const files: Record<string, string> = {
      'mlruns/0/meta.yaml': "experiment_id: '0'\nname: Default\n",
      'mlruns/0/aaaa1111/meta.yaml': "experiment_id: '0'\nrun_id: aaaa1111\nstatus: 3\n",
      'mlruns/0/aaaa1111/metrics/loss': Array.from({ length: 12 }, (_, i) => `${1000 + i} ${(2 / (i + 1)).toFixed(3)} ${i}`).join('\n'),
      'mlruns/0/aaaa1111/params/lr': '0.01\n',
      'mlruns/0/aaaa1111/params/optimizer': 'sgd',
      'mlruns/0/aaaa1111/tags/mlflow.runName': 'brave-fox-7',
    };
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), text);
    }
    const { runs } = await diagnosePaths([dir]);
    expect(runs[0]?.params).toEqual({ lr: 0.01, optimizer: 'sgd' });
  });

  it('reads TensorBoard hparams session_start_info (PyTorch add_hparams writes it in a sub-directory of the run)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-params-tb-'));
    await mkdir(join(dir, 'run_lr0.1', '1690000000.5'), { recursive: true });
    await writeFile(join(dir, 'run_lr0.1', 'events.out.tfevents.1.host'), eventFile(lossEvents(30, (i) => 2 / (i + 1))));
    await writeFile(
      join(dir, 'run_lr0.1', '1690000000.5', 'events.out.tfevents.2.host'),
      eventFile([hparamsEvent(hparamsContent({ lr: 0.1, optimizer: 'sgd', nesterov: true, layers: [1] }))]),
    );
    const { runs, problems } = await diagnosePaths([dir]);
    expect(problems).toEqual([]);
    expect(runs).toHaveLength(1);
    // a list value is not a scalar hyper-parameter: left out
    expect(runs[0]?.params).toEqual({ lr: 0.1, optimizer: 'sgd', nesterov: true });
  });

  it('decodes hand-built HParamsPluginData bytes (field numbers of plugin_data.proto and struct.proto)', async () => {
    // version=0 (field 1), session_start_info (3) { hparams (1) { key (1) "bs", value (2) { number_value (2): 32.0 } } }
    const number = Buffer.alloc(8);
    number.writeDoubleLE(32);
    const value = Buffer.concat([Buffer.from([0x11]), number]);
    const entry = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('bs'), Buffer.from([0x12, value.length]), value]);
    const start = Buffer.concat([Buffer.from([0x0a, entry.length]), entry]);
    const content = Buffer.concat([Buffer.from([0x08, 0x00, 0x1a, start.length]), start]);
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-params-tb-bytes-'));
    await writeFile(join(dir, 'events.out.tfevents.1.host'), eventFile([hparamsEvent(content), ...lossEvents(20, (i) => 1 / (i + 1))]));
    const { runs } = await diagnosePaths([dir]);
    expect(runs[0]?.params).toEqual({ bs: 32 });
  });

  it('an unreadable hparams summary is a bad-hparams problem and the run is still diagnosed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-params-tb-bad-'));
    await writeFile(join(dir, 'events.out.tfevents.1.host'), eventFile([hparamsEvent(new Uint8Array([0x1a, 0x7f, 0x01])), ...lossEvents(20, (i) => 1 / (i + 1))]));
    const { runs, problems } = await diagnosePaths([dir]);
    expect(problems.map((p) => p.code)).toEqual(['bad-hparams']);
    expect(problems[0]?.message).toMatch(/_hparams_\/session_start_info/);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.params).toEqual({});
    expect(runs[0]?.lastLoss?.train).toBeCloseTo(1 / 20);
  });
});
