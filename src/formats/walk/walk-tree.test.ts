import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { walkTree } from './walk-tree.js';

let root = '';
let outside = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nndoctor-walk-'));
  outside = await mkdtemp(join(tmpdir(), 'nndoctor-walk-outside-'));
  for (const f of ['a/run1/x.log', 'a/run2/y.log', 'z.log']) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), 'x');
  }
  await mkdir(join(outside, 'ext-run'), { recursive: true });
  await writeFile(join(outside, 'ext-run', 'e.log'), 'x');
  await symlink(join(outside, 'ext-run'), join(root, 'a', 'linked-run')); // a run dir outside the root
  await symlink(join(root, 'a', 'run1', 'x.log'), join(root, 'file-link.log')); // a linked file
  await symlink(join(root, 'a'), join(root, 'a', 'run2', 'loop')); // back to an ancestor
  await symlink(join(root, 'a', 'run1'), join(root, 'again')); // a folder already read under its own name
  await symlink(join(root, 'missing'), join(root, 'dangling.log'));
  // a folder whose name is not UTF-8 (0xff 0xfe), holding a file
  const bad = Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff, 0xfe])]);
  mkdirSync(bad);
  writeFileSync(Buffer.concat([bad, Buffer.from('/w.log')]), 'x');
});

describe('walkTree', () => {
  it('follows linked files and folders, cuts loops, reads a folder once, skips bad names with one problem', async () => {
    const { files, problems } = await walkTree(root, { followLinks: true });
    expect(files.map((f) => f.slice(root.length + 1))).toEqual(['a/run1/x.log', 'a/run2/y.log', 'file-link.log', 'z.log', 'a/linked-run/e.log']);
    expect(problems.map((p) => [p.code, p.file.slice(root.length)])).toEqual([
      ['bad-name', ''],
      ['symlink-loop', '/a/run2/loop'],
    ]);
    expect(problems[0]?.message).toContain('"bad-\\xff\\xfe"');
    expect(problems[0]?.message).toMatch(/1 entry whose name is not valid UTF-8/);
  });

  it('skips every link unless asked to follow them (the dashboard never leaves its paths)', async () => {
    const { files, problems } = await walkTree(root);
    expect(files.map((f) => f.slice(root.length + 1))).toEqual(['a/run1/x.log', 'a/run2/y.log', 'z.log']);
    expect(problems.map((p) => p.code)).toEqual(['bad-name']);
  });

  it('throws only when the root itself cannot be listed', async () => {
    await expect(walkTree(join(root, 'nope'))).rejects.toThrow();
  });

  it('a link loop at the root (latest -> .) is one problem, not an endless walk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nndoctor-walk-self-'));
    await writeFile(join(dir, 'l.log'), 'x');
    await symlink('.', join(dir, 'self'));
    const { files, problems } = await walkTree(dir, { followLinks: true });
    expect(files).toEqual([join(dir, 'l.log')]);
    expect(problems.map((p) => p.code)).toEqual(['symlink-loop']);
  });
});
