/**
 * `nndoctor watch` on logs that grow: real event files, CSVs and trainer_state.json copied in chunks
 * (cut mid-record), and diverging logs written step by step. Engine-level tests tick the watcher by
 * hand after every append (deterministic); CLI tests run in real time with short intervals.
 */
import { appendFile, copyFile, mkdir, mkdtemp, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { checks as registry } from '../src/checks/index.js';
import type { CliIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';
import { diagnosePaths } from '../src/diagnose/diagnose-paths.js';
import type { Finding } from '../src/findings/finding.js';
import { severityRank } from '../src/findings/finding.js';
import type { Problem } from '../src/formats/reader.js';
import type { WatchFinding, WatchResolved } from '../src/watch/events.js';
import { Watcher } from '../src/watch/watcher.js';

// The check registry is filled as checks land; until then, watch with the curve-vanishing and diverging checks.
vi.mock('../src/checks/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/checks/index.js')>();
  if (original.checks.length > 0) return original;
  const { c6CurveVanishes } = await import('../src/checks/c6-curve-vanishes.js');
  const { c2Diverging } = await import('../src/checks/c2-diverging.js');
  return { ...original, checks: [c2Diverging, c6CurveVanishes] };
});

const examples = fileURLToPath(new URL('../examples/real-logs/', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s), isTTY: false }, stderr: { write: (s: string) => (err += s), isTTY: false }, env: {}, out: () => out, err: () => err };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'nndoctor-watch-'));
}

/** Byte ranges cutting a file into `n` pieces at offsets that do not line up with records. */
function cuts(size: number, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let at = 0;
  for (let i = 1; i <= n; i++) {
    const next = i === n ? size : Math.min(size, Math.floor((size * i) / n) + 7 * i);
    if (next > at) out.push([at, next]);
    at = Math.max(at, next);
  }
  return out;
}

/** A loss that falls to 0.8 by step 150, climbs back to 2.3 by step 300 (C2), then falls below 0.1 by step 480 (C2 gone). */
const recovering = (s: number): number => (s < 150 ? 2.3 - s * 0.01 : s < 300 ? 0.8 + (s - 150) * 0.01 : Math.max(0.1, 2.3 - (s - 300) * 0.012)) + 0.02 * Math.sin(s * 1.7);

const key = (run: string, f: Finding): string => [run, f.check, f.layer ?? '', [...f.tags].sort().join(',')].join('|');

interface Recorded {
  findings: WatchFinding[];
  resolved: WatchResolved[];
  problems: Problem[];
  watcher: Watcher;
}

function recordingWatcher(paths: string[]): Recorded {
  const rec: Recorded = { findings: [], resolved: [], problems: [], watcher: null as unknown as Watcher };
  rec.watcher = new Watcher(
    { paths, checks: registry, rediscoverMs: 0, stallAfterMs: Infinity, throttleChecks: false },
    { finding: (e) => rec.findings.push(e), resolved: (e) => rec.resolved.push(e), problem: (p) => rec.problems.push(p) },
  );
  return rec;
}

/** Copies `files` (relative to `from`) into `to` piece by piece, interleaved, ticking after every piece. */
async function growCopy(from: string, to: string, files: string[], pieces: number, rec: Recorded): Promise<void> {
  const contents = await Promise.all(files.map((f) => readFile(join(from, f))));
  for (const f of files) await mkdir(dirname(join(to, f)), { recursive: true });
  const plans = contents.map((c) => cuts(c.length, pieces));
  for (let i = 0; i < pieces; i++) {
    for (let k = 0; k < files.length; k++) {
      const range = plans[k]?.[i];
      if (range) await appendFile(join(to, files[k] as string), (contents[k] as Buffer).subarray(range[0], range[1]));
    }
    await rec.watcher.tick();
  }
  await rec.watcher.tick(true);
}

/** Every finding of a one-shot diagnosis of the finished copy was reported while watching, and none twice. */
async function expectSameAsDiagnose(dir: string, rec: Recorded): Promise<void> {
  const keys = rec.findings.map((e) => key(e.run, e.finding) + '|' + e.finding.severity);
  expect(new Set(keys).size).toBe(keys.length);
  const diagnosis = await diagnosePaths([dir], { checks: registry });
  for (const run of diagnosis.runs) {
    for (const f of run.findings) {
      if (f.evidence['insufficientData'] === true) continue;
      const seen = rec.findings.filter((e) => key(e.run, e.finding) === key(run.run, f));
      expect(seen.length, `${run.run} ${f.check}`).toBeGreaterThan(0);
      expect(Math.max(...seen.map((e) => severityRank(e.finding.severity)))).toBeGreaterThanOrEqual(severityRank(f.severity));
    }
  }
  // The watched telemetry equals what a one-shot read gives (these logs are below the bounded size).
  const watched = new Map(rec.watcher.runs().map((r) => [r.id, r]));
  for (const run of diagnosis.runs) expect(watched.has(run.run), run.run).toBe(true);
}

