/**
 * JSON as Python writes it: `json.dump` emits the bare literals `NaN`, `Infinity` and `-Infinity`
 * for non-finite floats (a diverged `loss`), which strict JSON rejects. They are read here as the
 * strings `"NaN"`, `"Infinity"`, `"-Infinity"`, which {@link jsonNumber} turns back into numbers.
 */

/**
 * Parses JSON, also accepting Python's bare `NaN`/`Infinity`/`-Infinity` outside strings.
 * Throws the `SyntaxError` of the strict parse when the text is not JSON either way.
 * @example
 * parseLenientJson('{"loss": NaN}') // { loss: 'NaN' }  (jsonNumber turns it into NaN)
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    try {
      return JSON.parse(quoteNonFinite(text)) as unknown;
    } catch {
      throw error;
    }
  }
}

/**
 * A JSON value as a number: numbers as they are, and the strings `"NaN"`, `"Infinity"`,
 * `"-Infinity"` as non-finite numbers. Anything else (including `null`) is `undefined`.
 * @example
 * jsonNumber(0.5)         // 0.5
 * jsonNumber('-Infinity') // -Infinity
 * jsonNumber('0.5')       // undefined
 */
export function jsonNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return undefined;
}

/** Rewrites bare NaN/Infinity/-Infinity tokens outside strings as quoted strings. */
function quoteNonFinite(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i += 1;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += `${text.slice(from, i)}"${token}"`;
        i += token.length - 1;
        from = i + 1;
        break;
      }
    }
  }
  return out + text.slice(from);
}
