/**
 * The JSON shapes of the dashboard API (`nndoctor serve`), shared by the server and the browser app
 * (the app imports them as types only). Non-finite numbers, which JSON cannot carry, are written as the
 * strings `"NaN"`, `"Infinity"`, `"-Infinity"` (as in the JSON report), or as `null` in chart arrays
 * with the exact values listed beside them.
 */
import type { CurveRoles } from '../diagnose/diagnose.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { Problem } from '../formats/reader.js';
import type { MetaValue } from '../telemetry/run.js';
import type { StepUnit } from '../telemetry/series.js';

/** A run's health: its worst finding's severity (too-little-data notes do not count), or `ok`. */
export type Health = Severity | 'ok';

/** `pending`: found on disk, not read yet; `ready`: read (its `health` is null until its first diagnosis). */
export type RunState = 'pending' | 'ready';

/** A non-finite number as JSON carries it. */
export type NonFiniteName = 'NaN' | 'Infinity' | '-Infinity';

/** The latest raw point of a curve. */
export interface LastValue {
  readonly tag: string;
  readonly step: number;
  readonly value: number | NonFiniteName;
}

/** One row of the runs page (`GET /api/runs`, and SSE `run-added` / `run-updated`). */
export interface RunSummary {
  /** Opaque id used in URLs (a hash of the run's path); never a path. */
  readonly id: string;
  /** The run's directory or file relative to the served path (display only). */
  readonly name: string;
  readonly format: string;
  readonly state: RunState;
  /** `null` until the run is read and diagnosed. */
  readonly health: Health | null;
  /** The worst finding, or `null`. */
  readonly worst: { readonly check: string; readonly title: string; readonly severity: Severity } | null;
  /** Findings by severity, too-little-data notes left out. */
  readonly counts: Record<Severity, number>;
  readonly lastStep: number | null;
  /** How to read steps of this run's findings: optimiser steps or epochs. */
  readonly unit: StepUnit;
  readonly trainLoss: LastValue | null;
  readonly valLoss: LastValue | null;
  /** Scalar points read so far (all tags; raw points, however many the server keeps). */
  readonly points: number;
  /** Read, and holds neither scalars nor histograms (e.g. a TensorBoard file with only a graph): not listed, as `diagnose` leaves it out. */
  readonly empty: boolean;
  /** Grows each time new data was read; clients refetch when it changes. */
  readonly version: number;
  /** When the run's files were last written (ms since the Unix epoch, 0 before the first read). */
  readonly updatedAt: number;
}

/** `GET /api/runs`. */
export interface RunsPayload {
  /** The paths being served, as given on the command line. */
  readonly paths: readonly string[];
  /** Runs in discovery order, empty ones left out. */
  readonly runs: readonly RunSummary[];
}

/** A scalar tag of a run. */
export interface ScalarTagInfo {
  readonly tag: string;
  readonly unit: StepUnit;
  /** Points kept (the raw points up to the server's bound per series, 4096 by default; bucket means beyond). */
  readonly points: number;
  /** Per-layer telemetry (`grad_norm/<layer>` ...): shown in the layer panels, not as curves. */
  readonly layer: boolean;
}

/** Per-layer quantities the dashboard draws. `act_dead_frac` also covers `act_zero_frac` tags. */
export type LayerPanelQuantity = 'grad_norm' | 'update_ratio' | 'act_std' | 'act_dead_frac' | 'weight_norm' | 'act_mean';

/** `GET /api/runs/:id`: everything about a run except its data. */
export interface RunDetail {
  readonly summary: RunSummary;
  /** Files of the run relative to the served path. */
  readonly files: readonly string[];
  /** Tag used per role (train loss, val loss, metric ...). */
  readonly curves: CurveRoles;
  readonly notes: readonly string[];
  /** Input problems of this run's files (file names relative to the served path). */
  readonly problems: readonly Problem[];
  readonly scalarTags: readonly ScalarTagInfo[];
  /** Per-layer quantities present (scalar tags, or norms derived from histograms). */
  readonly layerQuantities: readonly LayerPanelQuantity[];
  readonly histogramTags: readonly { readonly tag: string; readonly unit: StepUnit; readonly snapshots: number }[];
  readonly meta: Readonly<Record<string, MetaValue>>;
}

