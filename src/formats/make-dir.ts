/**
 * `makeDir`: `mkdir -p` one component at a time. Node's `mkdirSync(dir, { recursive: true })` never
 * returns under some pseudo file systems (`/proc/...`, Node 20): each component is created with a
 * plain `mkdirSync`, so such a path fails at once with the system's error instead of hanging.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `dir` and its missing parents (nothing when it exists); throws the `mkdir` error (ENOENT,
 * EACCES, ENOTDIR...) of the first component that cannot be created.
 * @example
 * makeDir('runs/exp1/train');
 */
export function makeDir(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (statSync(at).isDirectory()) break;
    } catch {
      // does not exist (or cannot be seen): create it below
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(path).isDirectory()) throw cause;
    }
  }
}
