/**
 * `nndoctor watch` on a log file replaced at the same path (issue 13, item 8): a new, larger file
 * renamed over the followed one must be read from its start (as a restart), not from the old file's
 * offset, so what its first lines hold is seen and no bogus `bad-json` problem is printed.
 */
import { appendFile, mkdtemp, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checks as registry } from '../src/checks/index.js';
import type { Problem } from '../src/formats/reader.js';
import type { WatchFinding } from '../src/watch/events.js';
import { Watcher } from '../src/watch/watcher.js';

let dir: string;
let spare: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nndoctor-watch-replace-'));
  spare = await mkdtemp(join(tmpdir(), 'nndoctor-watch-spare-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(spare, { recursive: true, force: true });
});

/** JSON lines from `from` to `to` (exclusive); steps below `nanUntil` log a NaN loss. */
function lines(from: number, to: number, nanUntil = -1): string {
  let out = '';
  for (let step = from; step < to; step++) {
    const loss = step < nanUntil ? 'NaN' : 2 * Math.exp(-step / 400) + 0.1 + 0.01 * Math.sin(step);
    out += `${JSON.stringify({ step, 'train/loss': loss, lr: 0.01 })}\n`;
  }
  return out;
}

function watcher(): { watcher: Watcher; findings: WatchFinding[]; problems: Problem[] } {
  const findings: WatchFinding[] = [];
  const problems: Problem[] = [];
  const w = new Watcher(
    { paths: [dir], checks: registry, rediscoverMs: 0, stallAfterMs: Infinity, throttleChecks: false },
    { finding: (e) => findings.push(e), problem: (p) => problems.push(p) },
  );
  return { watcher: w, findings, problems };
}

const nonFinite = (findings: readonly WatchFinding[]): WatchFinding[] => findings.filter((e) => e.finding.check === 'C6' || e.finding.check === 'T1');

describe('watch: a log file replaced at the same path', () => {
  it('reads a larger file renamed over the followed one from its start: the NaN losses of its first lines are found, and no bad-json', async () => {
    const log = join(dir, 'metrics.jsonl');
    await writeFile(log, lines(0, 300));
    const rec = watcher();
    await rec.watcher.tick();
    await appendFile(log, lines(300, 600));
    await rec.watcher.tick();
    expect(nonFinite(rec.findings)).toEqual([]);
    const before = await stat(log);

    // A restarted training writes its log anew and moves it into place: NaN at steps 0-499, then finite.
    // Its line boundaries do not line up with the old file's (a read from the old offset starts mid-line).
    const next = join(spare, 'metrics.jsonl.new');
    await writeFile(next, lines(0, 1500, 500));
    await rename(next, log);
    const after = await stat(log);
    expect(after.ino).not.toBe(before.ino);
    expect(after.size).toBeGreaterThan(before.size);
    await rec.watcher.tick();
    await rec.watcher.tick(true);

    expect(rec.problems.filter((p) => p.code === 'bad-json')).toEqual([]);
    expect(rec.problems).toEqual([]);
    const found = nonFinite(rec.findings);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((e) => (e.finding.steps?.[0] ?? Infinity) < 500)).toBe(true);
    // The series holds the new file's history only (the old points were dropped as a restart).
    const run = rec.watcher.runs()[0];
    const loss = run?.scalars.get('train/loss');
    expect(loss?.steps[0]).toBe(0);
    expect(Number.isNaN(loss?.values[0])).toBe(true);
    expect(loss?.steps.at(-1)).toBe(1499);
  });

  it('reads a file truncated and written again in place from its start', async () => {
    const log = join(dir, 'metrics.jsonl');
    await writeFile(log, lines(0, 400));
    const rec = watcher();
    await rec.watcher.tick();
    // Same inode, rewritten: shorter for a moment, then longer than before, with other first bytes.
    await truncate(log, 0);
    await writeFile(log, lines(0, 900, 200));
    await rec.watcher.tick(true);
    expect(rec.problems).toEqual([]);
    expect(nonFinite(rec.findings).some((e) => (e.finding.steps?.[0] ?? Infinity) < 200)).toBe(true);
  });
});
