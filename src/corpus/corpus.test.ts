import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosePaths } from '../diagnose/diagnose-paths.js';
import { generateCorpus } from './generate.js';
import type { CorpusLabels } from './labels.js';
import { ALL_SEEDS_FAULTS, planCorpus, SEEDS } from './plan.js';
import { scoreCorpus } from './score.js';

describe('corpus plan', () => {
  it('splits tuning and test by seed and by architecture', () => {
    const runs = planCorpus();
    const of = (split: string) => runs.filter((r) => r.split === split);
    const seeds = (split: string) => new Set(of(split).map((r) => r.seed));
    const archs = (split: string) => new Set(of(split).map((r) => r.arch));
    expect([...seeds('tuning')].some((s) => seeds('test').has(s))).toBe(false);
    expect([...archs('tuning')].some((a) => archs('test').has(a))).toBe(false);
    expect(runs.some((r) => r.exports.length > 0)).toBe(true);
  });

  it('trains healthy baselines and the overfitting faults with every seed, other faults with the first', () => {
    const runs = planCorpus({ split: 'test' }).filter((r) => r.arch === 'relu1x64-sgd');
    const seedsOf = (fault: string | null) => runs.filter((r) => r.fault === fault).map((r) => r.seed);
    for (const fault of [null, ...ALL_SEEDS_FAULTS]) expect(seedsOf(fault)).toEqual([...SEEDS.test]);
    expect(seedsOf('lr-too-high')).toEqual([SEEDS.test[0]]);
    // Data size and dataset alternate with the seed.
    expect(new Set(runs.filter((r) => r.fault === null).map((r) => `${r.dataset} ${r.config.data.train}`)).size).toBe(2);
  });

  it('covers MLPs, a small CNN and a small RNN on two datasets in each part', () => {
    for (const split of ['tuning', 'test'] as const) {
      const runs = planCorpus({ split });
      expect(runs.every((r) => r.split === split)).toBe(true);
      const kinds = new Set(runs.flatMap((r) => r.config.model.hidden.map((l) => l.kind ?? 'dense')));
      expect([...kinds].sort()).toEqual(['conv', 'dense', 'rnn']);
      expect(new Set(runs.map((r) => r.dataset))).toEqual(new Set(['mnist', 'fashion-mnist']));
    }
  });
});

describe('corpus smoke', () => {
  const out = mkdtempSync(join(tmpdir(), 'nndoctor-corpus-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('generates, labels, exports and scores a tiny corpus', async () => {
    const plan = planCorpus({ quick: true, faults: [null, 'log-zero-nan'] })
      .filter((r) => r.split === 'tuning')
      .map((r, i) => ({ ...r, config: { ...r.config, data: { ...r.config.data, train: 160, validation: 40 }, epochs: 3 }, exports: i === 0 ? (['jsonl'] as const) : [] }));
    const labels = await generateCorpus({ out, plan });
    expect(JSON.parse(readFileSync(join(out, 'labels.json'), 'utf8')) as CorpusLabels).toEqual(labels);
    expect(labels.runs.map((r) => r.format)).toEqual(['tensorboard', 'jsonl', 'tensorboard']);
    const nan = labels.runs.find((r) => r.fault === 'log-zero-nan');
    expect(nan?.labels['C6']?.expect).toBe('must');
    expect(nan?.live.some((a) => a.check === 'T1')).toBe(true);
    const score = scoreCorpus(labels, await diagnosePaths([out])).splits.find((s) => s.split === 'tuning');
    expect(score?.unmatched).toEqual([]);
    expect(score?.checks.find((c) => c.check === 'C6')?.recall).toBe(1);

    // A second generation into the same directory (the other split, say) keeps the first one's entries.
    const more = await generateCorpus({ out, plan: [{ ...(plan[0] as (typeof plan)[number]), id: 'other-part', exports: [] }] });
    expect(more.runs.map((r) => r.dir)).toEqual([...labels.runs.map((r) => r.dir), 'other-part']);

    // Resuming trains only what labels.json lacks (here a run whose log directory was deleted too).
    rmSync(join(out, 'other-part'), { recursive: true });
    const trained: string[] = [];
    const resumed = await generateCorpus({ out, resume: true, plan: [...plan, { ...(plan[0] as (typeof plan)[number]), id: 'other-part', exports: [] }], onProgress: (_d, _t, line) => trained.push(line.split(':')[0] as string) });
    expect(trained).toEqual(['other-part']);
    expect(resumed.runs.map((r) => r.dir).sort()).toEqual(more.runs.map((r) => r.dir).sort());
    expect(readFileSync(join(out, 'labels.json'), 'utf8')).toBe(`${JSON.stringify(resumed, null, 1)}\n`);
  }, 180_000);
});
