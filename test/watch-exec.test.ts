/**
 * `nndoctor watch --exec`: a child training script (test/fixtures/watch-child.mjs) writes a JSON-lines
 * log; watch stops it when it diverges (--stop-on), passes its exit code through otherwise, and
 * forwards signals sent to nndoctor (a real process, started with tsx).
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';

vi.mock('../src/checks/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/checks/index.js')>();
  if (original.checks.length > 0) return original;
  const { c6CurveVanishes } = await import('../src/checks/c6-curve-vanishes.js');
  const { c2Diverging } = await import('../src/checks/c2-diverging.js');
  return { ...original, checks: [c2Diverging, c6CurveVanishes] };
});

const child = fileURLToPath(new URL('./fixtures/watch-child.mjs', import.meta.url));
const root = fileURLToPath(new URL('../', import.meta.url));

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s), isTTY: false }, stderr: { write: (s: string) => (err += s), isTTY: false }, env: {}, out: () => out, err: () => err };
}

describe('nndoctor watch --exec', () => {
  it('stops a diverging child gracefully on --stop-on error, prints why and exits non-zero', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-exec-'));
    const log = join(dir, 'run', 'metrics.jsonl');
    const io = capture();
    const t0 = Date.now();
    const code = await runCli(['watch', dir, '--exec', '--stop-on', 'error', '--interval', '0.1', '--grace', '3', '--', process.execPath, child, log, '--nan-at', '20', '--every', '15'], io);
    const elapsed = Date.now() - t0;
    expect(code).toBe(1);
    expect(elapsed).toBeLessThan(6000);
    expect(io.err()).toMatch(new RegExp(`nndoctor: stopping .*watch-child\\.mjs .* \\(pid \\d+\\): C6 train/loss is NaN from step 20`));
    expect(io.err()).toContain('child: got SIGINT'); // graceful: SIGINT first, and the child's output passed through
    expect(io.out()).toContain('child: training');
    expect(io.out()).toMatch(/ERROR C6 Curve vanishes \((step 20|steps 20-\d+)\)/); // the NaN may be seen with or without later points
    expect(io.out()).toMatch(/nndoctor watch: 1 run · [1-9]\d* errors? /);
  });

  it('falls back to SIGTERM when the child ignores SIGINT for the grace period', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-exec-'));
    const io = capture();
    const t0 = Date.now();
    const code = await runCli(['watch', dir, '--exec', '--stop-on', 'error', '--interval', '0.1', '--grace', '0.5', '--format', 'json', '--', process.execPath, child, join(dir, 'm.jsonl'), '--nan-at', '10', '--every', '10', '--ignore-sigint'], io);
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(io.err()).toContain('child: ignoring SIGINT');
    expect(io.err()).toContain('child: got SIGTERM');
    // JSON mode: the child's stdout goes to stderr, stdout stays one JSON object per line
    expect(io.err()).toContain('child: training');
    const lines = io.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l['type'] === 'finding' && l['check'] === 'C6')).toBe(true);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'summary', exitCode: 1, childExit: 143, stoppedBy: 'C6' });
  });

  it("passes a healthy child's exit code through", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-exec-'));
    const io = capture();
    const code = await runCli(['watch', dir, '--exec', '--stop-on', 'error', '--interval', '0.1', '--', process.execPath, child, join(dir, 'm.jsonl'), '--steps', '30', '--every', '5', '--exit', '3'], io);
    expect(code).toBe(3);
    expect(io.out()).toContain('child: done');
    expect(io.err()).not.toContain('stopping');
    expect(io.out()).toMatch(/nndoctor watch: 1 run · 0 errors/);
  });

  it('reports a command that cannot be started as a usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-exec-'));
    const io = capture();
    expect(await runCli(['watch', dir, '--exec', '--', join(dir, 'no-such-trainer')], io)).toBe(2);
    expect(io.err()).toMatch(/--exec: cannot start '.*no-such-trainer': .*ENOENT/);
  });

  it.each([
    ['SIGTERM', 42, 'child: got SIGTERM'],
    ['SIGINT', 130, 'child: got SIGINT'],
  ] as const)('forwards %s sent to nndoctor to the child and exits with the child exit code', async (signal, expected, said) => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-exec-'));
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'watch', dir, '--exec', '--interval', '0.1', '--', process.execPath, child, join(dir, 'm.jsonl'), '--every', '20', '--exit-on-term', '42'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    proc.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
    const t0 = Date.now();
    while (!out.includes('child: training') && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    proc.kill(signal);
    expect(await exited).toBe(expected);
    expect(out).toContain(said);
    expect(out).toMatch(/nndoctor watch: 1 run/);
  }, 15_000);
});
