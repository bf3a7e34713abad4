/**
 * JEOL Analysis Station single spectra (`.EDS`): a header of fixed layout
 * (live time and real time as doubles at 0x102 and 0x10a, the energy
 * calibration CoefA and CoefB as doubles at 0x16a and 0x172, the channel
 * count as a 32-bit integer at 0x1c6), the counts as 32-bit integers from
 * 0x1ca, then a footer whose last 374 bytes are the measurement parameters
 * (detector type, microscope, accelerating voltage, resolution at Mn Ka,
 * take-off and azimuth angles). Read as HyperSpy 1.7.3 does: an int32
 * spectrum titled 'EDX', energy in keV.
 */
import type { Signal } from '../../model/signal.js';
import { latin1 } from '../binary.js';
import { FileFormatError, signalFromFile } from '../errors.js';

const DATA_AT = 0x1ca;
const MAX_CHANNELS = 1 << 16;
/** The parameters block at the end of the footer: its length, and where its values sit in it. */
const PARAMETERS = 374;
const AT = { detector: 0, beam: 48, resolution: 102, elevation: 134, azimuth: 142 } as const;

/** The spectrum of a JEOL .EDS file (its bytes whole: such files are some kB). */
export function readJeolEds(bytes: Uint8Array, name: string): Signal {
  if (bytes.length < DATA_AT + 4) throw new FileFormatError(name, 'too short for a JEOL .EDS file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channels = dv.getUint32(0x1c6, true);
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw new FileFormatError(name, `${channels} channels is not a JEOL spectrum (0x1c6)`);
  }
  const end = DATA_AT + 4 * channels;
  if (end > bytes.length) {
    throw new FileFormatError(
      name,
      `truncated: ${channels} channels need bytes ${DATA_AT}..${end} of a ${bytes.length}-byte file`,
    );
  }
  const scale = dv.getFloat64(0x16a, true);
  const offset = dv.getFloat64(0x172, true);
  if (!Number.isFinite(scale) || scale === 0 || !Number.isFinite(offset)) {
    throw new FileFormatError(name, `the energy calibration (${scale}, ${offset}) is not usable`);
  }
  const data = new Int32Array(channels);
  for (let i = 0; i < channels; i++) data[i] = dv.getInt32(DATA_AT + 4 * i, true);
  const eds: Record<string, unknown> = {};
  const tem: Record<string, unknown> = {};
  const live = dv.getFloat64(0x102, true);
  if (Number.isFinite(live) && live >= 0) eds['live_time'] = live;
  const realTime = dv.getFloat64(0x10a, true);
  // The parameters, when the footer holds them (a plausible voltage says it does).
  const p = bytes.length - PARAMETERS;
  if (p >= end) {
    const f64 = (at: number): number => dv.getFloat64(p + at, true);
    const beam = f64(AT.beam);
    if (Number.isFinite(beam) && beam > 0 && beam <= 1000) {
      tem['beam_energy'] = beam;
      const detector = latin1(bytes.subarray(p + AT.detector, p + AT.detector + 16)).split(
        '\0',
      )[0]!;
      if (detector !== '') eds['detector_type'] = detector;
      const angle = (v: number): boolean => Number.isFinite(v) && Math.abs(v) <= 360;
      if (angle(f64(AT.azimuth))) eds['azimuth_angle'] = f64(AT.azimuth);
      if (angle(f64(AT.elevation))) eds['elevation_angle'] = f64(AT.elevation);
      const res = f64(AT.resolution);
      if (Number.isFinite(res) && res > 0) eds['energy_resolution_MnKa'] = res;
    }
  }
  if (Object.keys(eds).length > 0) tem['Detector'] = { EDS: eds };
  return signalFromFile(name, {
    data,
    dtype: 'int32',
    axes: [{ name: 'Energy', size: channels, offset, scale, units: 'keV', navigate: false }],
    title: 'EDX',
    signalType: 'EDS_TEM',
    metadata: {
      General: { original_filename: name, title: 'EDX' },
      Signal: { quantity: 'X-rays (Counts)' },
      Acquisition_instrument: { TEM: tem },
      original_metadata: Number.isFinite(realTime) ? { real_time: realTime } : {},
    },
  });
}
