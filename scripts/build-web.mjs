#!/usr/bin/env node
/**
 * Builds the dashboard's browser app (src/web) into dist/web: app.js (TypeScript + uPlot bundled by
 * esbuild, ES2020 module), app.css (uPlot's stylesheet + ours), index.html and favicon.svg.
 * `npm run build:web`, or `node scripts/build-web.mjs [outDir]` (tests build into a temp dir).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the app into `outDir` (default dist/web).
 * @param {{ outDir?: string, minify?: boolean }} [options]
 * @returns {Promise<string>} the output directory
 */
export async function buildWeb(options = {}) {
  const outDir = resolve(options.outDir ?? join(root, 'dist', 'web'));
  const minify = options.minify ?? true;
  await mkdir(outDir, { recursive: true });
  const common = { bundle: true, minify, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
  await build({
    ...common,
    entryPoints: { app: join(root, 'src/web/main.ts') },
    outdir: outDir,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    sourcemap: true,
    tsconfig: join(root, 'tsconfig.json'),
  });
  await build({ ...common, entryPoints: { app: join(root, 'src/web/app.css') }, outdir: outDir });
  for (const f of ['index.html', 'favicon.svg']) await copyFile(join(root, 'src/web', f), join(outDir, f));
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildWeb({ ...(process.argv[2] ? { outDir: process.argv[2] } : {}) });
  process.stdout.write(`built the dashboard app into ${out}\n`);
}
