/**
 * The dashboard stays inside its served paths when files are swapped for symbolic links after
 * discovery (issue 13, item 7): every open re-checks the file's real path, and data from outside is
 * never served.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventFileWriter } from '../formats/tensorboard/index.js';
import type { RunDetail, RunsPayload, ScalarsPayload } from './api-types.js';
import { apiAnswer } from './api-routes.js';
import { RunStore } from './run-store.js';
import { startDashboard } from './server.js';

/** Inside data: loss values below 3. Outside data: the tag `secret/leak` and losses of 424242.5 (more lines, so it looks like growth). */
const INSIDE = (n: number): string => Array.from({ length: n }, (_, step) => `${JSON.stringify({ step, 'train/loss': 2 / (step + 1) })}\n`).join('');
const OUTSIDE = Array.from({ length: 400 }, (_, step) => `${JSON.stringify({ step, 'train/loss': 424242.5, 'secret/leak': 424242.5 })}\n`).join('');

let root: string;
let outside: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nndoctor-confine-'));
  outside = mkdtempSync(join(tmpdir(), 'nndoctor-confine-outside-'));
  writeFileSync(join(outside, 'secret.jsonl'), OUTSIDE);
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** Replaces `path` with a symbolic link to `target` in one step (rename of a fresh link over it). */
function swapForLink(path: string, target: string): void {
  const link = `${path}.swap`;
  symlinkSync(target, link);
  renameSync(link, path);
}

/** Every answer the API gives about every run (runs list, detail, findings, all scalars), as text. */
async function everythingServed(store: RunStore): Promise<string> {
  let text = '';
  const get = async (segments: string[], query: Record<string, string> = {}): Promise<unknown> => {
    const answer = await apiAnswer(store, segments, new URLSearchParams(query));
    text += JSON.stringify(answer.body);
    return answer.body;
  };
  const runs = (await get(['runs'])) as RunsPayload;
  for (const run of runs.runs) {
    const detail = (await get(['runs', run.id])) as RunDetail;
    await get(['runs', run.id, 'findings']);
    await get(['runs', run.id, 'scalars'], { tags: detail.scalarTags.map((t) => t.tag).join(','), width: '64' });
  }
  return text;
}

describe('dashboard confinement to the served path', () => {
  it('never serves the data of a file outside the root that a run log was swapped for after discovery', async () => {
    mkdirSync(join(root, 'exp1'));
    const log = join(root, 'exp1', 'metrics.jsonl');
    writeFileSync(log, INSIDE(50));
    const dash = await startDashboard({ paths: [root], port: 0, webRoot: null, intervalMs: 20, rediscoverMs: 50 });
    try {
      await dash.store.settle();
      const [run] = dash.store.list();
      expect(run?.summary().points).toBe(50);

      swapForLink(log, join(outside, 'secret.jsonl'));
      // Re-reads: the server's own ticks run meanwhile; drive a few more, rediscovery included.
      for (let i = 0; i < 5; i++) {
        await dash.store.tick(Date.now() + 60_000 * (i + 1));
        await new Promise((r) => setTimeout(r, 30));
      }
      await dash.store.settle();

      const res = await fetch(new URL(`/api/runs/${run?.id}`, dash.url));
      const detail = (await res.json()) as RunDetail;
      expect(detail.problems.map((p) => p.code)).toContain('outside-root');
      expect(detail.scalarTags.map((t) => t.tag)).toEqual(['train/loss']);
      const scalars = (await (await fetch(new URL(`/api/runs/${run?.id}/scalars?tags=train/loss,secret/leak&width=64`, dash.url))).json()) as ScalarsPayload;
      expect(scalars.series.map((s) => s.tag)).toEqual(['train/loss']);
      expect(Math.max(...(scalars.series[0]?.values ?? []).map(Number))).toBeLessThan(3);
      const served = await everythingServed(dash.store);
      expect(served).not.toContain('424242');
      expect(served).not.toContain('secret/leak');
      expect(run?.run.scalars.has('secret/leak')).toBe(false);
    } finally {
      await dash.close();
    }
  });

  it('refuses a file whose folder was swapped for a link to a folder outside the root', async () => {
    mkdirSync(join(root, 'exp2'));
    writeFileSync(join(root, 'exp2', 'secret.jsonl'), INSIDE(20));
    const store = new RunStore({ paths: [root] });
    try {
      await store.discover();
      await store.settle();
      // The run's folder now links outside, where a file of the same name holds other data.
      rmSync(join(root, 'exp2'), { recursive: true });
      symlinkSync(outside, join(root, 'exp2'));
      await store.tick(Date.now());
      await store.settle();
      const [run] = store.list();
      expect(run?.problems.map((p) => p.code)).toContain('outside-root');
      const served = await everythingServed(store);
      expect(served).not.toContain('424242');
      expect(served).not.toContain('secret/leak');
    } finally {
      await store.close();
    }
  });

  it('refuses a swapped file when the whole run is read again (another of its files was rewritten)', async () => {
    const run = join(root, 'tb');
    const train = createEventFileWriter(join(run, 'train'), { hostname: 'test' });
    const validation = createEventFileWriter(join(run, 'validation'), { hostname: 'test' });
    for (let step = 0; step < 30; step++) {
      train.scalar('loss', step, 2 / (step + 1));
      validation.scalar('loss', step, 2.1 / (step + 1));
    }
    train.close();
    validation.close();
    const secret = createEventFileWriter(join(outside, 'tb'), { hostname: 'test' });
    for (let step = 0; step < 60; step++) secret.scalar('loss', step, 424242.5);
    secret.close();
    const store = new RunStore({ paths: [root], rediscoverMs: 1e9 });
    try {
      await store.discover(0);
      await store.settle();
      swapForLink(validation.path, secret.path);
      // The train file is replaced by a new one: the run is read again from the start, every file.
      const t = createEventFileWriter(join(run, 'train-new'), { hostname: 'test' });
      for (let step = 0; step < 40; step++) t.scalar('loss', step, 1 / (step + 1));
      t.close();
      renameSync(t.path, train.path);
      await store.tick(1);
      const [served] = store.list();
      expect(served?.problems.map((p) => p.code)).toContain('outside-root');
      expect(served?.run.scalars.get('train/loss')?.values.length).toBe(40);
      expect(served?.run.scalars.has('validation/loss')).toBe(false);
      expect(await everythingServed(store)).not.toContain('424242');
    } finally {
      await store.close();
    }
  });

  it('refuses a served file that was swapped for a link', async () => {
    const log = join(root, 'metrics.jsonl');
    writeFileSync(log, INSIDE(10));
    const store = new RunStore({ paths: [log] });
    try {
      await store.discover();
      await store.settle();
      swapForLink(log, join(outside, 'secret.jsonl'));
      await store.tick(Date.now());
      await store.settle();
      expect(store.list()[0]?.problems.map((p) => p.code)).toContain('outside-root');
      expect(await everythingServed(store)).not.toContain('424242');
    } finally {
      await store.close();
    }
  });
});
