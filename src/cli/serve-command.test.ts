import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { ExitCode } from './cli-error.js';
import type { CliIo } from './io.js';
import { addServeCommand } from './serve-command.js';

function harness(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} },
    out: () => out,
    err: () => err,
  };
}

function program(io: CliIo, setExit: (c: ExitCode) => void, stop: AbortSignal): Command {
  const p = new Command('nndoctor').exitOverride();
  addServeCommand(p, io, setExit, stop);
  return p;
}

describe('nndoctor serve', () => {
  it('prints the URL of a free port, serves the runs, and stops with exit code 0', async () => {
    const h = harness();
    const stop = new AbortController();
    let code: ExitCode | undefined;
    const done = program(h.io, (c) => (code = c), stop.signal).parseAsync(['serve', 'examples/real-logs/keras_csvlogger', '--port', '0'], { from: 'user' });
    const deadline = Date.now() + 20_000;
    while (!/http:\/\/127\.0\.0\.1:\d+\//.test(h.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(h.out())?.[0] as string;
    expect(h.out()).toContain('serving 2 run(s)');
    const runs = (await (await fetch(new URL('/api/runs', url))).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(2);
    stop.abort();
    await done;
    expect(code).toBe(0);
    await expect(fetch(new URL('/api/runs', url))).rejects.toThrow();
  });

  it('refuses a bad port and a missing path with exit code 2 messages', async () => {
    const h = harness();
    const stop = new AbortController();
    await expect(program(h.io, () => undefined, stop.signal).parseAsync(['serve', 'examples/real-logs', '--port', '70000'], { from: 'user' })).rejects.toThrow(/--port: expected an integer from 0 to 65535/);
    await expect(program(h.io, () => undefined, stop.signal).parseAsync(['serve', 'no/such/dir'], { from: 'user' })).rejects.toThrow(/no\/such\/dir: cannot read/);
  });
});