describe('watch engine on growing real logs', () => {
  it('follows a TF2 Keras run (train/ and validation/ event files) appended in pieces cut mid-record', async () => {
    const src = join(examples, 'tf2_keras_reuters');
    const dir = await tempDir();
    const files = ['mod1-reuters-1690485395/train/events.out.tfevents.1690485396.e-bnbobg-5l77j-0.80091.3.v2', 'mod1-reuters-1690485395/validation/events.out.tfevents.1690485399.e-bnbobg-5l77j-0.80091.4.v2'];
    const rec = recordingWatcher([dir]);
    await growCopy(src, dir, files, 9, rec);
    expect(rec.problems).toEqual([]);
    await expectSameAsDiagnose(dir, rec);
    const [run] = rec.watcher.runs();
    expect(run?.id).toBe(join(dir, 'mod1-reuters-1690485395'));
    expect(run?.scalars.get('validation/epoch_loss')?.values.length).toBeGreaterThan(1);
    expect(run?.histograms.size).toBeGreaterThan(0);
  });

  it('follows PyTorch event files of a sweep appearing one run after another', async () => {
    const src = join(examples, 'pets_unet_deeplab/unet/runs');
    const dir = await tempDir();
    const names = (await readdir(src)).filter((n) => n.startsWith('UNet_')).slice(0, 3);
    const rec = recordingWatcher([dir]);
    for (const name of names) {
      const file = (await readdir(join(src, name))).find((f) => f.startsWith('events.out'));
      await growCopy(src, dir, [join(name, file as string)], 5, rec);
    }
    expect(rec.problems).toEqual([]);
    expect(rec.watcher.runs().map((r) => relative(dir, r.id))).toEqual(names);
    await expectSameAsDiagnose(dir, rec);
  });

  it('follows Lightning metrics.csv and Keras CSV logs growing line by line, cut mid-line', async () => {
    const dir = await tempDir();
    const rec = recordingWatcher([dir]);
    await growCopy(join(examples, 'lightning_forestcover/lightning_logs'), join(dir, 'lightning_logs'), ['version_3/metrics.csv'], 12, rec);
    await growCopy(join(examples, 'keras_csvlogger'), dir, ['BurakErguvn_Car-Prediction-CNN-Model/training.log'], 12, rec);
    expect(rec.problems).toEqual([]);
    const lightning = rec.watcher.runs().find((r) => r.format === 'lightning-csv');
    const original = await readFile(join(examples, 'lightning_forestcover/lightning_logs/version_3/metrics.csv'), 'utf8');
    const trainRows = original.split('\n').slice(1).filter((l) => l.split(',')[3] !== '' && l.trim() !== '').length;
    expect(lightning?.scalars.get('train_loss')?.values.length).toBe(trainRows);
    await expectSameAsDiagnose(dir, rec);
  });

  it('follows a Hugging Face trainer_state.json rewritten whole, and a newer checkpoint-N replacing it', async () => {
    const dir = await tempDir();
    const state = JSON.parse(await readFile(join(examples, 'hf_trainer_state/Tashu014_lora-imdb-distilbert/trainer_state.json'), 'utf8')) as { log_history: unknown[] };
    const rec = recordingWatcher([dir]);
    const n = state.log_history.length;
    const write = async (checkpoint: number, entries: number): Promise<void> => {
      await mkdir(join(dir, 'out', `checkpoint-${checkpoint}`), { recursive: true });
      await writeFile(join(dir, 'out', `checkpoint-${checkpoint}`, 'trainer_state.json'), JSON.stringify({ ...state, log_history: state.log_history.slice(0, entries) }, null, 2));
      await rec.watcher.tick();
    };
    await write(100, Math.ceil(n / 3));
    // caught in the middle of a rewrite: not a problem as long as the next look finds it whole
    const half = JSON.stringify({ ...state, log_history: state.log_history.slice(0, Math.ceil((2 * n) / 3)) }, null, 2);
    await writeFile(join(dir, 'out', 'checkpoint-100', 'trainer_state.json'), half.slice(0, half.length / 2));
    await rec.watcher.tick();
    await write(100, Math.ceil((2 * n) / 3));
    await write(200, n);
    await rec.watcher.tick(true);
    expect(rec.problems).toEqual([]);
    const [run] = rec.watcher.runs();
    expect(rec.watcher.runs()).toHaveLength(1);
    const once = await diagnosePaths([join(dir, 'out', 'checkpoint-200')], { checks: registry });
    expect(once.runs).toHaveLength(1);
    for (const [tag, series] of run?.scalars ?? []) {
      const steps = series.steps;
      for (let i = 1; i < steps.length; i++) expect(steps[i], tag).toBeGreaterThanOrEqual(steps[i - 1] as number);
    }
  });
});

