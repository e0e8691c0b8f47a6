/**
 * nndoctor: debug neural-network training. Library entry point.
 *
 * @example
 * import { diagnosePaths, renderText } from 'nndoctor';
 * const diagnosis = await diagnosePaths(['runs/']);
 * process.stdout.write(renderText(diagnosis));
 */
export type { Check, CheckContext, CheckKind, FindingInput } from './checks/index.js';
export { checks, makeFinding, tooLittleData } from './checks/index.js';
export type { CurveRoles, DiagnoseOptions, RunReport } from './diagnose/diagnose.js';
export { diagnoseRun, selectChecks } from './diagnose/diagnose.js';
export type { Diagnosis, DiagnosePathsOptions, DiagnoseProgress } from './diagnose/diagnose-paths.js';
export { diagnosePaths } from './diagnose/diagnose-paths.js';
export type { Evidence, Finding, Severity } from './findings/index.js';
export { severityRank, sortFindings } from './findings/index.js';
export * from './formats/index.js';
export { renderJson, jsonReplacer } from './report/json.js';
export { renderMarkdown } from './report/markdown.js';
export { renderText } from './report/text.js';
export type { TextOptions } from './report/text.js';
export * from './telemetry/index.js';
