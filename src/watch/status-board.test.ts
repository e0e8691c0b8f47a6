import { describe, expect, it } from 'vitest';
import type { RunStatus } from './events.js';
import { StatusBoard } from './status-board.js';

const status = (run: string, step: number, loss: number): RunStatus => ({
  run, format: 'jsonl', step, unit: 'step', trainLoss: { tag: 'loss', value: loss }, valLoss: null, worst: null, stalled: false,
});

describe('StatusBoard', () => {
  it('rewrites its lines in place and lifts them out of the way of other output', () => {
    let out = '';
    const board = new StatusBoard({ write: (s: string) => (out += s), columns: 60 }, false, 2);
    board.update(status('runs/a', 10, 0.5));
    expect(out).toBe('runs/a  step 10  loss 0.5  ✔ no problems so far\n');
    out = '';
    board.update(status('runs/b', 3, 2));
    expect(out).toBe('\u001b[1A\r\u001b[Jruns/a  step 10  loss 0.5  ✔ no problems so far\nruns/b  step 3  loss 2  ✔ no problems so far\n');
    out = '';
    board.above(() => (out += 'FINDING\n'));
    expect(out).toBe('\u001b[2A\r\u001b[JFINDING\nruns/a  step 10  loss 0.5  ✔ no problems so far\nruns/b  step 3  loss 2  ✔ no problems so far\n');
    out = '';
    board.update(status('runs/c', 1, 3));
    // only the two most recently updated runs, in the order they were found, and a count of the rest
    expect(out).toBe('\u001b[2A\r\u001b[Jruns/b  step 3  loss 2  ✔ no problems so far\nruns/c  step 1  loss 3  ✔ no problems so far\n… and 1 more run\n');
    out = '';
    board.clear();
    expect(out).toBe('\u001b[3A\r\u001b[J');
  });

  it('cuts lines to the terminal width', () => {
    let out = '';
    const board = new StatusBoard({ write: (s: string) => (out += s), columns: 30 }, false);
    board.update(status('a/very/long/run/name/that/goes/on', 123456, 0.123));
    expect(out.trimEnd().length).toBeLessThanOrEqual(29);
    expect(out.trimEnd().endsWith('…')).toBe(true);
  });
});
