/**
 * D6 Split sizes: a validation set too small for stable estimates (the standard error of an
 * accuracy measured on it, or its share of the training set), a missing validation or test split.
 */
import { makeFinding } from '../../checks/check.js';
import type { Finding } from '../../findings/finding.js';
import type { Probe, ProbeContext } from './probe.js';
import { exampleCount } from './probe-kit.js';
import { isCrossEntropy, lossFamily } from './targets.js';
import { round } from './tensor-stats.js';

/** Validation share of the training set below this is too small. */
const MIN_VAL_SHARE = 0.1;
/** Largest acceptable standard error of a validation accuracy, in accuracy units (2 points). */
const MAX_ACCURACY_SE = 0.02;
/** Worst-case accuracy for the standard error (p = 0.5 maximises p(1 - p)). */
const WORST_P = 0.5;
/** Regression / other losses: fewest validation examples. */
const MIN_VAL_ROWS = 100;
/** Suggested shares of all examples. */
const SUGGEST_VAL = 0.2;
const SUGGEST_TEST = 0.1;
/** Test share of the training set below this gets an info note. */
const MIN_TEST_SHARE = 0.05;

async function run(ctx: ProbeContext): Promise<Finding[]> {
  const nTrain = exampleCount(ctx.data.x);
  const nVal = ctx.data.xVal ? exampleCount(ctx.data.xVal) : 0;
  const nTest = ctx.data.xTest ? exampleCount(ctx.data.xTest) : 0;
  const total = nTrain + nVal + nTest;
  const classification = isCrossEntropy(lossFamily(ctx.training.loss));
  const neededForSe = Math.ceil((WORST_P * (1 - WORST_P)) / MAX_ACCURACY_SE ** 2); // 625
  const suggestedVal = Math.round(SUGGEST_VAL * total);
  const suggestedTest = Math.round(SUGGEST_TEST * total);
  const needed = Math.max(classification ? neededForSe : MIN_VAL_ROWS, Math.ceil(MIN_VAL_SHARE * nTrain));
  const se = nVal > 0 ? Math.sqrt((WORST_P * (1 - WORST_P)) / nVal) : Number.POSITIVE_INFINITY;
  const base = {
    trainExamples: nTrain,
    valExamples: nVal,
    testExamples: nTest,
    valShareOfTrain: round(nVal / Math.max(1, nTrain)),
    minValShare: MIN_VAL_SHARE,
    accuracySePoints: Number.isFinite(se) ? round(se * 100) : null,
    maxAccuracySePoints: MAX_ACCURACY_SE * 100,
    valNeeded: needed,
    suggestedVal,
    suggestedTest,
  };
  const kfold = total < 2 * needed ? ['with this little data, use k-fold cross-validation (k = 5) instead of one small validation split'] : [];
  const findings: Finding[] = [];
  if (nVal === 0) {
    findings.push(
      makeFinding(d6SplitSizes, {
        severity: 'warning',
        title: `${d6SplitSizes.title}: no validation split`,
        message: `There is no validation split (${nTrain} training examples): overfitting (C3) and the best checkpoint cannot be seen. Hold out ~${pct0(SUGGEST_VAL)} (${suggestedVal} examples).`,
        evidence: base,
        actions: [`hold out ~${pct0(SUGGEST_VAL)} of the examples for validation (validationSplit: 0.2 in fit, or an explicit split)`, ...kfold],
      }),
    );
  } else {
    const shareLow = nVal < MIN_VAL_SHARE * nTrain;
    const seHigh = classification && se > MAX_ACCURACY_SE;
    const rowsLow = !classification && nVal < MIN_VAL_ROWS;
    if (shareLow || seHigh || rowsLow) {
      const why = [
        shareLow ? `${round((nVal / nTrain) * 100, 3)}% of the training set (< ${pct0(MIN_VAL_SHARE)})` : '',
        seHigh ? `an accuracy measured on it has a standard error of up to ${round(se * 100, 3)} points (> ${MAX_ACCURACY_SE * 100})` : '',
        rowsLow ? `fewer than ${MIN_VAL_ROWS} examples` : '',
      ].filter((s) => s.length > 0);
      findings.push(
        makeFinding(d6SplitSizes, {
          severity: 'warning',
          title: `${d6SplitSizes.title}: validation set too small`,
          message: `The validation set has ${nVal} examples: ${why.join('; ')}. Differences between epochs or runs smaller than ~${round(2 * se * 100, 2)} points are noise (see C8). Aim for >= ${needed} (about ${pct0(SUGGEST_VAL)} of the data is ${suggestedVal}).`,
          evidence: base,
          actions: [`move examples from train to validation until it holds >= ${needed} (~${pct0(SUGGEST_VAL)} val, ~${pct0(SUGGEST_TEST)} test)`, ...kfold],
        }),
      );
    }
  }
  if (nTest === 0) {
    findings.push(
      makeFinding(d6SplitSizes, {
        severity: 'info',
        title: `${d6SplitSizes.title}: no test split`,
        message: `No test split: once hyper-parameters are chosen on validation, its score is optimistic. Keep ~${pct0(SUGGEST_TEST)} (${suggestedTest} examples) untouched for a final estimate.`,
        evidence: base,
        actions: [`hold out ~${pct0(SUGGEST_TEST)} of the examples as a test set and evaluate on it once, at the end`],
      }),
    );
  } else if (nTest < MIN_TEST_SHARE * nTrain) {
    findings.push(
      makeFinding(d6SplitSizes, {
        severity: 'info',
        title: `${d6SplitSizes.title}: small test split`,
        message: `The test split has ${nTest} examples (${round((nTest / nTrain) * 100, 3)}% of train): its final estimate is noisy.`,
        evidence: base,
        actions: [`aim for ~${pct0(SUGGEST_TEST)} of the data (${suggestedTest} examples) as test`],
      }),
    );
  }
  return findings;
}

const pct0 = (x: number): string => `${Math.round(x * 100)}%`;

/**
 * D6 Split sizes: warning when there is no validation split, or it holds < 10% of the training
 * examples, or (classification) an accuracy on it has a standard error > 2 points (fewer than 625
 * examples at p = 0.5), or (regression) fewer than 100 examples; says how big it should be (~20% val,
 * ~10% test) and suggests k-fold for small datasets. Info for a missing or small test split.
 * @example
 * const [f] = await d6SplitSizes.run(ctx); f?.evidence.valNeeded // 625
 */
export const d6SplitSizes: Probe = {
  id: 'D6',
  title: 'Split sizes',
  severity: 'warning',
  kind: 'probe',
  description: 'Compares validation and test sizes with the training set and the standard error of an accuracy measured on them; suggests ~20% val and ~10% test.',
  budgetMs: 1_000,
  run,
};
