/**
 * Fuzz test of every reader, as `diagnose` uses them: valid logs of each format are mutated with a
 * fixed seed (bytes flipped, cut, inserted, duplicated, zeroed, lines shuffled) and diagnosed. Every
 * case must end with a report (no exception, no stack), problems that name a file, a code and a
 * message, a JSON report that parses, and the input files byte for byte as they were.
 * `NNDOCTOR_FUZZ_CASES=5000 npx vitest run test/fuzz-readers.test.ts` runs a longer campaign;
 * `NNDOCTOR_FUZZ_SEED` another seed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import { encodeEvent } from '../src/formats/tensorboard/proto.js';
import { frameRecord } from '../src/formats/tensorboard/records.js';
import { seededRandom } from '../src/random/seeded.js';
import { renderJson } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';

const CASES = Number(process.env['NNDOCTOR_FUZZ_CASES'] ?? 320);
const SEED = Number(process.env['NNDOCTOR_FUZZ_SEED'] ?? 20261208);
const N = 60;
const loss = (i: number): number => 2.3 * Math.exp(-i / 20) + 0.1 + 0.01 * Math.sin(i);

/** One valid log per format: relative file path -> bytes. */
const SEEDS: Record<string, Record<string, Uint8Array>> = {
  tensorboard: {
    'events.out.tfevents.1.host': Buffer.concat([
      frameRecord(encodeEvent({ wall_time: 1, step: 0, file_version: 'brain.Event:2' })),
      ...Array.from({ length: N }, (_, i) => frameRecord(encodeEvent({ wall_time: 2 + i, step: i, summary: { value: [{ tag: 'loss', simple_value: loss(i) }, { tag: 'val_loss', simple_value: loss(i) + 0.1 }] } }))),
    ]),
  },
  lightning: { 'version_0/metrics.csv': text(['epoch,step,train_loss,val_loss', ...Array.from({ length: N }, (_, i) => `${i >> 2},${i},${loss(i)},${i % 4 === 3 ? loss(i) + 0.1 : ''}`)]) },
  keras: { 'training.log': text(['epoch,accuracy,loss,val_accuracy,val_loss', ...Array.from({ length: N }, (_, i) => `${i},${0.5 + i / 200},${loss(i)},${0.5 + i / 250},${loss(i) + 0.1}`)]) },
  plainCsv: { 'history.csv': text(['train_loss,valid_loss', ...Array.from({ length: N }, (_, i) => `${loss(i)},${loss(i) + 0.1}`)]) },
  hf: { 'trainer_state.json': text([JSON.stringify({ global_step: N, log_history: Array.from({ length: N }, (_, i) => (i % 5 === 4 ? { step: i, epoch: i / 10, eval_loss: loss(i) + 0.1 } : { step: i, epoch: i / 10, loss: loss(i), learning_rate: 1e-4 })) })]) },
  jsonl: { 'metrics.jsonl': text(Array.from({ length: N }, (_, i) => JSON.stringify({ step: i, loss: loss(i), val_loss: loss(i) + 0.1 }))) },
  kerasHistory: { 'history.json': text([JSON.stringify({ loss: Array.from({ length: N }, (_, i) => loss(i)), val_loss: Array.from({ length: N }, (_, i) => loss(i) + 0.1) })]) },
  mlflow: {
    'mlruns/1/abc/meta.yaml': text(['artifact_uri: file:///x', 'run_id: abc', 'experiment_id: "1"', 'status: 3']),
    'mlruns/1/abc/metrics/train_loss': text(Array.from({ length: N }, (_, i) => `${1700000000000 + i} ${loss(i)} ${i}`)),
    'mlruns/1/abc/metrics/val_loss': text(Array.from({ length: N }, (_, i) => `${1700000000000 + i} ${loss(i) + 0.1} ${i}`)),
    'mlruns/1/abc/params/lr': text(['0.001']),
  },
};

function text(lines: string[]): Uint8Array {
  return Buffer.from(`${lines.join('\n')}\n`);
}

type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;
const at = (b: Uint8Array, r: () => number): number => Math.floor(r() * Math.max(1, b.length));
const MUTATIONS: Record<string, Mutation> = {
  flip: (b, r) => { const o = Buffer.from(b); for (let k = 0; k < 1 + Math.floor(r() * 8); k++) { const i = at(o, r); o[i] = (o[i] as number) ^ (1 << Math.floor(r() * 8)); } return o; },
  cut: (b, r) => b.subarray(0, at(b, r)),
  insert: (b, r) => { const i = at(b, r); const junk = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256))); return Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]); },
  duplicate: (b, r) => { const i = at(b, r); const j = Math.min(b.length, i + Math.floor(r() * 200)); return Buffer.concat([b.subarray(0, j), b.subarray(i, j), b.subarray(j)]); },
  zero: (b, r) => { const o = Buffer.from(b); o.fill(0, at(o, r), Math.min(o.length, at(o, r) + Math.floor(r() * 4096))); return o; },
  textual: (b, r) => { const s = Buffer.from(b).toString('latin1'); const swaps = ['NaN', '-inf', '1e309', '', '"', ',', '\r', '\n\n', '{', '[', '1e-400', 'null', '\u0000', ' ']; const i = at(b, r); return Buffer.from(s.slice(0, i) + (swaps[Math.floor(r() * swaps.length)] as string) + s.slice(i + Math.floor(r() * 4)), 'latin1'); },
  lines: (b, r) => { const l = Buffer.from(b).toString('latin1').split('\n'); for (let k = l.length - 1; k > 0; k--) { if (r() < 0.2) { const j = Math.floor(r() * (k + 1)); [l[k], l[j]] = [l[j] as string, l[k] as string]; } } return Buffer.from(l.join('\n'), 'latin1'); },
};

const root = mkdtempSync(join(tmpdir(), 'nndoctor-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function digest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) visit(p);
      else out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  visit(dir);
  return out;
}

describe(`fuzzed logs of every format (${CASES} cases, seed ${SEED})`, () => {
  const formats = Object.keys(SEEDS);
  const names = Object.keys(MUTATIONS);
  const cases = Array.from({ length: CASES }, (_, k) => [k, formats[k % formats.length] as string, names[Math.floor(k / formats.length) % names.length] as string] as const);
  it.each(cases)('case %i: %s, %s', async (k, format, mutation) => {
    const r = seededRandom(SEED + k);
    const dir = join(root, `case-${k}`);
    const files = SEEDS[format] as Record<string, Uint8Array>;
    const victim = Object.keys(files)[Math.floor(r() * Object.keys(files).length)] as string;
    for (const [rel, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), rel === victim ? (MUTATIONS[mutation] as Mutation)(bytes, r) : bytes);
    }
    const before = digest(dir);
    const diagnosis = await diagnosePaths([dir]);
    for (const p of diagnosis.problems) {
      expect(typeof p.file).toBe('string');
      expect(p.code).toMatch(/^[a-z-]+$/);
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.message).not.toMatch(/\n\s+at /); // no stack trace
      expect(p.code).not.toBe('check-failed');
    }
    expect(() => JSON.parse(renderJson(diagnosis))).not.toThrow();
    expect(renderText(diagnosis).length).toBeGreaterThan(0);
    expect(digest(dir)).toEqual(before);
  });
});
