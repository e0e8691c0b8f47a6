/**
 * A W&B run's `config.yaml` (`files/config.yaml`; in the run folder itself for 0.8 clients): every
 * top-level key is a block `key: {desc: ..., value: X}` (`desc` left out by clients 0.19+), plus
 * `wandb_version: 1` and the client's own `_wandb` block. The plain scalar `value` of each block is
 * the config entry; nested values (dicts, lists) and `_wandb` are skipped, so no YAML library is
 * needed.
 */
import type { MetaValue, TelemetrySink } from '../../telemetry/run.js';
import { topLevelScalars } from '../lightning-csv/hparams.js';
import { problemList } from '../problems/problem-list.js';
import type { ReadOptions, ReadResult } from '../reader.js';
import { readWholeFile } from '../whole-file/read-whole-file.js';

/** A config file is settings, not data: one over 16 MiB is not a W&B config (and is not read whole). */
const MAX_BYTES = 16 * 1024 * 1024;
/** Text values longer than this (a model's repr) are cut: metadata is for reading, as for MLflow params. */
const MAX_TEXT_CHARS = 200;
/** A top-level block start: `key:` alone on its line (the key may be quoted). */
const BLOCK = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^:]*?)\s*:\s*$/;
/** A top-level `key: scalar` line (`wandb_version: 1`): not a config entry, but proves the format. */
const TOP_SCALAR = /^[^\s#][^:]*:\s+\S/;

/**
 * The config entries of a W&B `config.yaml` text, in file order.
 * @example
 * configEntries('wandb_version: 1\n\nlr:\n  desc: null\n  value: 0.001\n_wandb:\n  value:\n    cli_version: 0.16.6\n')
 * // [['lr', 0.001]]
 */
export function configEntries(text: string): { entries: Array<[string, MetaValue]>; blocks: number } {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const entries: Array<[string, MetaValue]> = [];
  let blocks = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = BLOCK.exec(lines[i] as string);
    if (!m) {
      if (TOP_SCALAR.test(lines[i] as string)) blocks++;
      continue;
    }
    blocks++;
    const key = unquote(m[1] as string);
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && (/^\s/.test(lines[j] as string) || (lines[j] as string).trim() === ''); j++) body.push(lines[j] as string);
    i += body.length;
    if (key === '_wandb' || key === 'wandb_version') continue;
    const indent = body.find((l) => l.trim() !== '')?.match(/^\s+/)?.[0] ?? '';
    if (indent === '') continue;
    const own = body.filter((l) => l.startsWith(indent) && !/^\s/.test(l.slice(indent.length))).map((l) => l.slice(indent.length));
    const value = topLevelScalars(own.join('\n')).find(([k]) => k === 'value')?.[1];
    if (value === undefined) continue;
    entries.push([key, typeof value === 'string' && value.length > MAX_TEXT_CHARS ? `${value.slice(0, MAX_TEXT_CHARS - 3)}...` : value]);
  }
  return { entries, blocks };
}

function unquote(key: string): string {
  if (key.startsWith('"')) {
    try {
      return JSON.parse(key) as string;
    } catch {
      return key.slice(1, -1);
    }
  }
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

/**
 * Reads a run's `config.yaml` into `sink.meta`. An unreadable file, or one that is not YAML of this
 * shape, is a problem; the run's history is read regardless. Read again only when its size changed.
 * @example
 * await readConfigYaml('wandb/run-20240430_164045-19xavnde/files/config.yaml', sink, {});
 * run.meta.get('learning_rate'); // 0.0002
 */
export async function readConfigYaml(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult> {
  const problems = problemList(options.displayPath ?? path);
  const file = await readWholeFile(path, options, problems, {
    resumable: true,
    maxBytes: { bytes: MAX_BYTES, message: (size) => `${size} bytes, more than a W&B config holds (${MAX_BYTES}); not read` },
    unreadable: (reason) => `cannot read the run's config: ${reason}; the run is read without it`,
  });
  if ('done' in file) return file.done;
  const { text, size } = file;
  const { entries, blocks } = configEntries(text);
  if (blocks === 0 && text.trim() !== '') {
    problems.add('bad-config', `not a W&B config.yaml (no top-level \`key:\` entries); the run is read without its config`);
  }
  for (const [key, value] of entries) sink.meta(key, value);
  options.onProgress?.(size);
  return { cursor: { offset: size }, problems: problems.toArray(), records: entries.length };
}
