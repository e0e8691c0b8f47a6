import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDir } from './make-dir.js';

const root = mkdtempSync(join(tmpdir(), 'nndoctor-make-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDir', () => {
  it('creates missing parents, and is a no-op on an existing directory', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    makeDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('fails with the system error when a component is a file', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeDir(join(root, 'file', 'sub'))).toThrow(/ENOTDIR|EEXIST/);
  });

  it.skipIf(!existsSync('/proc/self'))('fails at once under /proc instead of hanging like a recursive mkdir', () => {
    expect(() => makeDir('/proc/nndoctor-test/run')).toThrow(/ENOENT|EACCES|EPERM/);
  });
});
