/**
 * `nndoctor preflight <model.json> --data <file>`: runs the pre-flight probes (D, M and P checks) on a
 * saved TF.js layers model and a data file, and reports like `diagnose`. TF.js is imported lazily
 * inside the action, so other commands never load it.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { PreflightProgress } from '../tfjs/probes/preflight.js';
import type { TrainingSpec } from '../tfjs/probes/probe.js';
import type { ExitCode } from './cli-error.js';
import { CliError } from './cli-error.js';
import type { FailOn, ReportFormat } from './diagnose-command.js';
import { exitCodeFor, renderReport } from './diagnose-command.js';
import type { CliIo, OutStream } from './io.js';
import { useColor } from './io.js';

interface PreflightFlags {
  data: string;
  customLayers?: string;
  valData?: string;
  target?: string;
  loss?: string;
  fromLogits?: boolean;
  optimizer?: TrainingSpec['optimizer'];
  lr?: string;
  batchSize?: string;
  only?: string;
  skip?: string;
  budget: string;
  seed: string;
  artefacts?: string;
  format: ReportFormat;
  failOn: FailOn;
  color?: boolean;
  quiet?: boolean;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function positive(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new CliError(`${flag}: expected a positive ${integer ? 'integer' : 'number'}, got '${value}'`, 2);
  }
  return v;
}

/** A probes progress bar on stderr, shown only on a TTY after a moment. */
function probeProgress(stream: OutStream, enabled: boolean, delayMs = 400): { update(p: PreflightProgress): void; stop(): void } {
  let bar: cliProgress.SingleBar | null = null;
  const started = Date.now();
  return {
    update(p) {
      if (!enabled) return;
      if (!bar && Date.now() - started >= delayMs && p.probesDone < p.probesTotal) {
        bar = new cliProgress.SingleBar(
          { stream: stream as unknown as NodeJS.WritableStream, format: 'probing {bar} {value}/{total} probes {probe}', clearOnComplete: true, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.probesTotal, p.probesDone, { probe: p.probe });
      }
      bar?.update(Math.min(p.probesTotal, p.probesDone + p.fraction * 0.999), { probe: p.probe });
    },
    stop() {
      bar?.stop();
    },
  };
}

/**
 * Adds the `preflight` command to `program`; the action stores its exit code through `setExit`.
 * @example
 * addPreflightCommand(program, io, (code) => { exitCode = code; });
 */
export function addPreflightCommand(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('preflight')
    .description('run the pre-flight probes (data, model wiring, procedures) on a saved TF.js layers model and a CSV or JSON data file')
    .argument('<model.json>', 'a TF.js layers model.json (model.save, or tensorflowjs_converter --output_format=tfjs_layers_model), weight shards next to it')
    .requiredOption('--data <file>', 'training data: .csv (header row, labels in the last column or --target) or .json ({"x": [...], "y": [...]})')
    .option('--custom-layers <module>', "ES module registering the model's custom layer classes (its default export is called with TF.js: (tf) => { tf.serialization.registerClass(...) })")
    .option('--val-data <file>', 'validation data in the same format (default: JSON xVal/yVal, else probes split off 20%)')
    .option('--target <columns>', 'CSV label column(s), comma-separated (default: the last column)')
    .option('--loss <name>', 'loss (categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError...; default: from the model training_config, else inferred)')
    .option('--from-logits', 'the loss takes logits (Keras from_logits=True)')
    .addOption(new Option('--optimizer <name>', 'optimizer (default: from training_config, else adam)').choices(['adam', 'sgd', 'rmsprop', 'adagrad', 'adadelta', 'adamax']))
    .option('--lr <rate>', 'learning rate (default: from training_config, else 0.001)')
    .option('--batch-size <n>', 'batch size (default 32)')
    .option('--only <ids>', 'run only these probes (comma-separated ids, e.g. M7,P1)')
    .option('--skip <ids>', 'skip these probes (comma-separated ids)')
    .option('--budget <seconds>', 'total time budget, split over the probes; data files with more examples than fit are sampled', '60')
    .option('--seed <n>', 'seed for every random choice', '42')
    .option('--artefacts <dir>', 'write artefacts (D7 batch image/table) into this directory')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['error', 'warning', 'info', 'never']).default('error'))
    .option('-q, --quiet', 'text report: leave out too-little-data notes')
    .option('--no-color', 'no colours in the text report')
    .action(async (modelPath: string, flags: PreflightFlags) => {
      const budgetS = positive('--budget', flags.budget, false)!;
      const lr = positive('--lr', flags.lr, false);
      const batchSize = positive('--batch-size', flags.batchSize, true);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed)) throw new CliError(`--seed: expected an integer, got '${flags.seed}'`, 2);

      const [{ preflight, prepareBackend, selectProbes }, { probes }, { loadModel, ModelLoadError, registerCustomLayers }, { loadData, DataLoadError }, tf] = await Promise.all([
        import('../tfjs/probes/preflight.js'),
        import('../tfjs/probes/index.js'),
        import('../tfjs/probes/load-model.js'),
        import('../tfjs/probes/load-data.js'),
        import('@tensorflow/tfjs'),
      ]);
      const { unknown } = selectProbes(probes, { ...(flags.only ? { only: list(flags.only) ?? [] } : {}), ...(flags.skip ? { skip: list(flags.skip) ?? [] } : {}) });
      if (unknown.length > 0) throw new CliError(`--only/--skip: unknown probe id(s) ${unknown.join(', ')}; expected ids among ${probes.map((p) => p.id).join(', ')}`, 2);
      await prepareBackend();

      let loaded: Awaited<ReturnType<typeof loadModel>>;
      let customLayers: string[] = [];
      try {
        if (flags.customLayers) customLayers = await registerCustomLayers(flags.customLayers);
        loaded = await loadModel(modelPath);
      } catch (err) {
        if (err instanceof ModelLoadError) throw new CliError(err.message, 2, { cause: err });
        throw err;
      }
      const notes: string[] = customLayers.length > 0 ? [`custom layer classes registered from ${flags.customLayers}: ${customLayers.join(', ')}`] : [];
      const hint = loaded.training;
      const fromConfig = Object.keys(hint).length > 0;
      const training: Partial<TrainingSpec> = {
        ...(flags.loss ?? hint.loss ? { loss: flags.loss ?? hint.loss } : {}),
        ...(flags.fromLogits === true || hint.fromLogits !== undefined ? { fromLogits: flags.fromLogits === true || hint.fromLogits === true } : {}),
        ...(flags.optimizer ?? hint.optimizer ? { optimizer: flags.optimizer ?? hint.optimizer } : {}),
        ...(lr ?? hint.learningRate ? { learningRate: lr ?? hint.learningRate } : {}),
        ...(batchSize ? { batchSize } : {}),
      };
      if (fromConfig) notes.push(`training settings from the model's training_config (${[hint.loss, hint.optimizer, hint.learningRate].filter((v) => v !== undefined).join(', ')}); flags override them`);
      let data: Awaited<ReturnType<typeof loadData>>;
      try {
        data = await loadData(flags.data, loaded.model, {
          ...(flags.target ? { target: list(flags.target) ?? [] } : {}),
          ...(training.loss ? { loss: training.loss } : {}),
          ...(flags.valData ? { valPath: flags.valData } : {}),
          budgetMs: budgetS * 1000,
          seed,
        });
      } catch (err) {
        loaded.model.dispose();
        if (err instanceof DataLoadError) throw new CliError(err.message, 2, { cause: err });
        throw err;
      }
      for (const r of data.rows) {
        if (r.used < r.total) {
          notes.push(`data: ${r.used} of ${r.total} examples of ${r.file}${r.part === 'rows' ? '' : ` (${r.part})`} used, a random sample in file order (seed ${seed}) sized so the probes fit --budget ${budgetS} s; a larger --budget uses more`);
        }
      }
      const progress = probeProgress(io.stderr, io.stderr.isTTY === true && io.env['CI'] === undefined);
      let result: Awaited<ReturnType<typeof preflight>>;
      try {
        result = await preflight(loaded.model, data, {
          ...(flags.only ? { only: list(flags.only) ?? [] } : {}),
          ...(flags.skip ? { skip: list(flags.skip) ?? [] } : {}),
          budgetMs: budgetS * 1000,
          training,
          seed,
          ...(flags.artefacts ? { artefacts: flags.artefacts } : {}),
          onProgress: (p) => progress.update(p),
          name: modelPath,
          files: [modelPath, ...loaded.shards, flags.data, ...(flags.valData ? [flags.valData] : [])],
          notes,
        });
      } finally {
        progress.stop();
        const all = [data.x, data.y, data.xVal, data.yVal].flatMap((t) => (t === undefined ? [] : Array.isArray(t) ? (t as import('@tensorflow/tfjs').Tensor[]) : [t as import('@tensorflow/tfjs').Tensor]));
        tf.dispose(all);
        loaded.model.dispose();
      }
      const color = flags.color !== false && useColor(io.stdout, io.env);
      io.stdout.write(renderReport(result, flags.format, color, flags.quiet !== true));
      setExit(exitCodeFor(result, flags.failOn));
    });
}