describe('watch engine: input problems', () => {
  it('reports a broken whole-file log once it stays broken, once', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'trainer_state.json'), '{"log_history": [{"step": 1, "loss": 0.5},');
    const rec = recordingWatcher([dir]);
    await rec.watcher.tick();
    expect(rec.problems).toEqual([]);
    await rec.watcher.tick();
    await rec.watcher.tick();
    expect(rec.problems.map((p) => p.code)).toEqual(['bad-json']);
  });

  it('reports a bad line of a JSON-lines log at once, and a half-written last line never', async () => {
    const dir = await tempDir();
    const log = join(dir, 'm.jsonl');
    await writeFile(log, '{"step": 0, "loss": 1}\n{"step": 1, "loss": 0.9}\n{"step": 2, "lo');
    const rec = recordingWatcher([dir]);
    await rec.watcher.tick();
    expect(rec.problems).toEqual([]);
    await appendFile(log, 'ss": 0.8}\nnot json\n');
    await rec.watcher.tick();
    expect(rec.problems.map((p) => p.code)).toEqual(['bad-json']);
    expect(rec.problems[0]?.message).toContain('line 4');
    await rec.watcher.tick(true);
    expect(rec.problems).toHaveLength(1);
  });
});

describe('watch engine on diverging logs written step by step', () => {
  it('reports C6 once, naming the first NaN step, as soon as the NaN line is complete', async () => {
    const dir = await tempDir();
    const log = join(dir, 'run1', 'metrics.jsonl');
    await mkdir(dirname(log), { recursive: true });
    const rec = recordingWatcher([dir]);
    const nanAt = 37;
    let firstSeenAt = -1;
    for (let step = 0; step < 60; step++) {
      const loss = step >= nanAt ? 'NaN' : 2 - step * 0.02;
      const line = `${JSON.stringify({ step, 'train/loss': loss, lr: 0.1 })}\n`;
      if (step === nanAt) {
        // the NaN line arrives in two writes: nothing may be reported for the half line
        await appendFile(log, line.slice(0, 12));
        await rec.watcher.tick();
        expect(rec.findings.filter((e) => e.finding.check === 'C6')).toEqual([]);
        await appendFile(log, line.slice(12));
      } else await appendFile(log, line);
      await rec.watcher.tick();
      if (firstSeenAt < 0 && rec.findings.some((e) => e.finding.check === 'C6')) firstSeenAt = step;
    }
    await rec.watcher.tick(true);
    const c6 = rec.findings.filter((e) => e.finding.check === 'C6');
    expect(c6).toHaveLength(1);
    expect(firstSeenAt).toBe(nanAt);
    expect(c6[0]?.finding.severity).toBe('error');
    expect(c6[0]?.finding.steps?.[0]).toBe(nanAt);
    expect(c6[0]?.finding.message).toContain(String(nanAt));
    expect(c6[0]?.run).toBe(log);
    expect(rec.problems).toEqual([]);
  });

  it('resolves a divergence (C2) the run recovered from, and reports it again when the loss climbs anew', async () => {
    const dir = await tempDir();
    const log = join(dir, 'metrics.jsonl');
    const rec = recordingWatcher([dir]);
    // climbs again from step 800
    const loss = (s: number): number => (s < 800 ? recovering(s) : 0.1 + (s - 800) * 0.01 + 0.02 * Math.sin(s * 1.7));
    const c2 = (): WatchFinding[] => rec.findings.filter((e) => e.finding.check === 'C2');
    const write = async (from: number, to: number): Promise<void> => {
      for (let s = from; s < to; s += 50) {
        await appendFile(log, Array.from({ length: 50 }, (_, i) => `${JSON.stringify({ step: s + i, 'train/loss': loss(s + i) })}\n`).join(''));
        await rec.watcher.tick();
      }
    };
    await write(0, 400);
    expect(c2().length).toBeGreaterThan(0);
    expect(rec.resolved).toEqual([]);
    await write(400, 800);
    const resolved = rec.resolved.filter((e) => e.finding.check === 'C2');
    expect(resolved).toHaveLength(1);
    // two check passes in a row without C2 (it is gone from step ~450 on), the run's latest step then
    expect(resolved[0]?.step).toBeGreaterThanOrEqual(499);
    expect(resolved[0]?.step).toBeLessThan(800);
    expect(resolved[0]?.finding.tags).toEqual(c2()[0]?.finding.tags);
    expect(rec.watcher.summary().resolved).toBe(1);
    const before = c2().length;
    await write(800, 1000);
    await rec.watcher.tick(true);
    expect(c2().length).toBeGreaterThan(before); // came back: reported again (then escalated to error)
    expect(c2()[before]?.finding.steps?.[0]).toBeGreaterThanOrEqual(450); // measured from the new low, not the first one (step ~150)
  });

  it('reports a NaN epoch of a Keras CSV log once, at that epoch', async () => {
    const dir = await tempDir();
    const log = join(dir, 'training.log');
    await writeFile(log, 'epoch,loss,val_loss\n');
    const rec = recordingWatcher([log]);
    for (let e = 0; e < 14; e++) {
      await appendFile(log, `${e},${e < 9 ? (2 - e * 0.15).toFixed(3) : 'nan'},${e < 9 ? (2.1 - e * 0.12).toFixed(3) : 'nan'}\n`);
      await rec.watcher.tick();
    }
    await rec.watcher.tick(true);
    const c6 = rec.findings.filter((e) => e.finding.check === 'C6');
    expect(c6.length).toBeGreaterThanOrEqual(1);
    for (const e of c6) expect(e.finding.steps?.[0]).toBe(9);
    expect(c6[0]?.unit).toBe('epoch');
    expect(new Set(c6.map((e) => key(e.run, e.finding))).size).toBe(c6.length);
  });

  it('reports a run that stops growing as stalled (info) once, and again only after it grew and stopped again', async () => {
    const dir = await tempDir();
    const log = join(dir, 'm.jsonl');
    await writeFile(log, '{"step": 0, "loss": 1}\n{"step": 1, "loss": 0.9}\n');
    let now = 1_000_000;
    const found: WatchFinding[] = [];
    const watcher = new Watcher({ paths: [dir], checks: registry, rediscoverMs: 0, stallAfterMs: 60_000, throttleChecks: false, now: () => now }, { finding: (e) => found.push(e) });
    await watcher.tick();
    now += 30_000;
    await watcher.tick();
    expect(found.filter((e) => e.finding.check === 'STALLED')).toEqual([]);
    now += 31_000;
    await watcher.tick();
    now += 100_000;
    await watcher.tick();
    const stalled = found.filter((e) => e.finding.check === 'STALLED');
    expect(stalled).toHaveLength(1);
    expect(stalled[0]?.finding.severity).toBe('info');
    expect(stalled[0]?.finding.message).toMatch(/no new data for 61 s \(since step 1\)/);
    await appendFile(log, '{"step": 2, "loss": 0.8}\n');
    await watcher.tick();
    now += 61_000;
    await watcher.tick();
    expect(found.filter((e) => e.finding.check === 'STALLED')).toHaveLength(2);
    expect(watcher.status()[0]?.stalled).toBe(true);
  });
});

