/**
 * Parsing of request targets, strict on purpose: the dashboard never maps a URL to a file, and any
 * target that looks like an attempt to name one (`..` or `.` segments, encoded or not; encoded
 * slashes or backslashes; empty segments as in `//etc/passwd`; absolute-form or authority-form
 * targets; control characters) is refused with 400 before routing.
 */

/** A target the router may look at: decoded path segments and the query. */
export interface ParsedTarget {
  readonly ok: true;
  /** Decoded path segments (`/api/runs/ab12` -> `['api', 'runs', 'ab12']`; `/` -> `[]`). */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

/** A refused target. */
export interface RefusedTarget {
  readonly ok: false;
  readonly status: 400;
  readonly reason: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses and vets a raw request target (`req.url`).
 * @example
 * parseTarget('/api/runs/ab12/scalars?tags=loss').ok          // true
 * parseTarget('/api/..%2f..%2fetc/passwd')                      // { ok: false, status: 400, ... }
 */
export function parseTarget(raw: string | undefined): ParsedTarget | RefusedTarget {
  const refuse = (reason: string): RefusedTarget => ({ ok: false, status: 400, reason });
  if (raw === undefined || raw.length === 0) return refuse('empty request target');
  if (raw.length > 8192) return refuse('request target too long');
  if (!raw.startsWith('/')) return refuse('expected a path starting with / (absolute-form and authority-form targets are not served)');
  const q = raw.indexOf('?');
  const h = raw.indexOf('#');
  const end = Math.min(q < 0 ? raw.length : q, h < 0 ? raw.length : h);
  const path = raw.slice(0, end);
  if (CONTROL.test(raw)) return refuse('control characters in the request target');
  if (path.includes('\\')) return refuse('backslash in the path');
  if (path.startsWith('//')) return refuse('the path looks like an absolute file path or a network path');
  const rawSegments = path.slice(1).split('/');
  if (rawSegments.length > 0 && rawSegments[rawSegments.length - 1] === '') rawSegments.pop();
  const segments: string[] = [];
  for (const seg of rawSegments) {
    if (seg === '') return refuse('empty path segment (//)');
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return refuse('malformed percent-encoding in the path');
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\') || CONTROL.test(decoded)) {
      return refuse('path traversal is not allowed ("..", ".", encoded slashes or backslashes in a path segment)');
    }
    if (/^[A-Za-z]:$/.test(decoded) || /%2e|%2f|%5c|%00/i.test(decoded)) return refuse('the path looks like a file path or is encoded twice');
    segments.push(decoded);
  }
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1, h > q ? h : raw.length));
  return { ok: true, segments, query };
}
