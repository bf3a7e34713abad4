/**
 * Bruker Esprit .spx: one EDS (or XRF) spectrum as an XML document: a
 * TRTSpectrum class instance with the acquisition headers, the calibration
 * (TRTSpectrumHeader) and the counts as comma-separated integers. Read as
 * HyperSpy 1.7.3 reads it: uint64 counts, the energy axis in keV, the
 * microscope, detector, live and real time, and the elements selected.
 */
import type { Signal } from '../../model/signal.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import { xmlChild, xmlChildText, xmlChildren } from '../xml.js';
import { elementSymbol } from './elements.js';
import {
  classOf,
  classes,
  edsDetector,
  microscopeKind,
  parseHeaderXml,
  spectrumBeamEnergy,
  spectrumHeader,
  spectrumOriginalMetadata,
} from './header.js';
import { webInflate, type Inflate } from './sfs.js';
import { elementTree, headerNumber, mergedTrees } from './tree.js';

export interface SpxOptions {
  /** zlib inflating (for the detector's layer list). @default webInflate */
  inflate?: Inflate;
}

export async function readSpx(
  bytes: Uint8Array,
  fileName: string,
  options: SpxOptions = {},
): Promise<Signal> {
  const root = parseHeaderXml(bytes, fileName, 'the spectrum');
  const spectrum = root.attributes['Type'] === 'TRTSpectrum' ? root : classOf(root, 'TRTSpectrum');
  if (root.name !== 'TRTSpectrum' || !spectrum) {
    throw new FileFormatError(fileName, 'not a Bruker .spx spectrum (no TRTSpectrum)');
  }
  const s = spectrumHeader(spectrum, fileName, 'the spectrum');
  const channelsText = xmlChildText(spectrum, 'Channels');
  if (channelsText === undefined)
    throw new FileFormatError(fileName, 'the spectrum has no Channels');
  const items = channelsText.split(',').map((t) => t.trim());
  while (items.length > 0 && items[items.length - 1] === '') items.pop();
  if (items.length === 0) throw new FileFormatError(fileName, 'the spectrum has no channels');
  const data = new BigUint64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const t = items[i]!;
    if (!/^\d{1,19}$/.test(t) || BigInt(t) > 0xffffffffffffffffn) {
      throw new FileFormatError(fileName, `channel ${i}: '${t.slice(0, 20)}' is not a count`);
    }
    data[i] = BigInt(t);
  }

  const beamEnergy = spectrumBeamEnergy(s);
  const kind = microscopeKind(beamEnergy);
  const realMs = headerNumber(xmlChildText(s.hardware, 'RealTime'));
  const liveMs = headerNumber(xmlChildText(s.hardware, 'LifeTime'));
  const times: { realTime?: number; liveTime?: number } = {};
  if (realMs !== undefined) times.realTime = realMs / 1000;
  if (liveMs !== undefined) times.liveTime = liveMs / 1000;
  const block: Record<string, unknown> = { Detector: { EDS: edsDetector(s, times) } };
  if (beamEnergy !== undefined) block['beam_energy'] = beamEnergy;
  block['Stage'] = { tilt_alpha: 0 };
  const general: Record<string, unknown> = { original_filename: fileName };
  if (s.date) general['date'] = s.date;
  if (s.time) general['time'] = s.time;
  const sample: Record<string, unknown> = {};
  const name = spectrum.attributes['Name'];
  if (name !== undefined) sample['name'] = name;
  const elementList = classOf(spectrum, 'TRTPSEElementList');
  const selected = classes(xmlChild(elementList, 'ChildClassInstances'), 'TRTPSEElement');
  if (elementList) {
    sample['elements'] = selected
      .map((e) => elementSymbol(headerNumber(xmlChildText(e, 'Element')) ?? 0))
      .filter((x): x is string => x !== undefined);
  }
  const original = await spectrumOriginalMetadata(s, options.inflate ?? webInflate);
  for (const r of xmlChildren(spectrum, 'ClassInstance')) {
    if (r.attributes['Type'] === 'TRTResult' && r.attributes['Name'] === 'Results') {
      original['Results'] = elementTree(r);
    }
  }
  if (selected.length > 0) original['Selected_elements'] = mergedTrees(selected);
  return signalFromFile(fileName, {
    data,
    dtype: 'uint64',
    axes: [
      {
        name: 'Energy',
        size: data.length,
        offset: s.offset,
        scale: s.scale,
        units: 'keV',
        navigate: false,
        isBinned: true,
      },
    ],
    title: 'EDX',
    signalType: `EDS_${kind}`,
    metadata: {
      General: general,
      Signal: { quantity: 'X-rays (Counts)' },
      Acquisition_instrument: { [kind]: block },
      Sample: sample,
      original_metadata: original,
    },
  });
}