describe('watch engine: verdicts on finished runs', () => {
  const falling = (steps: number): string => Array.from({ length: steps }, (_, step) => `${JSON.stringify({ step, 'train/loss': 2 * Math.exp(-step / 150) + 0.1 })}\n`).join('');
  const hasC4 = registry.some((c) => c.id === 'C4');

  it.skipIf(!hasC4)('holds "not converged" (C4) back while the run grows, and gives it when the watch ends', async () => {
    const dir = await tempDir();
    const log = join(dir, 'live.jsonl');
    const rec = recordingWatcher([dir]);
    const lines = falling(120).split('\n');
    for (let i = 0; i < 120; i += 10) {
      await appendFile(log, `${lines.slice(i, i + 10).join('\n')}\n`);
      await rec.watcher.tick();
    }
    expect(rec.findings.filter((e) => e.finding.check === 'C4')).toEqual([]);
    await rec.watcher.tick(true);
    expect(rec.findings.filter((e) => e.finding.check === 'C4')).toHaveLength(1);
  });

  it.skipIf(!hasC4)('gives it at once for a run that was already finished (old files) when found, and never calls that run stalled', async () => {
    const dir = await tempDir();
    const log = join(dir, 'old.jsonl');
    await writeFile(log, falling(120));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(log, hourAgo, hourAgo);
    let now = Date.now();
    const found: WatchFinding[] = [];
    const watcher = new Watcher({ paths: [dir], checks: registry, stallAfterMs: 60_000, throttleChecks: false, now: () => now }, { finding: (e) => found.push(e) });
    await watcher.tick();
    expect(found.filter((e) => e.finding.check === 'C4')).toHaveLength(1);
    now += 3_600_000;
    await watcher.tick();
    expect(found.filter((e) => e.finding.check === 'STALLED')).toEqual([]);
  });

  it.skipIf(!hasC4)('gives it when a live run stalls', async () => {
    const dir = await tempDir();
    const log = join(dir, 'live.jsonl');
    await writeFile(log, falling(120));
    let now = Date.now();
    const found: WatchFinding[] = [];
    const watcher = new Watcher({ paths: [dir], checks: registry, stallAfterMs: 60_000, throttleChecks: false, now: () => now }, { finding: (e) => found.push(e) });
    await watcher.tick();
    expect(found.map((e) => e.finding.check)).not.toContain('C4');
    now += 61_000;
    await watcher.tick();
    expect(found.map((e) => e.finding.check)).toEqual(expect.arrayContaining(['STALLED', 'C4']));
  });
});

