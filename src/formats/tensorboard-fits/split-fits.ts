/**
 * Several event files in one folder are either one run that was resumed (each restart of the
 * writer opens a new file and the steps go on: YOLOv5 `exp9` has epochs 0-34 in one file and 35-99
 * in the next) or separate fits logged to the same folder (Keras `TensorBoard(log_dir='logs/cnn')`
 * in a notebook run three times: each file starts again at step 0). A file starts a new fit when
 * its steps start again (for most tags they start at or below where the previous file's started)
 * and it was opened after the previous file's last value (or, when that is unknown, hours after
 * the previous file was opened). Files written at the same time with steps from 0 (two writers in
 * one folder) stay one run. Empty and header-only files join the fit nearest in time.
 */
import { stat } from 'node:fs/promises';
import type { EventFileProbe } from './probe.js';
import { probeEventFile } from './probe.js';

/** Event wall times of TF1 writers are whole seconds when the file is opened. */
const SLACK_SECONDS = 1;
/** Without the previous file's end, files opened this far apart with steps starting again are separate fits. */
const APART_SECONDS = 3 * 3600;
/** Probes kept between discoveries (`watch` rediscovers every few seconds; finished files do not change). */
const CACHE_SIZE = 4096;
const cache = new Map<string, { readonly key: string; readonly probe: EventFileProbe }>();

/** One fit: its files in name order, and the first of them that holds values (its name). */
export interface Fit {
  readonly files: string[];
  readonly first: string;
}

/**
 * Groups the event files of one folder (given in name order) into fits.
 * @example
 * const fits = await splitEventFiles(['logs/cnn/events.out.tfevents.1540179982.host', 'logs/cnn/events.out.tfevents.1540269347.host']);
 * fits.length; // 2: both start at epoch 0, the second a day after the first ended
 */
export async function splitEventFiles(paths: readonly string[]): Promise<Fit[]> {
  const probes: EventFileProbe[] = [];
  for (const p of paths) probes.push(await cachedProbe(p));
  return splitFits(probes).map((fit) => ({ files: fit.map((p) => p.path), first: (fit.find((p) => !p.empty) ?? (fit[0] as EventFileProbe)).path }));
}

/**
 * Groups probed event files (in name order) into fits: the rule of {@link splitEventFiles}.
 * @example
 * splitFits([probeA, probeB]).length // 1 when B continues A's steps
 */
export function splitFits(probes: readonly EventFileProbe[]): EventFileProbe[][] {
  const order = new Map(probes.map((p, i) => [p, i]));
  const full = probes.filter((p) => !p.empty);
  if (full.length <= 1) return [[...probes]];
  const fits: EventFileProbe[][] = [];
  let prev: EventFileProbe | null = null;
  for (const p of full) {
    if (prev === null || startsNewFit(prev, p)) fits.push([p]);
    else fits[fits.length - 1]?.push(p);
    prev = p;
  }
  for (const p of probes) if (p.empty) nearestFit(p, fits, order).push(p);
  for (const fit of fits) fit.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return fits;
}

/** The probe of a file, again only when its size or modification time changed. */
async function cachedProbe(path: string): Promise<EventFileProbe> {
  let key = '';
  try {
    const st = await stat(path);
    key = `${st.size}:${st.mtimeMs}`;
  } catch {
    return probeEventFile(path);
  }
  const hit = cache.get(path);
  if (hit?.key === key) return hit.probe;
  const probe = await probeEventFile(path);
  cache.delete(path);
  cache.set(path, { key, probe });
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return probe;
}

function startsNewFit(prev: EventFileProbe, next: EventFileProbe): boolean {
  if (!restartsSteps(prev, next) || next.openedAt === null) return false;
  if (prev.lastWall !== null) return next.openedAt >= prev.lastWall - SLACK_SECONDS;
  return prev.openedAt !== null && next.openedAt - prev.openedAt >= APART_SECONDS;
}

/** Whether `next`'s steps start again: per tag both files log (most of them), else overall. */
function restartsSteps(prev: EventFileProbe, next: EventFileProbe): boolean {
  let common = 0;
  let restarted = 0;
  for (const [tag, step] of next.firstSteps) {
    const before = prev.firstSteps.get(tag);
    if (before === undefined) continue;
    common++;
    if (step <= before) restarted++;
  }
  if (common > 0) return restarted * 2 > common;
  return prev.firstStep !== null && next.firstStep !== null && next.firstStep <= prev.firstStep;
}

/** The fit an empty file belongs with: nearest in time when it has a time, else the fit before it in name order. */
function nearestFit(p: EventFileProbe, fits: EventFileProbe[][], order: ReadonlyMap<EventFileProbe, number>): EventFileProbe[] {
  const at = p.openedAt;
  if (at !== null) {
    let best: EventFileProbe[] | null = null;
    let bestDistance = Infinity;
    for (const fit of fits) {
      const starts = fit.map((f) => f.openedAt).filter((t): t is number => t !== null);
      const ends = fit.map((f) => f.lastWall ?? f.openedAt).filter((t): t is number => t !== null);
      if (starts.length === 0) continue;
      const distance = Math.max(0, Math.min(...starts) - at, at - Math.max(...ends));
      if (distance < bestDistance) {
        best = fit;
        bestDistance = distance;
      }
    }
    if (best) return best;
  }
  const index = order.get(p) ?? 0;
  const before = fits.filter((fit) => (order.get(fit[0] as EventFileProbe) ?? 0) < index);
  return before[before.length - 1] ?? (fits[0] as EventFileProbe[]);
}
