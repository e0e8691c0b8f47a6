import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, runSink } from '../../telemetry/run.js';
import type { ReadOptions } from '../reader.js';
import { hfTrainerStateReader } from './index.js';

const REAL = (name: string) =>
  fileURLToPath(new URL(`../../../examples/real-logs/hf_trainer_state/${name}/trainer_state.json`, import.meta.url));
const LORA = REAL('Tashu014_lora-imdb-distilbert');
const BERT = REAL('Francis-xsc_BERT_Weibo_Rumor');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-hf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(path: string, options: ReadOptions = {}) {
  const run = createRun('r', 'hf-trainer-state');
  const result = await hfTrainerStateReader.read(path, runSink(run), options);
  return { run, ...result };
}

async function temp(content: string, name = 'trainer_state.json'): Promise<string> {
  const path = join(await mkdtemp(join(dir, 'ckpt-')), name);
  await writeFile(path, content);
  return path;
}

const state = (history: unknown[]) => JSON.stringify({ global_step: 10, log_history: history, max_steps: 100 }, null, 2);

describe('hfTrainerStateReader on real trainer_state.json files', () => {
  it('reads the LoRA DistilBERT run', async () => {
    const { run, problems, records } = await read(LORA);
    expect(problems).toEqual([]);
    expect(records).toBe(21);
    const loss = run.scalars.get('loss');
    expect(loss?.steps.length).toBe(18);
    expect([loss?.steps[0], loss?.values[0]]).toEqual([20, 0.6899]);
    const grad = run.scalars.get('grad_norm');
    expect(grad?.values[grad.steps.indexOf(300)]).toBe(3.857192277908325);
    expect(run.scalars.get('eval_loss')?.steps).toEqual([125, 250, 375]);
    expect(run.scalars.get('eval_loss')?.values[1]).toBe(0.4154859483242035);
    expect(run.scalars.get('learning_rate')?.values[0]).toBe(0.00018986666666666668);
    const epoch = run.scalars.get('epoch');
    expect(epoch?.steps.length).toBe(21);
    expect(epoch?.values[epoch.steps.indexOf(340)]).toBe(2.7199999999999998);
    expect(run.scalars.has('eval_runtime')).toBe(false);
    expect(run.scalars.has('step')).toBe(false);
    expect(Object.fromEntries(run.meta)).toEqual({
      global_step: 375, max_steps: 375, num_train_epochs: 3, train_batch_size: 16, logging_steps: 20, eval_steps: 500,
      eval_runtime: 3.0155, eval_samples_per_second: 165.81, eval_steps_per_second: 10.612,
    });
  });

  it('reads the BERT run with its final summary entry', async () => {
    const { run, problems, records } = await read(BERT);
    expect(problems).toEqual([]);
    expect(records).toBe(52);
    expect(run.scalars.get('loss')?.steps.length).toBe(51);
    expect(run.scalars.get('loss')?.values.at(-1)).toBe(0.1636);
    expect(run.scalars.get('train_loss')?.steps).toEqual([25800]);
    expect(run.scalars.get('epoch')?.values.at(-1)).toBe(100);
    expect(run.meta.get('train_runtime')).toBe(5938.5496);
    expect(run.meta.get('total_flos')).toBe(1.18478524985856e17);
    expect(run.meta.get('num_train_epochs')).toBe(100);
  });

  it('detects by name or by a log_history head', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(hfTrainerStateReader.detect(LORA, new Uint8Array())).toBe(true);
    expect(hfTrainerStateReader.detect('ckpt/state.json', enc('{\n  "epoch": 1.0,\n  "log_history": ['))).toBe(true);
    expect(hfTrainerStateReader.detect('ckpt/config.json', enc('{"hidden_size": 768}'))).toBe(false);
    expect(hfTrainerStateReader.detect('ckpt/state.jsonl', enc('{"log_history": []}'))).toBe(false);
  });
});

describe('hfTrainerStateReader problems', () => {
  it.each([
    { name: 'not JSON', content: '{"log_history": [', code: 'bad-json', message: /not valid JSON .*expected a trainer_state.json object/ },
    { name: 'no log_history', content: '{"global_step": 3}', code: 'bad-shape', message: /expected an object with a "log_history" array, found an object without it/ },
    { name: 'an array', content: '[1, 2]', code: 'bad-shape', message: /found an array/ },
    { name: 'entry without step', content: state([{ loss: 1 }, { loss: 0.5, step: 2 }]), code: 'bad-shape', message: /log_history\[0\]: expected a numeric "step", found none/ },
  ])('$name -> $code', async ({ content, code, message }) => {
    const { problems } = await read(await temp(content), { displayPath: 'out/trainer_state.json' });
    expect(problems.map((p) => [p.file, p.code])).toEqual([['out/trainer_state.json', code]]);
    expect(problems[0]?.message).toMatch(message);
  });

  it('reads Python NaN/Infinity literals as non-finite values', async () => {
    const path = await temp('{"log_history": [{"loss": NaN, "grad_norm": Infinity, "step": 5, "note": "NaN here"}]}');
    const { run, problems } = await read(path);
    expect(problems).toEqual([]);
    expect(run.scalars.get('loss')?.values).toEqual([NaN]);
    expect(run.scalars.get('grad_norm')?.values).toEqual([Infinity]);
  });

  it('reports a missing file as unreadable', async () => {
    const { problems } = await read(join(dir, 'missing', 'trainer_state.json'));
    expect(problems.map((p) => p.code)).toEqual(['unreadable']);
  });
});

describe('hfTrainerStateReader resume', () => {
  it('pushes only new log entries when the Trainer rewrites the file', async () => {
    const e = (step: number) => ({ epoch: step / 10, loss: 1 / step, step });
    const path = await temp(state([e(1), e(2)]));
    const run = createRun('r', 'hf-trainer-state');
    const first = await hfTrainerStateReader.read(path, runSink(run), {});
    expect(first.cursor.offset).toBe(Buffer.byteLength(state([e(1), e(2)])));
    const same = await hfTrainerStateReader.read(path, runSink(run), { from: first.cursor });
    expect(same.records).toBe(0);
    await writeFile(path, '{"log_history": [');
    const partial = await hfTrainerStateReader.read(path, runSink(run), { from: first.cursor });
    expect(partial.problems.map((p) => p.code)).toEqual(['bad-json']);
    expect(partial.cursor).toEqual(first.cursor);
    await writeFile(path, state([e(1), e(2), e(3), e(4)]));
    const second = await hfTrainerStateReader.read(path, runSink(run), { from: partial.cursor });
    expect([second.records, second.problems]).toEqual([2, []]);
    expect(run.scalars.get('loss')?.steps).toEqual([1, 2, 3, 4]);
    expect(run.scalars.get('epoch')?.values).toEqual([0.1, 0.2, 0.3, 0.4]);
  });
});