describe('nndoctor watch (CLI, real time)', () => {
  it('streams each new finding once as JSON within a couple of seconds of the step that causes it', async () => {
    const dir = await tempDir();
    const log = join(dir, 'exp', 'metrics.jsonl');
    await mkdir(dirname(log), { recursive: true });
    const hookOut = join(dir, 'hook.txt');
    const io = capture();
    const started = Date.now();
    const done = runCli(['watch', dir, '--format', 'json', '--interval', '0.1', '--timeout', '4', '--on-finding', `"${process.execPath}" "${fixture('write-stdin.mjs')}" "${hookOut}"`], io);
    let nanWrittenAt = 0;
    let seenAfter = -1;
    for (let step = 0; step < 40; step++) {
      await appendFile(log, `${JSON.stringify({ step, 'train/loss': step >= 25 ? 'NaN' : 2 - step * 0.03 })}\n`);
      if (step === 25) nanWrittenAt = Date.now();
      await new Promise((r) => setTimeout(r, 40));
    }
    while (seenAfter < 0 && Date.now() - nanWrittenAt < 3000) {
      if (io.out().includes('"check":"C6"')) seenAfter = Date.now() - nanWrittenAt;
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = await done;
    expect(code).toBe(0);
    expect(seenAfter).toBeGreaterThanOrEqual(0);
    expect(seenAfter).toBeLessThan(2000);
    const lines = io.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const c6 = lines.filter((l) => l['type'] === 'finding' && l['check'] === 'C6');
    expect(c6).toHaveLength(1);
    expect(c6[0]).toMatchObject({ type: 'finding', run: log, unit: 'step', severity: 'error', evidence: { value: 'NaN' } });
    expect((c6[0]?.['steps'] as number[])[0]).toBe(25);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'summary', runs: 1, exitCode: 0 });
    expect(lines.filter((l) => l['type'] === 'problem')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(8000);
    // the hook got every finding as one JSON line on stdin
    const hook = (await readFile(hookOut, 'utf8')).trim().split('\n');
    expect(hook.length).toBe(lines.filter((l) => l['type'] === 'finding').length);
    const c6Hook = hook.find((l) => l.startsWith('C6\t'));
    expect(JSON.parse(c6Hook?.slice(3) ?? '{}')).toMatchObject({ type: 'finding', run: log, check: 'C6', steps: c6[0]?.['steps'] });
  });

  it('streams a divergence the run recovered from as resolved, and runs --on-resolved with its JSON line', async () => {
    const dir = await tempDir();
    const log = join(dir, 'exp', 'metrics.jsonl');
    await mkdir(dirname(log), { recursive: true });
    const hookOut = join(dir, 'resolved.txt');
    const io = capture();
    const done = runCli(['watch', dir, '--format', 'json', '--interval', '0.1', '--timeout', '5', '--only', 'C2', '--on-resolved', `"${process.execPath}" "${fixture('write-stdin.mjs')}" "${hookOut}"`], io);
    for (let s = 0; s < 800; s += 50) {
      await appendFile(log, Array.from({ length: 50 }, (_, i) => `${JSON.stringify({ step: s + i, 'train/loss': recovering(s + i) })}\n`).join(''));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await done).toBe(0);
    const lines = io.out().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l['type'] === 'finding' && l['check'] === 'C2').length).toBeGreaterThan(0);
    const resolved = lines.filter((l) => l['type'] === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ type: 'resolved', run: log, unit: 'step', check: 'C2' });
    expect(lines[lines.length - 1]).toMatchObject({ type: 'summary', resolved: 1 });
    const hook = (await readFile(hookOut, 'utf8')).trim().split('\n');
    expect(hook).toHaveLength(1);
    expect(JSON.parse(hook[0]?.slice(3) ?? '{}')).toMatchObject({ type: 'resolved', run: log, check: 'C2', step: resolved[0]?.['step'] });
  });

  it('prints text findings and a summary, waits for a path that does not exist yet, reports stalls and failing hooks, and exits 0 on timeout', async () => {
    const dir = await tempDir();
    const io = capture();
    const done = runCli(['watch', join(dir, 'later'), '--interval', '0.05', '--timeout', '2', '--stall-after', '0.6', '--on-finding', 'echo hook broke >&2; exit 3'], io);
    await new Promise((r) => setTimeout(r, 300));
    await mkdir(join(dir, 'later'));
    const lines = ['epoch,loss,val_loss', ...Array.from({ length: 12 }, (_, e) => `${e},${e < 6 ? (2 - e * 0.2).toFixed(3) : 'nan'},${e < 6 ? (2.1 - e * 0.2).toFixed(3) : 'nan'}`)];
    await writeFile(join(dir, 'later', 'training.log'), `${lines.join('\n')}\n`);
    expect(await done).toBe(0);
    const out = io.out();
    expect(io.err()).toContain(`no logs in ${join(dir, 'later')} yet`);
    expect(out).toMatch(/\] ERROR C6 Curve vanishes \(epochs? 6(-11)?\): /);
    const c6 = out.split('\n').filter((l) => l.includes('ERROR C6'));
    expect(c6.length).toBeGreaterThanOrEqual(1);
    expect(new Set(c6).size).toBe(c6.length);
    expect(out).toMatch(/INFO STALLED Run stalled/);
    expect(out).toMatch(/evidence: /);
    expect(out).toMatch(/nndoctor watch: 1 run · \d+ errors? · /);
    expect(out).not.toContain('\u001b[');
    // a failing hook is reported and the watch goes on
    expect(io.err()).toMatch(/nndoctor: --on-finding command for C6 on .*training\.log exited with code 3: hook broke/);
  });

  it('exits 2 when nothing readable appeared, and rejects bad arguments with a message naming them', async () => {
    const dir = await tempDir();
    const io = capture();
    expect(await runCli(['watch', join(dir, 'nothing'), '--interval', '0.05', '--timeout', '0.3'], io)).toBe(2);
    expect(io.err()).toContain('no readable training logs appeared');
    for (const [args, msg] of [
      [['--interval', 'fast'], "--interval: expected a number of seconds >= 0.01, got 'fast'"],
      [['--stall-after', '0'], '--stall-after: expected a number of seconds > 0'],
      [['--stop-on', 'error'], '--stop-on: needs --exec'],
      [['--exec'], '--exec: expected the training command after --'],
      [['--only', 'C99'], '--only/--skip: unknown check id(s) C99'],
    ] as const) {
      const bad = capture();
      expect(await runCli(['watch', dir, ...args], bad)).toBe(2);
      expect(bad.err()).toContain(msg);
    }
    const bad = capture();
    expect(await runCli(['watch', dir, '--format', 'markdown'], bad)).toBe(2);
    expect(bad.err()).toContain('markdown');
    expect((await stat(dir)).isDirectory()).toBe(true);
  });
});

describe('watch on a copy made in one go', () => {
  it('gives the same findings as diagnose for the bundled TensorBoard sweep', async () => {
    const dir = await tempDir();
    const src = join(examples, 'pets_unet_deeplab/deeplabv3_resnet101');
    for (const name of await readdir(src, { recursive: true })) {
      const from = join(src, name);
      if (!(await stat(from)).isFile()) continue;
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await copyFile(from, join(dir, name));
    }
    const rec = recordingWatcher([dir]);
    await rec.watcher.tick();
    await rec.watcher.tick(true);
    await expectSameAsDiagnose(dir, rec);
  });
});