/** `GET /api/runs/:id/findings`. Evidence numbers that are not finite are strings. */
export interface FindingsPayload {
  readonly id: string;
  readonly version: number;
  /** How to read `steps` of the findings. */
  readonly unit: StepUnit;
  readonly findings: readonly Finding[];
}

/** Non-finite values of a series within one downsampling bucket. */
export interface NonFiniteMarker {
  /** Step of the first non-finite value of that kind in the bucket. */
  readonly step: number;
  readonly value: NonFiniteName;
  /** How many raw points of that kind the bucket holds. */
  readonly count: number;
}

/** One downsampled series: at most ~4 points per bucket (first, min, max, last), steps increasing. */
export interface SeriesPayload {
  readonly tag: string;
  readonly unit: StepUnit;
  /** Points kept in the requested range (raw points while the series is below the server's bound, 4096 by default). */
  readonly points: number;
  readonly steps: readonly number[];
  /** `null` where the bucket holds only non-finite values (a gap in the line). */
  readonly values: ReadonlyArray<number | null>;
  readonly nonFinite: readonly NonFiniteMarker[];
}

/** `GET /api/runs/:id/scalars?tags=a,b&width=800[&from=&to=]`. */
export interface ScalarsPayload {
  readonly id: string;
  readonly version: number;
  readonly width: number;
  readonly series: readonly SeriesPayload[];
  /** The run's epoch-per-step curve (Lightning, Hugging Face `epoch`), downsampled, for an epoch x axis; `null` when absent. */
  readonly epoch: { readonly steps: readonly number[]; readonly values: readonly number[] } | null;
}

/** One per-layer quantity on a common step grid (bucket means when there are more steps than buckets). */
export interface LayerGrid {
  readonly quantity: LayerPanelQuantity;
  readonly unit: StepUnit;
  /** Step of each column (bucket centre, or the exact step when not bucketed). */
  readonly steps: readonly number[];
  /** Input side first. Values: mean of the finite values in the column, `null` for none, a string when the column holds a non-finite value. */
  readonly layers: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<number | null | NonFiniteName> }>;
}

/** `GET /api/runs/:id/layers?width=400`. */
export interface LayersPayload {
  readonly id: string;
  readonly version: number;
  readonly quantities: readonly LayerGrid[];
}

/** One histogram in time, rebinned onto the payload's common bins. */
export interface HistogramSnapshot {
  readonly step: number;
  readonly num: number;
  readonly min: number;
  readonly max: number;
  /** Counts per common bin. */
  readonly counts: readonly number[];
}

/** `GET /api/runs/:id/histograms?tag=...&limit=40&bins=64`. */
export interface HistogramsPayload {
  readonly id: string;
  readonly version: number;
  readonly tag: string;
  readonly unit: StepUnit;
  /** Total snapshots in the run; `snapshots` holds an evenly spaced selection (always the latest). */
  readonly total: number;
  /** Common bin edges: `bins` equal bins from `lo` to `hi`. */
  readonly lo: number;
  readonly hi: number;
  readonly bins: number;
  readonly snapshots: readonly HistogramSnapshot[];
}

/** Server-Sent Events on `GET /api/events` (event name -> data). */
export interface LiveEvents {
  /** Sent once on connect. */
  readonly hello: { readonly paths: readonly string[]; readonly runs: number };
  readonly 'run-added': RunSummary;
  readonly 'run-updated': RunSummary;
  /** Findings a run did not have before this read. */
  readonly findings: { readonly id: string; readonly unit: StepUnit; readonly findings: readonly Finding[] };
}
