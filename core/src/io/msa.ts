/**
 * EMSA/MAS spectral data files (.msa, .ems), format version 1.0.
 *
 * A header of `#KEYWORD-units: value` lines, `#SPECTRUM` then data lines,
 * then `#ENDOFDATA`. DATATYPE `Y` lists intensities (NCOLUMNS per line);
 * `XY` gives one `x, y` pair per line. The energy axis comes from
 * XPERCHAN/OFFSET/XUNITS/XLABEL; every keyword is also kept verbatim in
 * `metadata.msa` so a read-then-write keeps the instrument settings.
 */
import type { AxisSpec } from '../model/axis.js';
import type { Signal } from '../model/signal.js';
import { asText } from './binary.js';
import { FileFormatError, isBinnedSignalType, signalFromFile } from './errors.js';

export interface MsaKeyword {
  value: string;
  /** Units written after the keyword (`#BEAMKV -kV: 20` has units "kV"); '' when none. */
  units: string;
}

/** EMSA SIGNALTYPE codes that name a signal type we know under another name. */
const SIGNAL_FROM_MSA: Readonly<Record<string, string>> = { ELS: 'EELS', CLS: 'CL' };

/** Keywords the writer derives from the signal itself rather than from `metadata.msa`. */
const DERIVED = new Set([
  'FORMAT',
  'VERSION',
  'TITLE',
  'DATE',
  'TIME',
  'OWNER',
  'NPOINTS',
  'NCOLUMNS',
  'XUNITS',
  'XLABEL',
  'DATATYPE',
  'XPERCHAN',
  'OFFSET',
  'SIGNALTYPE',
  'SPECTRUM',
  'ENDOFDATA',
]);

export function readMsa(input: string | Uint8Array | ArrayBuffer, fileName: string): Signal {
  const lines = asText(input).split(/\r\n|\r|\n/);
  const keywords: Record<string, MsaKeyword> = {};
  const values: number[] = [];
  const xs: number[] = [];
  let inData = false;
  let dataType = 'Y';
  let sawSpectrum = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const kw = parseKeyword(line);
      if (!kw) throw new FileFormatError(fileName, `line ${n + 1}: expected '#KEYWORD: value'`);
      if (kw.key === 'SPECTRUM') {
        sawSpectrum = true;
        inData = true;
        dataType = (keywords['DATATYPE']?.value ?? 'Y').toUpperCase();
        if (dataType !== 'Y' && dataType !== 'XY') {
          throw new FileFormatError(
            fileName,
            `unsupported DATATYPE '${dataType}' (expected Y or XY)`,
          );
        }
      } else if (kw.key === 'ENDOFDATA') {
        break;
      }
      keywords[kw.key] = { value: kw.value, units: kw.units };
      continue;
    }
    if (!inData)
      throw new FileFormatError(fileName, `line ${n + 1}: text before #SPECTRUM is not a keyword`);
    const numbers = line.split(/[,\s]+/).filter((t) => t !== '');
    for (let i = 0; i < numbers.length; i++) {
      const v = Number(numbers[i]);
      if (Number.isNaN(v)) {
        throw new FileFormatError(fileName, `line ${n + 1}: '${numbers[i]}' is not a number`);
      }
      if (dataType === 'XY' && i === 0) xs.push(v);
      else values.push(v);
    }
  }
  if (!('FORMAT' in keywords))
    throw new FileFormatError(fileName, 'not an EMSA/MAS file (no #FORMAT keyword)');
  if (!sawSpectrum)
    throw new FileFormatError(fileName, 'no #SPECTRUM line: the file holds no data');
  if (values.length === 0) throw new FileFormatError(fileName, 'no data values after #SPECTRUM');

  const number = (key: string): number | undefined => {
    const kw = keywords[key];
    if (kw === undefined || kw.value === '') return undefined;
    const v = Number(kw.value);
    if (!Number.isFinite(v))
      throw new FileFormatError(fileName, `#${key} '${kw.value}' is not a number`);
    return v;
  };
  // NPOINTS is only advisory: real files (the EMSA example among them) disagree with their data.
  const offset = number('OFFSET') ?? xs[0] ?? 0;
  const scale = number('XPERCHAN') ?? (xs.length > 1 ? xs[1]! - xs[0]! : 1);
  const code = (keywords['SIGNALTYPE']?.value ?? '').toUpperCase();
  const signalType = SIGNAL_FROM_MSA[code] ?? code;
  const axis: AxisSpec = {
    name: keywords['XLABEL']?.value ?? '',
    size: values.length,
    offset,
    scale,
    units: keywords['XUNITS']?.value ?? '',
    navigate: false,
    isBinned: isBinnedSignalType(signalType),
  };
  return signalFromFile(fileName, {
    data: Float64Array.from(values),
    axes: [axis],
    title: keywords['TITLE']?.value ?? '',
    signalType,
    metadata: { msa: keywords },
  });
}

