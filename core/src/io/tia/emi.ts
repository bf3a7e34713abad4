/**
 * FEI TIA .emi: the project file beside the .ser series (`NAME_1.ser`,
 * `NAME_2.ser`, ...). Its binary object tree is not needed: the calibration
 * is in the .ser files, and the acquisition metadata is in the XML
 * `<ObjectInfo>` documents embedded in it, one per data object, in the order
 * of the series. Mapped as HyperSpy 1.7.3 maps them: the date of the first
 * object, and for the i-th series the microscope (beam energy, mode,
 * magnification, camera length, stage), the user and the camera of the
 * i-th object.
 */
import { latin1 } from '../binary.js';
import { parseXml, xmlChild, xmlChildText, xmlChildren, type XmlElement } from '../xml.js';

export interface EmiObject {
  /** The parsed <ObjectInfo>, or undefined when it is not well-formed. */
  xml: XmlElement | undefined;
}

/** The <ObjectInfo> documents of an .emi file, in file order. */
export function emiObjects(bytes: Uint8Array): EmiObject[] {
  const text = latin1(bytes);
  const out: EmiObject[] = [];
  const open = '<ObjectInfo>';
  const close = '</ObjectInfo>';
  let at = text.indexOf(open);
  while (at >= 0) {
    const end = text.indexOf(close, at);
    if (end < 0) break;
    const doc = text.slice(at, end + close.length);
    let xml: XmlElement | undefined;
    try {
      xml = parseXml(doc);
    } catch {
      xml = undefined;
    }
    out.push({ xml });
    at = text.indexOf(open, end);
  }
  return out;
}

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/** "Mon Feb 22 19:20:24 2016" as ISO date and time. */
export function tiaDate(text: string | undefined): { date: string; time: string } | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}:\d{2}:\d{2})\s+(\d{4})\s*$/.exec(text);
  const month = m ? MONTHS[m[1]!] : undefined;
  if (!m || month === undefined) return undefined;
  return { date: `${m[4]}-${month}-${m[2]!.padStart(2, '0')}`, time: m[3]! };
}

/** Label -> value of ExperimentalDescription/Root/Data. */
function description(info: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  const root = xmlChild(xmlChild(info, 'ExperimentalDescription'), 'Root');
  for (const d of xmlChildren(root, 'Data')) {
    const label = xmlChildText(d, 'Label');
    const value = xmlChildText(d, 'Value');
    if (label !== undefined && value !== undefined) out.set(label, value);
  }
  return out;
}

function number(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

/** A plain tree of an XML element (text leaves), for original_metadata. */
function tree(el: XmlElement): unknown {
  if (el.children.length === 0) return el.text;
  const out: Record<string, unknown> = {};
  for (const c of el.children) {
    const v = tree(c);
    if (c.name in out) {
      const prev = out[c.name];
      out[c.name] = Array.isArray(prev) ? [...(prev as unknown[]), v] : [prev, v];
    } else out[c.name] = v;
  }
  return out;
}

/** The metadata of the `index`-th series (0 for NAME_1.ser) of an .emi with these objects. */
export function emiMetadata(objects: readonly EmiObject[], index: number): Record<string, unknown> {
  const general: Record<string, unknown> = { title: '' };
  const first = objects[0]?.xml;
  const when = tiaDate(first ? xmlChildText(first, 'AcquireDate') : undefined);
  if (when) {
    general['date'] = when.date;
    general['time'] = when.time;
  }
  const metadata: Record<string, unknown> = { General: general };
  const info = objects[index]?.xml;
  if (!info) return metadata;
  metadata['original_metadata'] = { ObjectInfo: tree(info) };
  const d = description(info);
  const user = d.get('User');
  if (user !== undefined) general['authors'] = user;
  const voltage = number(
    xmlChildText(
      xmlChild(xmlChild(info, 'ExperimentalConditions'), 'MicroscopeConditions'),
      'AcceleratingVoltage',
    ),
  );
  if (voltage === undefined && d.size === 0) return metadata;
  const tem: Record<string, unknown> = {};
  if (voltage !== undefined) tem['beam_energy'] = voltage / 1000;
  const microscope = d.get('Microscope');
  if (microscope !== undefined) tem['microscope'] = microscope.replace(/^Microscope\s+/, '');
  const mode = d.get('Mode');
  if (mode !== undefined) tem['acquisition_mode'] = mode.includes('STEM') ? 'STEM' : 'TEM';
  const cameraLength = number(d.get('Camera length'));
  if (cameraLength !== undefined) tem['camera_length'] = cameraLength * 1000;
  const magnification = number(d.get('Magnification'));
  if (magnification !== undefined) tem['magnification'] = magnification;
  const acquire = xmlChild(info, 'AcquireInfo');
  const camera: Record<string, unknown> = {};
  const cameraName = xmlChildText(acquire, 'CameraNamePath');
  if (cameraName !== undefined) camera['Name'] = cameraName;
  const dwell = xmlChildText(acquire, 'DwellTimePath');
  if (dwell !== undefined) camera['exposure'] = dwell;
  if (Object.keys(camera).length > 0) tem['Detector'] = { Camera: camera };
  const stage: Record<string, unknown> = {};
  const stageKeys: [string, string, number][] = [
    ['Stage A', 'tilt_alpha', 1],
    ['Stage B', 'tilt_beta', 1],
    ['Stage X', 'x', 1e-3],
    ['Stage Y', 'y', 1e-3],
    ['Stage Z', 'z', 1e-3],
  ];
  for (const [label, key, factor] of stageKeys) {
    const v = number(d.get(label));
    if (v !== undefined) stage[key] = v * factor;
  }
  if (Object.keys(stage).length > 0) tem['Stage'] = stage;
  metadata['Acquisition_instrument'] = { TEM: tem };
  return metadata;
}
