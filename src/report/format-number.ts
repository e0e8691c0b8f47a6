/**
 * Numbers and evidence for people: 4 significant digits, exponent for tiny and huge values.
 */
import type { Evidence } from '../findings/finding.js';

/**
 * Formats a number compactly for reports.
 * @example
 * formatNumber(0.000123456) // '1.235e-4'
 * formatNumber(2.302585)    // '2.303'
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

/**
 * Evidence as `key=value` pairs, arrays abbreviated.
 * @example
 * formatEvidence({ rise: 0.35, threshold: 0.2 }) // 'rise=0.35 threshold=0.2'
 */
export function formatEvidence(evidence: Evidence): string {
  return Object.entries(evidence)
    .map(([k, v]) => {
      if (Array.isArray(v)) {
        const xs = (v as number[]).slice(0, 6).map(formatNumber);
        return `${k}=[${xs.join(', ')}${v.length > 6 ? `, … ${v.length} values` : ''}]`;
      }
      return `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`;
    })
    .join(' ');
}
