import { describe, expect, it } from 'vitest';
import { csvFlavour } from './flavour.js';
import { isMissingCell, parseCsvLine, parseNumberCell } from './parse-line.js';

describe('parseCsvLine', () => {
  it.each([
    ['0,49,,0.89', ['0', '49', '', '0.89']],
    ['', ['']],
    [',', ['', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"x"y,z', ['xy', 'z']],
    ['"open,quote', ['open,quote']],
    ['a,"b"', ['a', 'b']],
  ])('%j -> %j', (line, cells) => {
    expect(parseCsvLine(line)).toEqual(cells);
  });

  it.each([
    ['0\t0.5\t', '\t', ['0', '0.5', '']],
    ['epoch;loss;"a;b"', ';', ['epoch', 'loss', 'a;b']],
    ['0,5;1', ';', ['0,5', '1']],
  ])('%j split at %j -> %j', (line, delimiter, cells) => {
    expect(parseCsvLine(line, delimiter)).toEqual(cells);
  });
});

describe('parseNumberCell', () => {
  it.each([
    ['0.8924820423126221', 0.8924820423126221],
    ['-3', -3],
    ['1e-05', 1e-5],
    ['.5', 0.5],
    [' 7 ', 7],
    ['nan', NaN],
    ['NaN', NaN],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['Infinity', Infinity],
    ['', undefined],
    ['0x10', undefined],
    ['[0.1 0.2]', undefined],
    ['tensor(0.5)', undefined],
  ])('%j -> %s', (cell, value) => {
    expect(parseNumberCell(cell)).toEqual(value);
  });

  it('treats empty and NA cells as missing', () => {
    expect([isMissingCell(''), isMissingCell(' NA'), isMissingCell('0')]).toEqual([true, true, false]);
  });
});

describe('csvFlavour', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it.each([
    ['lightning_logs/version_0/metrics.csv', 'epoch,step,train_loss\n', 'lightning'],
    ['any/metrics.csv', 'step,loss\n', 'lightning'], // Lightning Fabric: no epoch column
    ['any/custom.csv', 'epoch,step,loss\n', 'lightning'],
    ['any/metrics.csv', '', 'lightning'],
    ['run/training.log', 'epoch,accuracy,loss,val_accuracy,val_loss\r\n', 'keras'],
    ['run/history.csv', 'epoch,loss\n', 'keras'],
    ['run/training.log', '', 'keras'],
    ['run/training.log', 'INFO starting training\n', null],
    ['run/notes.csv', 'name,value\n', null],
    ['run/loss.txt', 'epoch,loss\n', null],
    ['run/metrics.csv', 'epoch,lo', 'lightning'], // header still being written
    ['run/metrics.csv', 'epoch,loss\n', 'keras'], // Keras CSVLogger('metrics.csv')
    ['run/training.log', 'epoch,acc', 'keras'],
    ['run/custom.csv', `epoch,step,${'grad_norm_layer_x,'.repeat(300)}`, 'lightning'], // a header longer than the 4 KiB looked at
    ['run/training.log', '\u0000\u0001binary', null],
    // A crashed Keras log with a zero-filled tail: the text before the zeros decides.
    ['run/training.log', `epoch,loss\n0,0.5\n1,0.${'\u0000'.repeat(3000)}`, 'keras'],
    ['run/training.log', 'epoch,loss\r0,0.5\r1,0.4\r', 'keras'], // CR-only line ends
    ['run/training.log', 'epoch,loss\r\r\n0,0.5\r\r\n', 'keras'],
    ['run/training.log', 'epoch,loss\n0,\u0001\u0002', null], // binary bytes
  ] as const)('%s with %j -> %s', (path, head, flavour) => {
    expect(csvFlavour(path, enc(head))).toBe(flavour);
  });

  describe('plain CSV histories', () => {
    const nebulae = Array.from({ length: 200 }, (_, i) => `${(0.654 - i * 1e-3).toExponential(18)}\n`).join('');
    it.each([
      ['spaces after commas (Epoch capitalised)', 'run/history.csv', 'Epoch, loss, val_loss\n1, 0.9, 1.0\n'],
      ['pandas index as the epoch', 'models/history.csv', ',loss,val_loss,lr\n0,0.9,1.0,0.001\n1,0.8,0.9,0.001\n'],
      ['pandas index read back (Unnamed: 0)', 'out/log.csv', 'Unnamed: 0,loss,val_loss\n0,0.9,1.0\n'],
      ['no header: one number per line', 'nebulae_nn/models/history.csv', nebulae],
      ['no header, CR line ends, loss.txt', 'run/loss.txt', '0.9\r0.8\r0.7\r'],
      ['no epoch column', 'anime/loss_history.csv', 'train_loss,valid_loss\n1.79386,1.31989\n1.15808,1.07646\n'],
      ['no epoch column, any name but all history columns', 'run/losses.csv', 'trainLoss,valLoss,valAcc\n0.9,1.0,0.5\n'],
      ['epoch,step with empty step cells', 'run/metrics.csv', 'epoch,step,loss,val_loss\n0,,0.9,1.0\n1,,0.8,0.9\n'],
      ['step without epoch, not metrics.csv', 'run/training_log.csv', 'global_step,loss,lr\n10,0.9,0.1\n20,0.8,0.1\n'],
      ['tab separated', 'run/history.tsv', 'epoch\tloss\tval_loss\n0\t0.9\t1.0\n'],
      ['semicolon separated', 'run/history.csv', 'epoch;loss;val_loss\n0;0.9;1.0\n'],
      ['a timestamp text column', 'run/train_log.csv', 'epoch,time,loss\n0,2024-01-01 10:00:00,0.9\n'],
      ['a phase column', 'run/log.csv', 'epoch,phase,loss,acc\n0,train,0.9,0.5\n0,val,1.0,0.4\n'],
      ['a Windows file with a BOM', 'run/history.csv', '\uFEFFepoch,loss\r\n'.replace('epoch', 'Epoch') + '1,0.5\r\n'],
      ['a zero-filled tail', 'run/loss_history.csv', `train_loss,valid_loss\n0.9,1.0\n0.8${'\u0000'.repeat(100)}`],
    ] as const)('claims %s', (_, path, head) => {
      expect(csvFlavour(path, enc(head))).toBe('plain');
    });

    it.each([
      ['name,value text', 'run/notes.csv', 'name,value\nlr,0.001\nmodel,resnet\n'],
      ['a data set with many text columns', 'data/train.csv', 'id,title,author,text,label,loss_ratio\n1,A,B,some text,0,0.5\n'],
      ['a data set of numbers with one loss-like column', 'data/insurance.csv', 'age,bmi,children,smoker,region_code,claim_loss\n19,27.9,0,1,3,0.5\n'],
      ['a results table (one row per model)', 'out/results.csv', 'model,accuracy,f1\nresnet,0.9,0.8\nvgg,0.85,0.7\n'],
      ['a table without data rows yet', 'run/history.csv', 'loss,val_loss\n'],
      ['console output', 'run/train.log', 'loss: 0.5, acc: 0.8\nval_loss: 0.6, val_acc: 0.7\n'],
      ['console output (Keras progress)', 'run/train.log', 'Epoch 1/10\n100/100 [====] - loss: 0.5\n'],
      ['integers only (ids or class labels)', 'data/labels_history.csv', '0\n1\n1\n0\n'],
      ['a column of numbers in a file not named like a history', 'data/prices.csv', '0.5\n0.7\n'],
      ['several numbers per line without a header', 'run/history.csv', '0.5,0.6\n0.4,0.5\n'],
      ['a JSON file', 'run/history.json', '{"loss": [0.5]}\n'],
      ['a log line with a loss in free text', 'run/output.log', 'starting training with loss=mse\n'],
      ['a header with numbers in it', 'run/history.csv', 'loss,0.5\n0.4,0.3\n'],
      ['rows with fewer columns than the header', 'run/history.csv', 'loss,val_loss,lr\n0.5\n'],
    ] as const)('does not claim %s', (_, path, head) => {
      expect(csvFlavour(path, enc(head))).toBe(null);
    });
  });
});
