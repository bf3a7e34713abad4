import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileFormatError, readMsa, writeMsa, Signal } from '@samfire/core';
import type { MsaKeyword } from '@samfire/core';

const sample = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../../shared/data/io/msa/${name}`, import.meta.url)));

const header = (lines: string[]): string =>
  [
    '#FORMAT      : EMSA/MAS Spectral Data File',
    '#VERSION     : 1.0',
    ...lines,
    '#ENDOFDATA   :',
  ].join('\n');

function fileError(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FileFormatError);
    return err as FileFormatError;
  }
  throw new Error('expected a FileFormatError');
}

describe('readMsa', () => {
  it('reads the EMSA example: XY data, axis from XPERCHAN/OFFSET, keywords with units', () => {
    const s = readMsa(sample('example1.msa'), 'example1.msa');
    expect(s.title).toBe('NIO EELS OK SHELL');
    expect(s.signalType).toBe('EELS');
    // NPOINTS says 20 but the file lists 21 values; the data win, as in HyperSpy.
    expect(s.shape).toEqual([21]);
    expect(s.data[0]).toBe(4066);
    expect(s.data[20]).toBe(4217);
    expect(s.signalAxis).toMatchObject({
      name: 'Energy',
      units: 'eV',
      offset: 520.13,
      scale: 3.1,
      isBinned: true,
    });
    const kw = s.metadata['msa'] as Record<string, MsaKeyword>;
    expect(kw['BEAMKV']).toEqual({ value: '120.0', units: 'kV' });
    expect(kw['CONVANGLE']).toEqual({ value: '1.5', units: 'mR' });
    expect(kw['CHOFFSET']).toEqual({ value: '-168', units: '' });
    expect(kw['TIME']).toEqual({ value: '12:00', units: '' });
  });

  it('reads Y data with several values per line and a trailing comma', () => {
    const s = readMsa(
      header([
        '#NPOINTS : 7',
        '#NCOLUMNS : 5',
        '#DATATYPE : Y',
        '#XPERCHAN : 10',
        '#OFFSET : -20',
        '#SPECTRUM :',
        '1, 2, 3, 4, 5,',
        '6, 7,',
      ]),
      'y.msa',
    );
    expect(Array.from(s.data as Float64Array)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.signalAxis).toMatchObject({ offset: -20, scale: 10, name: '', units: '' });
  });

  it('takes the axis from the x values of XY data when OFFSET and XPERCHAN are absent', () => {
    const s = readMsa(
      header(['#DATATYPE : XY', '#SPECTRUM :', '1.5, 10', '2.0, 20', '2.5, 30']),
      'xy.msa',
    );
    expect(Array.from(s.data as Float64Array)).toEqual([10, 20, 30]);
    expect(s.signalAxis.offset).toBe(1.5);
    expect(s.signalAxis.scale).toBe(0.5);
  });

  it('maps SIGNALTYPE codes: ELS to EELS, CLS to CL, others kept', () => {
    const type = (code: string): string =>
      readMsa(header([`#SIGNALTYPE : ${code}`, '#SPECTRUM :', '1,']), 't.msa').signalType;
    expect(type('ELS')).toBe('EELS');
    expect(type('CLS')).toBe('CL');
    expect(type('EDS')).toBe('EDS');
    expect(type('XRF')).toBe('XRF');
    expect(type('')).toBe('');
  });

  it('reads latin-1 text when the bytes are not UTF-8', () => {
    const text = header(['#XUNITS : \u00b5m', '#SPECTRUM :', '1,']);
    const latin1 = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expect(readMsa(latin1, 'l.msa').signalAxis.units).toBe('\u00b5m');
    expect(readMsa(new TextEncoder().encode(text), 'u.msa').signalAxis.units).toBe('\u00b5m');
  });

  it('accepts CRLF, CR and a byte-order mark', () => {
    const text = '\ufeff' + header(['#SPECTRUM :', '1,', '2,']).replace(/\n/g, '\r');
    expect(readMsa(text, 'cr.msa').shape).toEqual([2]);
  });

  it('errors name the file and the line', () => {
    expect(fileError(() => readMsa(header(['#SPECTRUM :', '1, x2']), 'bad.msa')).message).toBe(
      "bad.msa: line 4: 'x2' is not a number",
    );
    expect(fileError(() => readMsa(header(['#NPOINTS : 1']), 'bad.msa')).message).toMatch(
      /no #SPECTRUM/,
    );
    expect(fileError(() => readMsa(header(['#SPECTRUM :']), 'bad.msa')).message).toMatch(
      /no data values/,
    );
    expect(fileError(() => readMsa('1, 2, 3', 'bad.msa')).message).toMatch(/before #SPECTRUM/);
    expect(fileError(() => readMsa('#SPECTRUM :\n1,', 'bad.msa')).message).toMatch(/no #FORMAT/);
    expect(
      fileError(() => readMsa(header(['#DATATYPE : XYZ', '#SPECTRUM :', '1,']), 'bad.msa')).message,
    ).toMatch(/unsupported DATATYPE 'XYZ'/);
    expect(
      fileError(() => readMsa(header(['#XPERCHAN : fast', '#SPECTRUM :', '1,']), 'bad.msa'))
        .message,
    ).toMatch(/#XPERCHAN 'fast' is not a number/);
    expect(
      fileError(() => readMsa(header(['#XPERCHAN : 0', '#SPECTRUM :', '1,']), 'bad.msa')).message,
    ).toMatch(/scale must be finite and non-zero/);
  });
});

describe('writeMsa', () => {
  it('round-trips the EMSA example, keywords included', () => {
    const s = readMsa(sample('example1.msa'), 'example1.msa');
    const text = writeMsa(s);
    expect(text).toMatch(/^#FORMAT {6}: EMSA\/MAS Spectral Data File\r\n/);
    expect(text).toContain('#BEAMKV   -kV: 120.0\r\n');
    const back = readMsa(text, 'back.msa');
    expect(Array.from(back.data as Float64Array)).toEqual(Array.from(s.data as Float64Array));
    expect(back.signalAxis).toEqual(s.signalAxis);
    expect(back.title).toBe(s.title);
    expect(back.signalType).toBe('EELS');
    const kw = back.metadata['msa'] as Record<string, MsaKeyword>;
    expect(kw['BEAMKV']).toEqual({ value: '120.0', units: 'kV' });
    expect(kw['ELSDET']).toEqual({ value: 'SERIAL', units: '' });
    expect(kw['DATE']).toEqual({ value: '01-OCT-1991', units: '' });
  });

  it('round-trips random spectra exactly, in Y and XY form', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 50,
        }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        fc.constantFrom<'Y' | 'XY'>('Y', 'XY'),
        fc.constantFrom('', 'EELS', 'EDS', 'CL'),
        (values, offset, scale, format, signalType) => {
          const s = new Signal({
            data: Float64Array.from(values),
            axes: [
              { name: 'Energy', size: values.length, offset, scale, units: 'keV', navigate: false },
            ],
            title: 'random: spectrum',
            signalType,
          });
          const back = readMsa(writeMsa(s, { format }), 'r.msa');
          // Text has no negative zero: -0 comes back as 0, everything else exactly.
          expect(Array.from(back.data as Float64Array)).toEqual(values.map((v) => v + 0));
          expect(back.signalAxis).toMatchObject({
            name: 'Energy',
            offset: offset + 0,
            scale,
            units: 'keV',
          });
          expect(back.title).toBe('random: spectrum');
          expect(back.signalType).toBe(signalType);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it('writes integer data as integers', () => {
    const s = new Signal({
      data: Int32Array.from([1, -2, 3]),
      axes: [{ name: '', size: 3, offset: 0, scale: 1, units: '', navigate: false }],
    });
    expect(writeMsa(s)).toContain('\r\n1,\r\n-2,\r\n3,\r\n');
  });

  it('refuses a signal with navigation axes', () => {
    const s = new Signal({
      data: new Float64Array(6),
      axes: [
        { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: 3, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    expect(() => writeMsa(s)).toThrow(/one spectrum; this signal has navigation shape \[2\]/);
  });
});
