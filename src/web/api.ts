/**
 * The browser's client of the dashboard API (same origin; ids are opaque, tags are sent as query values).
 */
import type { FindingsPayload, HistogramsPayload, LayersPayload, RunDetail, RunsPayload, ScalarsPayload } from '../server/api-types.js';

/** An API answer that is not 2xx. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(body.error ?? `${path}: HTTP ${res.status}`, res.status);
  return body as T;
}

const enc = encodeURIComponent;

/** Typed calls of the dashboard API. */
export const api = {
  /** Every run with its health. */
  runs: (signal?: AbortSignal): Promise<RunsPayload> => get('/api/runs', signal),
  /** One run's tags, curves by role, notes and problems. */
  run: (id: string, signal?: AbortSignal): Promise<RunDetail> => get(`/api/runs/${enc(id)}`, signal),
  /** One run's findings, worst first. */
  findings: (id: string, signal?: AbortSignal): Promise<FindingsPayload> => get(`/api/runs/${enc(id)}/findings`, signal),
  /** Downsampled scalar series; `range` narrows to a zoomed step range. */
  scalars: (id: string, tags: readonly string[], width: number, range?: { from: number; to: number }, signal?: AbortSignal): Promise<ScalarsPayload> => {
    const q = new URLSearchParams({ width: String(Math.round(width)) });
    for (const t of tags) q.append('tag', t);
    if (range) {
      q.set('from', String(range.from));
      q.set('to', String(range.to));
    }
    return get(`/api/runs/${enc(id)}/scalars?${q}`, signal);
  },
  /** Per-layer quantities on a common step grid. */
  layers: (id: string, width: number, signal?: AbortSignal): Promise<LayersPayload> => get(`/api/runs/${enc(id)}/layers?width=${Math.round(width)}`, signal),
  /** Histogram snapshots of one tag for the ridgeline view. */
  histograms: (id: string, tag: string, limit: number, signal?: AbortSignal): Promise<HistogramsPayload> => get(`/api/runs/${enc(id)}/histograms?tag=${enc(tag)}&limit=${limit}`, signal),
};
