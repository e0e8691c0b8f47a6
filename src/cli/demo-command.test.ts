/**
 * `nndoctor demo` through runCli (in-process, captured streams): the fault list, usage errors, and one
 * tiny end-to-end run writing a log directory. The full fault sweep is test/demo.test.ts.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { faults } from '../faults/index.js';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    env: {},
    out: () => out,
    err: () => err,
  };
}

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nndoctor-demo-cli-'));
  temps.push(dir);
  return join(dir, 'run');
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('nndoctor demo', () => {
  it('--list prints every fault with the checks that report it', async () => {
    const io = capture();
    expect(await runCli(['demo', '--list'], io)).toBe(0);
    for (const f of faults) {
      expect(io.out()).toContain(f.id);
      expect(io.out()).toContain(f.title);
      for (const id of f.checks) expect(io.out()).toContain(`${id} ${f.severity[id]}`);
    }
    expect(io.err()).toBe('');
  });

  it('rejects an unknown --bug with one line naming the known faults, exit 2', async () => {
    const io = capture();
    expect(await runCli(['demo', '--bug', 'lr-too-hgih'], io)).toBe(2);
    const lines = io.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nndoctor: --bug: unknown fault 'lr-too-hgih'; expected one of /);
    for (const f of faults) expect(lines[0]).toContain(f.id);
    expect(io.out()).toBe('');
  });

  it.each([
    [['--epochs', '0'], /--epochs: expected an integer from 1 to 100, got '0'/],
    [['--examples', 'many'], /--examples: expected an integer from 10 to 6900, got 'many'/],
    [['--seed', '-1'], /--seed: expected an integer/],
    [['--format', 'xml'], /argument 'xml' is invalid/],
  ])('rejects %j with exit 2', async (args, message) => {
    const io = capture();
    expect(await runCli(['demo', ...args], io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('trains, reports and prints the commands that open its log directory', async () => {
    const dir = await tempDir();
    const io = capture();
    const code = await runCli(['demo', '--bug', 'zero-init', '--examples', '100', '--epochs', '2', '--logdir', dir, '--format', 'json'], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as { version: number; runs: Array<{ run: string; findings: Array<{ check: string }> }> };
    expect(report.version).toBe(1);
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]?.run).toBe(dir);
    expect(io.err()).toContain('injected fault: zero-init');
    expect(io.err()).toMatch(/epoch 2\/2: step 8\/8/);
    expect(io.err()).toContain(`nndoctor diagnose ${dir}`);
    expect(io.err()).toContain(`tensorboard --logdir ${dir}`);
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
    const saved = JSON.parse(await readFile(join(dir, 'demo-config.json'), 'utf8')) as { fault: string; config: { epochs: number } };
    expect(saved.fault).toBe('zero-init');
    expect(saved.config.epochs).toBe(2);

    // The same log directory through `diagnose`.
    const again = capture();
    expect(await runCli(['diagnose', dir, '--format', 'json', '--fail-on', 'never'], again)).toBe(0);
    const fromLogs = JSON.parse(again.out()) as typeof report;
    expect(fromLogs.runs[0]?.findings.map((f) => f.check)).toEqual(report.runs[0]?.findings.map((f) => f.check));
  });

  it('--fail-on error exits 1 when the report has an error', async () => {
    const dir = await tempDir();
    const io = capture();
    expect(await runCli(['demo', '--bug', 'log-zero-nan', '--examples', '100', '--epochs', '1', '--logdir', dir, '--fail-on', 'error'], io)).toBe(1);
    expect(io.out()).toMatch(/ERROR C6/);
    expect(io.out()).toContain('Log directory: ');
  });
});
