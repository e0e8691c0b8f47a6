/**
 * The built browser app, read into memory once at start-up from a fixed list of file names, so no
 * request ever opens a file: a request can only pick one of these buffers by its exact name.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One asset, ready to send. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** The app's files by URL path (`/`, `/app.js` ...). */
export type WebApp = ReadonlyMap<string, Asset>;

/** The only files of the built app that are ever served (what `npm run build:web` writes). */
const FILES: ReadonlyArray<readonly [string, string]> = [
  ['index.html', 'text/html; charset=utf-8'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8'],
  ['app.js.map', 'application/json; charset=utf-8'],
  ['favicon.svg', 'image/svg+xml'],
];

/**
 * Where the built app is: `dist/web/` next to the compiled server, or of the package when running
 * from source (`tsx src/cli/main.ts serve`). Returns null when it has not been built.
 * @example
 * defaultWebRoot() // '/path/to/nndoctor/dist/web'
 */
export function defaultWebRoot(): string | null {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const dir of [join(here, '..', 'web'), join(here, '..', '..', 'dist', 'web')]) {
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js'))) return dir;
  }
  return null;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>nndoctor</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>nndoctor dashboard</h1><p>The web app has not been built. Run <code>npm run build</code> (or
<code>npm run build:web</code>) in the nndoctor package, then start <code>nndoctor serve</code> again.
The JSON API works meanwhile: <a href="/api/runs">/api/runs</a>.</p></body>`;

/**
 * Reads the built app from `dir` (or a page saying how to build it when `dir` is null or incomplete).
 * @example
 * const app = await loadWebApp(defaultWebRoot());
 * app.get('/')?.type // 'text/html; charset=utf-8'
 */
export async function loadWebApp(dir: string | null): Promise<WebApp> {
  const app = new Map<string, Asset>();
  if (dir !== null) {
    for (const [name, type] of FILES) {
      try {
        app.set(`/${name}`, { body: await readFile(join(dir, name)), type });
      } catch {
        // optional file (source map, icon) not built
      }
    }
  }
  const index = app.get('/index.html');
  if (!index || !app.has('/app.js')) {
    app.clear();
    app.set('/', { body: Buffer.from(NOT_BUILT), type: 'text/html; charset=utf-8' });
  } else app.set('/', index);
  return app;
}
