/**
 * The JSON API of the dashboard, as a pure mapping from (path segments after `/api`, query) to a
 * status and a payload. Run ids are opaque; tags are looked up among the run's series in memory;
 * nothing a client sends is ever used as a file path.
 */
import { relative, sep } from 'node:path';
import { isLayerTag } from '../telemetry/tags.js';
import type {
  FindingsPayload,
  HistogramsPayload,
  LayersPayload,
  RunDetail,
  RunsPayload,
  ScalarsPayload,
  SeriesPayload,
} from './api-types.js';
import { downsampleM4 } from './downsample.js';
import { ridgeline } from './histogram-snapshots.js';
import { layerGrids, layerQuantitiesOf } from './layer-grids.js';
import type { RunStore } from './run-store.js';
import type { ServedRun } from './served-run.js';

/** What the router answers: a status and a JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Most tags one scalars request may ask for. */
const MAX_TAGS = 32;

function error(status: number, message: string): ApiAnswer {
  return { status, body: { error: message } };
}

function intParam(query: URLSearchParams, name: string, def: number, min: number, max: number): number | string {
  const raw = query.get(name);
  if (raw === null || raw === '') return def;
  const x = Number(raw);
  if (!Number.isInteger(x) || x < min || x > max) return `${name}: expected an integer from ${min} to ${max}, got '${raw}'`;
  return x;
}

function numParam(query: URLSearchParams, name: string): number | undefined | string {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const x = Number(raw);
  return Number.isFinite(x) ? x : `${name}: expected a finite number, got '${raw}'`;
}

/** A path shown relative to the served path it is under (unchanged when several paths are served). */
function shown(store: RunStore, file: string): string {
  if (store.paths.length !== 1) return file;
  const rel = relative(store.paths[0] as string, file);
  return rel === '' || rel.startsWith('..') ? file : rel.split(sep).join('/');
}

function detail(store: RunStore, served: ServedRun): RunDetail {
  const run = served.run;
  const report = served.latestReport;
  const tags = served.cached('tags', () => ({
    scalarTags: [...run.scalars.values()].map((s) => ({ tag: s.tag, unit: s.unit, points: s.values.length, layer: isLayerTag(s.tag) })),
    layerQuantities: layerQuantitiesOf(run),
    histogramTags: [...run.histograms.values()].map((h) => ({ tag: h.tag, unit: h.unit, snapshots: h.histograms.length })),
  }));
  return {
    summary: served.summary(),
    files: served.filePaths.map((f) => shown(store, f)),
    curves: served.roles(store.tags),
    notes: report?.notes ?? [],
    problems: served.problems.map((p) => ({ ...p, file: shown(store, p.file), message: p.message.split(p.file).join(shown(store, p.file)) })),
    ...tags,
    meta: Object.fromEntries(run.meta),
  };
}

function scalars(store: RunStore, served: ServedRun, query: URLSearchParams): ApiAnswer {
  const width = intParam(query, 'width', 800, 16, 4096);
  if (typeof width === 'string') return error(400, width);
  const from = numParam(query, 'from');
  const to = numParam(query, 'to');
  if (typeof from === 'string') return error(400, from);
  if (typeof to === 'string') return error(400, to);
  const tags = [...(query.get('tags') ?? '').split(','), ...query.getAll('tag')].filter((t) => t.length > 0);
  if (tags.length > MAX_TAGS) return error(400, `tags: at most ${MAX_TAGS} per request, got ${tags.length}`);
  const range = { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  const series: SeriesPayload[] = [];
  for (const tag of new Set(tags)) {
    const payload = served.cached(`scalars:${tag}:${width}:${from ?? ''}:${to ?? ''}`, (): SeriesPayload | null => {
      const curve = served.curve(tag);
      if (!curve) return null;
      const d = downsampleM4(curve.steps, curve.values, width, range);
      return { tag, unit: curve.unit, points: d.points, steps: d.steps, values: d.values, nonFinite: d.nonFinite };
    });
    if (payload) series.push(payload);
  }
  const epochTag = served.roles(store.tags).epoch;
  const epochCurve = epochTag === null ? null : served.curve(epochTag);
  const epoch = epochCurve ? served.cached(`epoch:${width}`, () => {
    const d = downsampleM4(epochCurve.steps, epochCurve.values, width);
    const steps: number[] = [];
    const values: number[] = [];
    d.steps.forEach((s, i) => {
      const v = d.values[i];
      if (typeof v === 'number') {
        steps.push(s);
        values.push(v);
      }
    });
    return { steps, values };
  }) : null;
  const body: ScalarsPayload = { id: served.id, version: served.version, width, series, epoch };
  return { status: 200, body };
}

function layers(served: ServedRun, query: URLSearchParams): ApiAnswer {
  const width = intParam(query, 'width', 400, 8, 2048);
  if (typeof width === 'string') return error(400, width);
  const body: LayersPayload = { id: served.id, version: served.version, quantities: served.cached(`layers:${width}`, () => layerGrids(served.run, width)) };
  return { status: 200, body };
}

function histograms(served: ServedRun, query: URLSearchParams): ApiAnswer {
  const tag = query.get('tag');
  if (tag === null || tag === '') return error(400, 'tag: expected the tag of a histogram series of this run');
  const series = served.run.histograms.get(tag);
  if (!series) return error(404, `no histogram series '${tag}' in this run`);
  const limit = intParam(query, 'limit', 40, 2, 200);
  const bins = intParam(query, 'bins', 64, 4, 512);
  if (typeof limit === 'string') return error(400, limit);
  if (typeof bins === 'string') return error(400, bins);
  const r = served.cached(`hist:${tag}:${limit}:${bins}`, () => ridgeline(series, limit, bins));
  const body: HistogramsPayload = { id: served.id, version: served.version, tag, unit: series.unit, ...r };
  return { status: 200, body };
}

/**
 * Answers an API request. `segments` are the decoded path segments after `api`.
 * @example
 * await apiAnswer(store, ['runs'], new URLSearchParams()) // { status: 200, body: { paths, runs } }
 * await apiAnswer(store, ['runs', 'ffff'], new URLSearchParams()) // { status: 404, ... }
 */
export async function apiAnswer(store: RunStore, segments: readonly string[], query: URLSearchParams): Promise<ApiAnswer> {
  const [head, id, what, ...rest] = segments;
  if (head !== 'runs' || rest.length > 0) return error(404, 'unknown API path; see docs/dashboard.md');
  if (id === undefined) {
    const body: RunsPayload = { paths: store.paths, runs: store.list().map((r) => r.summary()).filter((r) => !r.empty) };
    return { status: 200, body };
  }
  if (!/^[0-9a-f]{12}$/.test(id)) return error(404, 'unknown run id');
  const served = await store.ready(id);
  if (!served) return error(404, 'unknown run id');
  switch (what) {
    case undefined:
      return { status: 200, body: detail(store, served) };
    case 'findings': {
      await store.diagnosed(id);
      const report = served.latestReport;
      const body: FindingsPayload = { id: served.id, version: served.version, unit: report?.unit ?? 'step', findings: report?.findings ?? [] };
      return { status: 200, body };
    }
    case 'scalars':
      return scalars(store, served, query);
    case 'layers':
      return layers(served, query);
    case 'histograms':
      return histograms(served, query);
    default:
      return error(404, 'unknown API path; see docs/dashboard.md');
  }
}
