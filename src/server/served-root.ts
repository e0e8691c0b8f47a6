/**
 * Keeps the dashboard inside the paths it serves. Discovery lists files without following symbolic
 * links, but a file (or a folder on its path) can be swapped for a link after discovery: so every
 * time the server opens a log file it first resolves the file's real path and opens that only when it
 * is inside the real path of the served path (a served file: that very file).
 */
import { realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';

/** Where a file resolves: inside the served path (its real path, to open) or outside it (refused). */
export type Resolved = { readonly inside: true; readonly real: string } | { readonly inside: false; readonly real: string };

/**
 * One served path with its real path, resolved once, when first found.
 * @example
 * const root = await ServedRoot.resolve('runs/');
 * const where = await root.resolve('runs/exp1/metrics.jsonl');
 * if (where.inside) await reader.read(where.real, sink, { displayPath: 'runs/exp1/metrics.jsonl' });
 */
export class ServedRoot {
  private constructor(
    /** The path as the user gave it. */
    readonly path: string,
    /** Its real path (symbolic links resolved) when the server first found it. */
    readonly real: string,
    readonly isDirectory: boolean,
  ) {}

  /** Resolves a served path (throws when it does not exist). */
  static async resolve(path: string): Promise<ServedRoot> {
    const real = await realpath(path);
    const st = await stat(real);
    return new ServedRoot(path, real, st.isDirectory());
  }

  /** Whether a real path is inside the served path. */
  contains(real: string): boolean {
    if (!this.isDirectory) return real === this.real;
    const prefix = this.real.endsWith(sep) ? this.real : this.real + sep;
    return real.startsWith(prefix);
  }

  /**
   * The real path of `file` (every link on its way resolved) and whether it is inside the served
   * path. Throws when the file cannot be resolved (deleted, a dangling link, no permission).
   */
  async resolve(file: string): Promise<Resolved> {
    const real = await realpath(file);
    return { inside: this.contains(real), real };
  }
}
