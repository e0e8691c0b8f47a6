/**
 * Lists the files under a directory. With `followLinks` it finds logs the way TensorBoard does:
 * symbolic links (to files and to directories) are followed, a link back to a folder that contains
 * it is a loop and is not followed (one `symlink-loop` problem), a folder reached a second time
 * through another link is read once. Without it (the dashboard: nothing outside the served path is
 * ever opened) links are skipped. Entries whose names are not valid UTF-8 cannot be named in reports or
 * opened by the readers (they take string paths): they are skipped with one `bad-name` problem per
 * folder. A sub-directory that cannot be listed is one `unreadable` problem; the rest is still walked.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Problem } from '../reader.js';

/** Options of {@link walkTree}. */
export interface WalkOptions {
  /** Follow symbolic links to files and folders (default false). */
  readonly followLinks?: boolean;
}

/** What {@link walkTree} found. */
export interface WalkResult {
  /** Every file, folders in name order (numeric-aware), linked folders after the others. */
  readonly files: string[];
  readonly problems: Problem[];
}

/** Folders that never hold a user's logs (or that other tools own). `wandb/` holds W&B runs: walked. */
const SKIP_DIRS = new Set(['node_modules', '.git', '__pycache__', '.ipynb_checkpoints']);

interface WalkState {
  readonly files: string[];
  readonly problems: Problem[];
  /** Real paths of the folders listed so far. */
  readonly visited: Set<string>;
  /** Linked folders, followed once the regular tree is done (so a folder keeps its own name when a link also reaches it). */
  readonly links: Array<{ readonly path: string; readonly parentReal: string }>;
  readonly followLinks: boolean;
}

/**
 * Walks the tree under `root`. Throws only when `root` itself cannot be listed.
 * @example
 * const { files, problems } = await walkTree('runs/', { followLinks: true });
 * // files: ['runs/exp1/events.out.tfevents.1.host', 'runs/latest/...' (through a link) ...]
 */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const rootReal = await realpath(root);
  const state: WalkState = { files: [], problems: [], visited: new Set([rootReal]), links: [], followLinks: options.followLinks ?? false };
  await listDir(root, rootReal, state, true);
  for (let link = state.links.shift(); link; link = state.links.shift()) {
    let real: string;
    try {
      real = await realpath(link.path);
    } catch {
      continue; // removed or dangling since it was listed
    }
    if (real === link.parentReal || link.parentReal.startsWith(real + sep)) {
      state.problems.push({ file: link.path, code: 'symlink-loop', message: `${link.path}: symbolic link to ${real}, a folder that contains it (a loop); not followed` });
      continue;
    }
    if (state.visited.has(real)) continue; // already read under another name
    state.visited.add(real);
    await listDir(link.path, real, state, false);
  }
  return { files: state.files, problems: state.problems };
}

async function listDir(dir: string, dirReal: string, state: WalkState, isRoot: boolean): Promise<void> {
  let entries: Dirent<Buffer>[];
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (cause) {
    if (isRoot) throw cause;
    state.problems.push({ file: dir, code: 'unreadable', message: `${dir}: cannot list this folder (${errorCode(cause)}); its logs are not read` });
    return;
  }
  const named: Array<{ name: string; entry: Dirent<Buffer> }> = [];
  const badNames: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.name.toString('utf8');
    if (Buffer.from(name, 'utf8').equals(entry.name)) named.push({ name, entry });
    else badNames.push(entry.name);
  }
  if (badNames.length > 0) {
    const n = badNames.length;
    state.problems.push({
      file: dir,
      code: 'bad-name',
      message: `${dir}: ${n} entr${n === 1 ? 'y' : 'ies'} whose name is not valid UTF-8 (${badNames.slice(0, 3).map(escapeName).join(', ')}) skipped; rename ${n === 1 ? 'it' : 'them'} (e.g. with convmv) to read ${n === 1 ? 'its' : 'their'} logs`,
    });
  }
  named.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const { name, entry } of named) {
    const full = join(dir, name);
    if (entry.isSymbolicLink() && !state.followLinks) continue;
    const kind = await kindOf(entry, full);
    if (kind === 'file') state.files.push(full);
    else if (kind === 'dir' && !SKIP_DIRS.has(name) && !name.startsWith('.')) {
      const real = join(dirReal, name);
      if (state.visited.has(real)) continue;
      state.visited.add(real);
      await listDir(full, real, state, false);
    } else if (kind === 'dir-link' && !SKIP_DIRS.has(name) && !name.startsWith('.')) {
      state.links.push({ path: full, parentReal: dirReal });
    }
  }
}

/** What an entry is, following a symbolic link once (dangling links and sockets are `other`). */
async function kindOf(entry: Dirent<Buffer>, full: string): Promise<'file' | 'dir' | 'dir-link' | 'other'> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  const link = entry.isSymbolicLink();
  if (!link && (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice())) return 'other';
  try {
    const st = await stat(full); // a link, or a file system that does not report entry types
    if (st.isFile()) return 'file';
    if (st.isDirectory()) return link ? 'dir-link' : 'dir';
  } catch {
    // dangling link or entry removed meanwhile
  }
  return 'other';
}

/** A name with its invalid bytes as `\xNN`, for messages. */
function escapeName(name: Buffer): string {
  let out = '';
  for (const byte of name) out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return `"${out}"`;
}

function errorCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
}