export interface MsaWriteOptions {
  /** `Y` (intensities only, the default) or `XY` (energy, intensity pairs). */
  format?: 'Y' | 'XY';
}

/** One spectrum as EMSA/MAS 1.0 text (CRLF line ends, as the specification asks). */
export function writeMsa(signal: Signal, options: MsaWriteOptions = {}): string {
  if (signal.navigationAxes.length > 0) {
    throw new Error(
      `writeMsa: an EMSA file holds one spectrum; this signal has navigation shape [${signal.navigationShape.join(', ')}]`,
    );
  }
  const format = options.format ?? 'Y';
  const axis = signal.signalAxis;
  const lines: string[] = [];
  const put = (key: string, value: string, units = ''): void => {
    const name = units === '' ? key : `${key.padEnd(8)} -${units}`;
    lines.push(`#${name.padEnd(12)}: ${value}`);
  };
  const t = signal.signalType;
  const code = t === 'EELS' ? 'ELS' : t === 'CL' ? 'CLS' : t.startsWith('EDS') ? 'EDS' : t;
  put('FORMAT', 'EMSA/MAS Spectral Data File');
  put('VERSION', '1.0');
  put('TITLE', oneLine(signal.title));
  const stored = storedKeywords(signal.metadata);
  // DATE, TIME and OWNER are required by the specification, even when empty.
  for (const key of ['DATE', 'TIME', 'OWNER']) put(key, oneLine(stored[key]?.value ?? ''));
  put('NPOINTS', String(axis.size));
  put('NCOLUMNS', '1');
  put('XUNITS', oneLine(axis.units));
  put('XLABEL', oneLine(axis.name));
  put('DATATYPE', format);
  put('XPERCHAN', String(axis.scale));
  put('OFFSET', String(axis.offset));
  put('SIGNALTYPE', code);
  for (const [key, kw] of Object.entries(stored)) {
    if (!DERIVED.has(key)) put(key, oneLine(kw.value), oneLine(kw.units));
  }
  put('SPECTRUM', 'Spectral Data Starts Here');
  const data = signal.data;
  for (let i = 0; i < data.length; i++) {
    const y = String(data[i]);
    lines.push(format === 'XY' ? `${axis.offset + i * axis.scale}, ${y}` : `${y},`);
  }
  put('ENDOFDATA', '');
  return lines.join('\r\n') + '\r\n';
}

/** `#KEYWORD-units : value`: the keyword ends at '-' or ':', the value after the first ':'. */
function parseKeyword(line: string): { key: string; units: string; value: string } | null {
  const colon = line.indexOf(':');
  const left = colon < 0 ? line.slice(1) : line.slice(1, colon);
  const value = colon < 0 ? '' : line.slice(colon + 1).trim();
  const dash = left.indexOf('-');
  const key = (dash < 0 ? left : left.slice(0, dash)).trim().toUpperCase();
  const units = dash < 0 ? '' : left.slice(dash + 1).trim();
  if (key === '') return null;
  return { key, units, value };
}

/** The keywords a reader left in `metadata.msa`, checked because metadata is untyped. */
function storedKeywords(metadata: Record<string, unknown>): Record<string, MsaKeyword> {
  const out: Record<string, MsaKeyword> = {};
  const msa = metadata['msa'];
  if (typeof msa !== 'object' || msa === null) return out;
  for (const [key, kw] of Object.entries(msa)) {
    if (!/^[A-Z0-9_]+$/i.test(key) || typeof kw !== 'object' || kw === null) continue;
    const { value, units } = kw as Record<string, unknown>;
    if (typeof value === 'string')
      out[key.toUpperCase()] = { value, units: typeof units === 'string' ? units : '' };
  }
  return out;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
