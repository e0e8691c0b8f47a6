/**
 * End-to-end tests of `nndoctor diagnose` through runCli (in-process, captured streams), on the
 * bundled real logs and on hand-made bad input.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';

const examples = fileURLToPath(new URL('../examples/real-logs/', import.meta.url));

function capture(env: Record<string, string> = {}, columns?: number): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: columns === undefined ? { write: (s: string) => (out += s), isTTY: false } : { write: (s: string) => (out += s), isTTY: true, columns },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env,
    out: () => out,
    err: () => err,
  };
}

interface JsonReport {
  version: number;
  runs: Array<{ run: string; files: string[]; format: string; params: Record<string, unknown>; findings: Array<{ check: string; severity: string; steps: [number, number] | null; evidence: Record<string, unknown>; actions: string[] }> }>;
  problems: Array<{ file: string; code: string; message: string }>;
  sweep: {
    counts: { runs: number; runsByHealth: Record<string, number>; problems: number };
    params: string[];
    groups: Array<{ check: string; runs: string[]; splits: Array<{ param: string; side: { op: string; value: unknown; runs: number; withFinding: number }; rest: { runs: number; withFinding: number }; pAdjusted: number }> }>;
  };
}

async function diagnoseJson(args: string[]): Promise<{ code: number; report: JsonReport; err: string }> {
  const io = capture();
  const code = await runCli(['diagnose', ...args, '--format', 'json', '--fail-on', 'never'], io);
  return { code, report: JSON.parse(io.out()) as JsonReport, err: io.err() };
}

describe('nndoctor diagnose', () => {
  it('reads every bundled real log without an input problem', async () => {
    const { code, report } = await diagnoseJson([examples]);
    expect(code).toBe(0);
    expect(report.version).toBe(1);
    expect(report.problems).toEqual([]);
    const formats = new Set(report.runs.map((r) => r.format));
    expect([...formats].sort()).toEqual(['hf-trainer-state', 'keras-csv', 'lightning-csv', 'tensorboard']);
    // 45 Lightning versions, 2 Keras CSV, 2 HF, 25 pets runs, 1 Keras TB run, tensorboardX and PyTorch demos
    expect(report.runs.filter((r) => r.format === 'lightning-csv')).toHaveLength(45);
    const keras = report.runs.find((r) => r.run.endsWith('mod1-reuters-1690485395'));
    expect(keras?.files.map((f) => f.slice(examples.length)).sort()).toEqual([
      'tf2_keras_reuters/mod1-reuters-1690485395/train/events.out.tfevents.1690485396.e-bnbobg-5l77j-0.80091.3.v2',
      'tf2_keras_reuters/mod1-reuters-1690485395/validation/events.out.tfevents.1690485399.e-bnbobg-5l77j-0.80091.4.v2',
    ]);
    for (const run of report.runs) for (const f of run.findings) {
      expect(f.actions.length).toBeGreaterThan(0);
      expect(['error', 'warning', 'info']).toContain(f.severity);
    }
  });

  it('exits 1 when a finding reaches --fail-on, 0 when none does, and prints a readable text report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-cli-'));
    const rows = ['epoch,loss,val_loss'];
    for (let e = 0; e < 12; e++) rows.push(`${e},${e < 6 ? (2 - e * 0.2).toFixed(3) : 'nan'},${e < 6 ? (2.1 - e * 0.2).toFixed(3) : 'nan'}`);
    await writeFile(join(dir, 'training.log'), `${rows.join('\n')}\n`);
    const io = capture();
    const code = await runCli(['diagnose', dir], io);
    expect(code).toBe(1);
    expect(io.out()).toContain('C6');
    expect(io.out()).toMatch(/epochs? 6/);
    expect(io.out()).not.toContain('\u001b[');
    const never = capture();
    expect(await runCli(['diagnose', dir, '--fail-on', 'never'], never)).toBe(0);
  });

  it('gives problems with file and position for bad input, and still diagnoses the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-bad-'));
    await mkdir(join(dir, 'ragged'));
    await writeFile(join(dir, 'ragged', 'training.log'), 'epoch,loss,val_loss\n0,1.0,1.1\n1,0.9\n2,0.8,0.9\n3,0.7,0.8\n');
    await mkdir(join(dir, 'hf'));
    await writeFile(join(dir, 'hf', 'trainer_state.json'), '{"global_step": 3}');
    await mkdir(join(dir, 'tb'));
    await writeFile(join(dir, 'tb', 'events.out.tfevents.123.host'), 'this is not an event file at all\n');
    await mkdir(join(dir, 'empty'));
    const { code, report } = await diagnoseJson([dir, join(dir, 'empty')]);
    expect(code).toBe(0);
    const codes = report.problems.map((p) => p.code).sort();
    expect(codes).toEqual(expect.arrayContaining(['ragged-row', 'no-logs']));
    expect(report.problems.length).toBeGreaterThanOrEqual(4);
    const ragged = report.problems.find((p) => p.code === 'ragged-row');
    expect(ragged?.file).toContain('training.log');
    expect(ragged?.message).toMatch(/line 3/);
    for (const p of report.problems) expect(p.message.length).toBeGreaterThan(10);
    expect(report.runs.some((r) => r.run.includes('ragged'))).toBe(true);
  });

  it('exits 2 with one line on stderr for usage errors and unreadable input, never a stack trace', async () => {
    const bad = capture();
    expect(await runCli(['diagnose', examples, '--format', 'xml'], bad)).toBe(2);
    expect(bad.err()).toMatch(/format/);
    const unknown = capture();
    expect(await runCli(['diagnose', examples, '--only', 'Z9'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(/unknown check id\(s\) Z9/);
    const missing = capture();
    expect(await runCli(['diagnose', '/nonexistent/logs'], missing)).toBe(2);
    expect(missing.out() + missing.err()).toMatch(/\/nonexistent\/logs/);
    expect(missing.err()).not.toMatch(/\n\s+at /);
  });

  it('writes markdown, and honours --only', async () => {
    const io = capture();
    await runCli(['diagnose', join(examples, 'keras_csvlogger'), '--format', 'markdown', '--only', 'C3'], io);
    expect(io.out()).toMatch(/^# nndoctor diagnosis/);
    const { report } = await diagnoseJson([join(examples, 'keras_csvlogger'), '--only', 'C3,C6']);
    for (const r of report.runs) for (const f of r.findings) expect(['C3', 'C6']).toContain(f.check);
  });

  it('does not modify the input files', async () => {
    const file = join(examples, 'keras_csvlogger/BurakErguvn_Car-Prediction-CNN-Model/training.log');
    const before = await readFile(file);
    await diagnoseJson([file]);
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it('shows a sweep of the bundled logs (84 runs) as one headline, a runs table and findings by check', async () => {
    const io = capture();
    expect(await runCli(['diagnose', examples, '--fail-on', 'never'], io)).toBe(0);
    const lines = io.out().replace(/\n$/, '').split('\n');
    expect(lines[0]).toMatch(/^nndoctor: 84 runs: ✖ \d+ with errors · ▲ \d+ with warnings · ● \d+ info · ✔ \d+ ok · 0 input problems$/);
    expect(lines.at(-1)).toBe(lines[0]);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(lines.length).toBeLessThan(400);
    const text = io.out();
    expect(text).toContain('Runs under ');
    expect(text).toContain('Findings by check');
    // the forest-cover versions that do not learn are the ones with few input features
    expect(text).toMatch(/C1 Not learning - 1\d of 84 runs: version_0, version_1, /);
    expect(text).toMatch(/settings: 1\d of 1\d runs with continuous_dim <= 15 have C1; none of the \d+ with continuous_dim >=\s+20 do/);
    expect(text.match(/try learning rates 10x higher and 10x lower/g)?.length).toBeLessThanOrEqual(2);
  });

  it('fits the sweep view to the terminal width, and --details / --summary force either report', async () => {
    const narrow = capture({}, 72);
    await runCli(['diagnose', examples, '--fail-on', 'never'], narrow);
    // eslint-disable-next-line no-control-regex
    const plain = narrow.out().replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).not.toBe(narrow.out()); // a TTY gets colour
    for (const line of plain.replace(/\n$/, '').split('\n')) expect(line.length, line).toBeLessThanOrEqual(72);
    const details = capture();
    await runCli(['diagnose', examples, '--details', '--fail-on', 'never'], details);
    expect(details.out()).toMatch(/^nndoctor: 84 runs · \d+ errors? · \d+ warnings? · /);
    expect(details.out().match(/^ {2}curves: /gm)?.length).toBeGreaterThan(60);
    expect(details.out()).not.toContain('Findings by check');
    const summary = capture();
    await runCli(['diagnose', join(examples, 'keras_csvlogger'), '--summary', '--fail-on', 'never'], summary);
    expect(summary.out()).toMatch(/^nndoctor: 2 runs: /);
    expect(summary.out()).toContain('Runs under ');
    const both = capture();
    expect(await runCli(['diagnose', examples, '--summary', '--details'], both)).toBe(2);
    expect(both.err()).toMatch(/cannot be used with/);
  });

  it('writes the sweep as markdown with collapsible groups, and a sweep object in JSON', async () => {
    const md = capture();
    await runCli(['diagnose', examples, '--format', 'markdown', '--fail-on', 'never'], md);
    expect(md.out()).toMatch(/^# nndoctor: 84 runs\n/);
    expect(md.out()).toContain('<details><summary>');
    expect(md.out()).toContain('## Settings that go with a finding');
    const { report } = await diagnoseJson([examples]);
    expect(report.version).toBe(1);
    expect(report.sweep.counts.runs).toBe(84);
    expect(report.sweep.params).toContain('continuous_dim');
    const c1 = report.sweep.groups.find((g) => g.check === 'C1');
    expect(c1?.splits[0]).toMatchObject({ param: 'continuous_dim', side: { op: '<=', value: 15 }, rest: { withFinding: 0 } });
    expect(c1?.splits[0]?.pAdjusted).toBeLessThan(0.05);
    const version4 = report.runs.find((r) => r.run.endsWith('version_4'));
    expect(version4?.params).toMatchObject({ learning_rate: 0.001, continuous_dim: 15 });
  });
});

