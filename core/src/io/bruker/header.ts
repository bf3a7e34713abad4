/**
 * The header of a Bruker Esprit hypermap (.bcf 'EDSDatabase/HeaderData', an
 * XML document) and the parts of a .spx spectrum it shares: what the
 * microscope and detector recorded, the energy calibration of each hypermap
 * (`SpectrumData0`, `SpectrumData1`, ... for several detectors), the
 * elements chosen, and the electron images (SE, BSE, HAADF...) stored as
 * base64 planes. Also the HyperSpy metadata trees built from them, with
 * HyperSpy's names, so a signal saved to .hspy has them where HyperSpy and
 * its EDS tools look.
 */
import { FileFormatError } from '../errors.js';
import {
  decodeXmlBytes,
  parseXml,
  XmlError,
  xmlChild,
  xmlChildren,
  xmlChildText,
  type XmlElement,
} from '../xml.js';
import { elementSymbol } from './elements.js';
import type { Inflate } from './sfs.js';
import { elementTree, headerNumber, headerValue } from './tree.js';

/** Parses XML bytes, a malformed document becoming a FileFormatError naming the file. */
export function parseHeaderXml(bytes: Uint8Array, fileName: string, what: string): XmlElement {
  try {
    return parseXml(decodeXmlBytes(bytes));
  } catch (err) {
    if (err instanceof XmlError) {
      throw new FileFormatError(fileName, `${what}: malformed XML: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** The ClassInstance children of `el` of type `type` (and, optionally, name). */
export function classes(el: XmlElement | undefined, type: string, name?: string): XmlElement[] {
  return xmlChildren(el, 'ClassInstance').filter(
    (c) => c.attributes['Type'] === type && (name === undefined || c.attributes['Name'] === name),
  );
}

export function classOf(el: XmlElement | undefined, type: string): XmlElement | undefined {
  return classes(el, type)[0];
}

// --- base64 ----------------------------------------------------------------------

const B64 = new Int16Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .forEach((ch, i) => (B64[ch.charCodeAt(0)] = i));

/** Decodes base64 text (whitespace ignored); undefined if it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let n = 0;
  let acc = 0;
  let bits = 0;
  let padding = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d /* = */) {
      padding = true;
      continue;
    }
    if (c <= 0x20) continue;
    const v = c < 256 ? B64[c]! : -1;
    if (v < 0 || padding) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

// --- dates -----------------------------------------------------------------------

/** Bruker's 'd.m.yyyy' as ISO 'yyyy-mm-dd'. */
export function isoDate(text: string | undefined): string | undefined {
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

/** Bruker's 'h:m:s' as 'hh:mm:ss'. */
export function isoTime(text: string | undefined): string | undefined {
  const m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  return [m[1]!, m[2]!, m[3]!].map((s) => s.padStart(2, '0')).join(':');
}

// --- spectrum headers --------------------------------------------------------------

/** What a hypermap's (or a .spx's) TRTSpectrum says about its channels and detector. */
export interface SpectrumHeader {
  /** The TRTSpectrum ClassInstance. */
  element: XmlElement;
  channels: number;
  /** keV of channel 0. */
  offset: number;
  /** keV per channel. */
  scale: number;
  date?: string;
  time?: string;
  hardware?: XmlElement;
  detector?: XmlElement;
  esma?: XmlElement;
  xrf?: XmlElement;
  /** The TRTSpectrumHeader ClassInstance. */
  header: XmlElement;
}

export function spectrumHeader(
  spectrum: XmlElement,
  fileName: string,
  what: string,
): SpectrumHeader {
  const headered = xmlChild(spectrum, 'TRTHeaderedClass');
  const header = classOf(spectrum, 'TRTSpectrumHeader');
  if (!header) throw new FileFormatError(fileName, `${what}: no TRTSpectrumHeader (calibration)`);
  const channels = headerNumber(xmlChildText(header, 'ChannelCount'));
  const offset = headerNumber(xmlChildText(header, 'CalibAbs'));
  const scale = headerNumber(xmlChildText(header, 'CalibLin'));
  if (
    channels === undefined ||
    !Number.isSafeInteger(channels) ||
    channels < 1 ||
    channels > 1 << 20
  ) {
    throw new FileFormatError(
      fileName,
      `${what}: invalid channel count '${xmlChildText(header, 'ChannelCount') ?? '(none)'}'`,
    );
  }
  if (offset === undefined || scale === undefined || scale === 0) {
    throw new FileFormatError(
      fileName,
      `${what}: invalid energy calibration (CalibAbs '${xmlChildText(header, 'CalibAbs') ?? ''}', CalibLin '${xmlChildText(header, 'CalibLin') ?? ''}')`,
    );
  }
  const out: SpectrumHeader = { element: spectrum, channels, offset, scale, header };
  const date = isoDate(xmlChildText(header, 'Date'));
  const time = isoTime(xmlChildText(header, 'Time'));
  if (date) out.date = date;
  if (time) out.time = time;
  const set = (key: 'hardware' | 'detector' | 'esma' | 'xrf', type: string): void => {
    const c = classOf(headered, type);
    if (c) out[key] = c;
  };
  set('hardware', 'TRTSpectrumHardwareHeader');
  set('detector', 'TRTDetectorHeader');
  set('esma', 'TRTESMAHeader');
  set('xrf', 'TRTXrfHeader');
  return out;
}

/** DetLayers is a base64 zlib-compressed XML document of its own; HyperSpy shows its layers' attributes as text. */
async function detLayers(el: XmlElement, inflate: Inflate): Promise<unknown> {
  const packed = decodeBase64(el.text.trim());
  if (!packed || packed.length < 2) return headerValue(el.text);
  try {
    // The inflated size is not stored; the layer lists are a few hundred bytes.
    const xml = await inflate(packed, 1 << 20);
    const root = parseXml(decodeXmlBytes(xml));
    const out: Record<string, unknown> = {};
    for (const layer of root.children) out[layer.name] = { ...layer.attributes };
    return out;
  } catch {
    return headerValue(el.text);
  }
}

/** Hardware, Detector, Analysis and Spectrum: HyperSpy's original_metadata of a spectrum's headers. */
export async function spectrumOriginalMetadata(
  s: SpectrumHeader,
  inflate: Inflate,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (s.hardware) out['Hardware'] = elementTree(s.hardware);
  if (s.detector) {
    const replace = new Map<XmlElement, unknown>();
    for (const d of xmlChildren(s.detector, 'DetLayers'))
      replace.set(d, await detLayers(d, inflate));
    out['Detector'] = elementTree(s.detector, { replace });
  }
  if (s.esma) out['Analysis'] = elementTree(s.esma);
  else if (s.xrf) {
    // An XRF spectrum: HyperSpy describes the excitation as the analysis.
    out['Analysis'] = {
      PrimaryEnergy: headerValue(xmlChildText(s.xrf, 'Voltage') ?? ''),
      ElevationAngle: headerValue(xmlChildText(s.xrf, 'ExcitationAngle') ?? ''),
    };
  }
  out['Spectrum'] = elementTree(s.header);
  return out;
}

/** Beam energy in keV: the ESMA header's primary energy, or an XRF tube's voltage. */
export function spectrumBeamEnergy(s: SpectrumHeader): number | undefined {
  return (
    headerNumber(xmlChildText(s.esma, 'PrimaryEnergy')) ??
    headerNumber(xmlChildText(s.xrf, 'Voltage'))
  );
}

/** The EDS detector block of HyperSpy's metadata (with HyperSpy's defaults for what the file lacks). */
export function edsDetector(
  s: SpectrumHeader,
  times: { realTime?: number; liveTime?: number },
): Record<string, unknown> {
  const eds: Record<string, unknown> = {};
  const elevation =
    headerNumber(xmlChildText(s.esma, 'ElevationAngle')) ??
    headerNumber(xmlChildText(s.xrf, 'ExcitationAngle'));
  eds['elevation_angle'] = elevation ?? 35;
  const type = xmlChildText(s.detector, 'Type');
  if (type !== undefined && type !== '') eds['detector_type'] = type;
  eds['azimuth_angle'] = headerNumber(xmlChildText(s.esma, 'AzimutAngle')) ?? 0;
  if (times.realTime !== undefined) eds['real_time'] = times.realTime;
  if (times.liveTime !== undefined) eds['live_time'] = times.liveTime;
  // The file stores the resolution as SigmaAbs/SigmaLin (kept in original_metadata);
  // HyperSpy sets its default of 130 eV at Mn Ka, and so do we, so that fits start alike.
  eds['energy_resolution_MnKa'] = 130;
  return eds;
}

/** HyperSpy files a microscope above 30 kV under TEM, otherwise under SEM. */
export function microscopeKind(beamEnergy: number | undefined): 'SEM' | 'TEM' {
  return beamEnergy !== undefined && beamEnergy > 30 ? 'TEM' : 'SEM';
}

// --- the .bcf header -------------------------------------------------------------------

export interface BrukerImage {
  title: string;
  width: number;
  height: number;
  dtype: 'uint8' | 'uint16' | 'uint32';
  /** Little-endian pixel bytes, row by row. */
  bytes: Uint8Array;
  /** µm per pixel, when the image (or the microscope) records it. */
  xScale?: number;
  yScale?: number;
}

export interface BcfHeader {
  /** The TRTSpectrumDatabase ClassInstance. */
  database: XmlElement;
  sampleName?: string;
  date?: string;
  time?: string;
  sem?: XmlElement;
  stage?: XmlElement;
  dsp?: XmlElement;
  beamEnergy?: number;
  magnification?: number;
  /** µm per pixel of the scan (TRTSEMData DX, DY). */
  dx?: number;
  dy?: number;
  /** Counts of frames per line (LineCounter), for the real time. */
  lineCounter: number[];
  /** The TRTSpectrum of each hypermap by index (SpectrumData0, SpectrumData1...). */
  hypermaps: Map<number, XmlElement>;
  /** Elements and X-ray lines of the region list. */
  elements: string[];
  xrayLines: string[];
  images: BrukerImage[];
}

const ITEM_DTYPES: Readonly<Record<number, BrukerImage['dtype']>> = {
  1: 'uint8',
  2: 'uint16',
  4: 'uint32',
};

function imagePlanes(
  image: XmlElement,
  sem: { dx?: number; dy?: number },
  fileName: string,
): BrukerImage[] {
  const width = headerNumber(xmlChildText(image, 'Width'));
  const height = headerNumber(xmlChildText(image, 'Height'));
  const itemSize = headerNumber(xmlChildText(image, 'ItemSize'));
  if (width === undefined || height === undefined || itemSize === undefined) return [];
  const dtype = ITEM_DTYPES[itemSize];
  if (
    dtype === undefined ||
    !Number.isSafeInteger(width) ||
    !Number.isSafeInteger(height) ||
    width < 1 ||
    height < 1
  ) {
    return [];
  }
  const xCal = headerNumber(xmlChildText(image, 'XCalibration'));
  const yCal = headerNumber(xmlChildText(image, 'YCalibration'));
  const xScale = xCal !== undefined && xCal !== 0 ? xCal : sem.dx;
  const yScale = yCal !== undefined && yCal !== 0 ? yCal : sem.dy;
  const out: BrukerImage[] = [];
  const planes = image.children.filter((c) => /^Plane\d+$/.test(c.name));
  for (const plane of planes) {
    const data = xmlChild(plane, 'Data');
    if (!data) continue;
    const bytes = decodeBase64(data.text);
    const need = width * height * itemSize;
    if (!bytes) throw new FileFormatError(fileName, `image ${plane.name}: its data are not base64`);
    if (bytes.length < need) {
      throw new FileFormatError(
        fileName,
        `image '${xmlChildText(plane, 'Description') ?? plane.name}': ${bytes.length} bytes of data for ${width} x ${height} pixels of ${itemSize} bytes`,
      );
    }
    // Detectors not in use leave an empty (all-zero) plane: HyperSpy skips them, and so do we.
    let any = false;
    for (let i = 0; i < need && !any; i++) any = bytes[i] !== 0;
    if (!any) continue;
    const title = xmlChildText(plane, 'Description') ?? xmlChildText(plane, 'Name') ?? plane.name;
    const img: BrukerImage = { title, width, height, dtype, bytes: bytes.slice(0, need) };
    if (xScale !== undefined) img.xScale = xScale;
    if (yScale !== undefined) img.yScale = yScale;
    out.push(img);
  }
  return out;
}

/** Bruker's line names (KA, K, LA, MA, LB1...) as HyperSpy's (Ka, Ka, La, Ma, Lb1). */
function xrayLine(line: string): string {
  const t = line.trim();
  if (t === '') return '';
  const rest = t.slice(1).toLowerCase();
  return t[0]!.toUpperCase() + (rest === '' ? 'a' : rest);
}

export function parseBcfHeader(bytes: Uint8Array, fileName: string): BcfHeader {
  const root = parseHeaderXml(bytes, fileName, 'HeaderData');
  const database =
    classOf(root, 'TRTSpectrumDatabase') ??
    (root.attributes['Type'] === 'TRTSpectrumDatabase' ? root : undefined);
  if (!database) {
    throw new FileFormatError(fileName, 'HeaderData holds no TRTSpectrumDatabase');
  }
  const sem = classOf(database, 'TRTSEMData');
  const stage = classOf(database, 'TRTSEMStageData');
  const dsp = classOf(database, 'TRTDSPConfiguration');
  const h: BcfHeader = {
    database,
    lineCounter: [],
    hypermaps: new Map(),
    elements: [],
    xrayLines: [],
    images: [],
  };
  const name = database.attributes['Name'];
  if (name !== undefined) h.sampleName = name;
  const head = xmlChild(database, 'Header');
  const date = isoDate(xmlChildText(head, 'Date'));
  const time = isoTime(xmlChildText(head, 'Time'));
  if (date) h.date = date;
  if (time) h.time = time;
  if (sem) h.sem = sem;
  if (stage) h.stage = stage;
  if (dsp) h.dsp = dsp;
  const hv = headerNumber(xmlChildText(sem, 'HV'));
  const mag = headerNumber(xmlChildText(sem, 'Mag'));
  const dx = headerNumber(xmlChildText(sem, 'DX'));
  const dy = headerNumber(xmlChildText(sem, 'DY'));
  if (hv !== undefined) h.beamEnergy = hv;
  if (mag !== undefined) h.magnification = mag;
  if (dx !== undefined && dx > 0) h.dx = dx;
  if (dy !== undefined && dy > 0) h.dy = dy;
  const lc = headerValue(xmlChildText(database, 'LineCounter') ?? '');
  h.lineCounter = (Array.isArray(lc) ? lc : [lc]).filter((v): v is number => typeof v === 'number');
  for (const c of database.children) {
    const m = /^SpectrumData(\d+)$/.exec(c.name);
    const spectrum = m ? classOf(c, 'TRTSpectrum') : undefined;
    if (m && spectrum) h.hypermaps.set(Number(m[1]), spectrum);
  }
  // Elements: the region list of the map (HyperSpy sorts them, and the lines). A file
  // may also keep the lists of line scans and point spectra ('LineElements', 'PointElements').
  const lists = xmlFindClasses(database, 'TRTElementInformationList');
  const mapList = lists.find((l) => l.attributes['Name'] === 'MapElements') ?? lists[0];
  const regions = mapList ? xmlFindClasses(mapList, 'TRTSpectrumRegion') : [];
  const elements = new Set<string>();
  const lines = new Set<string>();
  for (const r of regions) {
    const z = headerNumber(xmlChildText(r, 'Element'));
    const symbol = z === undefined ? undefined : elementSymbol(z);
    if (!symbol) continue;
    elements.add(symbol);
    const line = xrayLine(xmlChildText(r, 'Line') ?? '');
    if (line !== '') lines.add(`${symbol}_${line}`);
  }
  h.elements = [...elements].sort();
  h.xrayLines = [...lines].sort();
  // Electron images: the map's own (unnamed; 'Counter' and 'PixelTimes' are not images), then overviews.
  const semScale = { ...(h.dx ? { dx: h.dx } : {}), ...(h.dy ? { dy: h.dy } : {}) };
  for (const img of classes(database, 'TRTImageData')) {
    if (img.attributes['Name'] === undefined)
      h.images.push(...imagePlanes(img, semScale, fileName));
  }
  for (const container of xmlFindClasses(database, 'TRTContainerClass')) {
    if (container.attributes['Name'] !== 'OverviewImages') continue;
    for (const img of classes(xmlChild(container, 'ChildClassInstances'), 'TRTImageData')) {
      h.images.push(...imagePlanes(img, semScale, fileName));
    }
  }
  return h;
}

/** Every ClassInstance of `type` below `el`, in document order. */
function xmlFindClasses(el: XmlElement, type: string): XmlElement[] {
  const out: XmlElement[] = [];
  const todo = [...el.children].reverse();
  while (todo.length > 0) {
    const e = todo.pop()!;
    if (e.name === 'ClassInstance' && e.attributes['Type'] === type) out.push(e);
    for (let k = e.children.length - 1; k >= 0; k--) todo.push(e.children[k]!);
  }
  return out;
}

/** The Stage block of HyperSpy's metadata from TRTSEMStageData. */
export function stageMetadata(stage: XmlElement | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (key: string, tag: string): void => {
    const v = headerNumber(xmlChildText(stage, tag));
    if (v !== undefined) out[key] = v;
  };
  put('rotation', 'Rotation');
  put('tilt_alpha', 'Tilt');
  put('x', 'X');
  put('y', 'Y');
  put('z', 'Z');
  return out;
}

/** Microscope, DSP Configuration and Stage: HyperSpy's original_metadata of a map's images. */
export function imageOriginalMetadata(h: BcfHeader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h.sem) out['Microscope'] = elementTree(h.sem);
  if (h.dsp) out['DSP Configuration'] = elementTree(h.dsp);
  if (h.stage) out['Stage'] = elementTree(h.stage);
  return out;
}

/**
 * Seconds the beam spent on the map: frames per line (LineCounter) x pixels
 * per line x pixel and line averaging x pixel time (µs). What HyperSpy
 * reports as the real time of a hypermap.
 */
export function mapRealTime(h: BcfHeader, width: number): number | undefined {
  const pixelTime = headerNumber(xmlChildText(h.dsp, 'PixelTime'));
  const pixelAverage = headerNumber(xmlChildText(h.dsp, 'PixelAverage')) ?? 1;
  const lineAverage = headerNumber(xmlChildText(h.dsp, 'LineAverage')) ?? 1;
  if (pixelTime === undefined || h.lineCounter.length === 0) return undefined;
  const frames = h.lineCounter.reduce((a, b) => a + b, 0);
  return (frames * width * pixelAverage * lineAverage * pixelTime) / 1e6;
}
