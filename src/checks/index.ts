/**
 * The check registry: one sorted literal, no import side effects. Add a check by importing it here.
 */
import type { Check } from './check.js';

/** Every catalogue check nndoctor runs on logs, sorted by id. */
export const checks: readonly Check[] = [];

export type { Check, CheckContext, CheckKind, FindingInput } from './check.js';
export { makeFinding, tooLittleData } from './check.js';
