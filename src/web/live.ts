/**
 * Live updates: one EventSource on `/api/events` for the whole app (it reconnects by itself), fanned
 * out to the pages that listen, and a connection indicator.
 */
import type { LiveEvents } from '../server/api-types.js';

type Listener<K extends keyof LiveEvents> = (data: LiveEvents[K]) => void;

const NAMES: ReadonlyArray<keyof LiveEvents> = ['hello', 'run-added', 'run-updated', 'findings'];

/**
 * The live event stream.
 * @example
 * const live = new Live();
 * const off = live.on('run-updated', (run) => console.log(run.id, run.version));
 */
export class Live {
  private readonly listeners = new Map<keyof LiveEvents, Set<(data: never) => void>>();
  private readonly source: EventSource;
  /** Called with true when connected, false while reconnecting. */
  onStatus: (connected: boolean) => void = () => undefined;

  constructor(url = '/api/events') {
    this.source = new EventSource(url);
    this.source.onopen = () => this.onStatus(true);
    this.source.onerror = () => this.onStatus(false);
    for (const name of NAMES) {
      this.source.addEventListener(name, (e) => {
        let data: unknown;
        try {
          data = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const l of this.listeners.get(name) ?? []) (l as (d: unknown) => void)(data);
      });
    }
  }

  /** Listens to one event; returns the function that stops listening. */
  on<K extends keyof LiveEvents>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (data: never) => void);
    return () => set.delete(listener as (data: never) => void);
  }
}
