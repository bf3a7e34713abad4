/**
 * JEOL Analysis Station images: `.img` (electron images) and `.map` (element
 * maps). A header names the form (`JED-2200:LibJxImageForm` from byte 4) and
 * gives at bytes 0x24 and 0x2c the places of two parameter trees (the same
 * tagged items as a .pts header, each 12 bytes after its place): the first
 * describes the image (title, instrument, scan size, magnification), the
 * second holds the pixels (`Image/Size` as two 32-bit integers, width then
 * height, `Image/DataType`, and `Image/Bits`, row after row). Read as
 * HyperSpy 1.7.3 does: a uint8 image of y (rows) by x, in µm when the
 * scan size and magnification are known.
 */
import type { AxisSpec } from '../../model/axis.js';
import type { Signal } from '../../model/signal.js';
import { latin1 } from '../binary.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import { parsePtsTree, type PtsTree } from './pts.js';

/** No real image header comes near this; larger is a forged place. */
const MAX_SIDE = 16384;

const num = (tree: PtsTree, key: string): number | undefined => {
  const v = tree.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** The image of a JEOL .img or .map file (its bytes whole: such files are a few MB at most). */
export function readJeolImage(bytes: Uint8Array, name: string): Signal {
  if (bytes.length < 0x30) throw new FileFormatError(name, 'too short for a JEOL image');
  const form = latin1(bytes.subarray(4, 0x24)).split('\0')[0]!;
  if (!form.endsWith('JxImageForm')) {
    throw new FileFormatError(name, 'not a JEOL image (no JxImageForm signature)');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const treeAt = (at: number, what: string): PtsTree => {
    const start = dv.getUint32(at, true) + 12;
    if (start >= bytes.length) {
      throw new FileFormatError(name, `the ${what} at byte ${start} is outside the file`);
    }
    return parsePtsTree(bytes, name, start, (path) => path === 'Image/Bits');
  };
  const info = treeAt(0x24, 'image description');
  const pixels = treeAt(0x2c, 'image data');
  const size = pixels.get('Image/Size');
  const bits = pixels.get('Image/Bits');
  if (!(size instanceof Uint8Array) || size.length !== 8 || !(bits instanceof Uint8Array)) {
    throw new FileFormatError(
      name,
      'the image data gives no size or pixels (Image/Size, Image/Bits)',
    );
  }
  const sv = new DataView(size.buffer, size.byteOffset, 8);
  const width = sv.getUint32(0, true);
  const height = sv.getUint32(4, true);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new FileFormatError(name, `a ${width}x${height} image is not a JEOL image size`);
  }
  const type = num(pixels, 'Image/DataType');
  if (type !== 1 || bits.length !== width * height) {
    throw new FileFormatError(
      name,
      `the ${width}x${height} image holds ${bits.length} bytes of data type ${String(type)}; only 8-bit images (type 1, one byte a pixel) are read`,
    );
  }
  const data = bits.slice();
  const scanSize = num(info, 'Instrument/ScanSize');
  const magnification = num(info, 'Instrument/Mag');
  const known = scanSize !== undefined && magnification !== undefined && magnification > 0;
  const scale = known ? ((scanSize / magnification) * 1000) / width : 1;
  const units = known ? 'µm' : '';
  const axes: AxisSpec[] = [
    { name: 'y', size: height, offset: 0, scale, units, navigate: true },
    { name: 'x', size: width, offset: 0, scale, units, navigate: false },
  ];
  const titleValue = info.get('Image/Title');
  const title = typeof titleValue === 'string' ? titleValue : '';
  const tem: Record<string, unknown> = {};
  const beam = num(info, 'Instrument/AccV');
  if (beam !== undefined) tem['beam_energy'] = beam;
  if (magnification !== undefined) tem['magnification'] = magnification;
  return signalFromFile(name, {
    data,
    dtype: 'uint8',
    axes,
    title,
    signalType: '',
    metadata: {
      General: { original_filename: name, title },
      Acquisition_instrument: { TEM: tem },
      signalDimension: 2,
    },
  });
}
