export type { Evidence, Finding, Severity } from './finding.js';
export { severityRank, sortFindings } from './finding.js';
