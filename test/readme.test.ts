/**
 * The README documents what the code does: every registered check and every reader appears in it.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checks } from '../src/checks/index.js';
import { readers } from '../src/formats/index.js';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(checks.map((c) => [c.id, c.title] as const))('documents check %s (%s)', (id, title) => {
    expect(readme).toContain(`| ${id} | ${title} |`);
  });
  it.each(readers.map((r) => r.name))('documents the %s reader', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });
});

describe('README probes', async () => {
  const { probes } = await import('../src/tfjs/probes/index.js');
  it.each(probes.map((p) => [p.id, p.title] as const))('documents probe %s (%s)', (id, title) => {
    expect(readme).toContain(`| ${id} | ${title} |`);
  });
});
