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
    ['run/training.log', '\u0000\u0001binary', null],
  ] as const)('%s with %j -> %s', (path, head, flavour) => {
    expect(csvFlavour(path, enc(head))).toBe(flavour);
  });
});
