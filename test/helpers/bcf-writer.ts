/**
 * A test-only writer of synthetic Bruker .bcf hypermaps, in the packings of
 * the real files (12-bit pulse lists, or instructive packing with extra
 * pulses), inside an AidAim SFS container with AACS zlib blocks (or stored),
 * with a HeaderData XML document like Esprit's: for large-file tests and the
 * I/O benchmark, and as a second reference (HyperSpy reads these files too).
 * Written from the layout the readers' comments describe; it shares no code
 * with them. The counts are drawn from a seeded generator (peaks on a
 * background, intensity varying over the map), so every file is reproducible.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { mulberry32 } from './random.js';

export interface SyntheticBcf {
  height: number;
  width: number;
  /** Channels of the spectra (and of the header's calibration). @default 2048 */
  channels?: number;
  /** 'pulses': 12-bit pulse lists (flag 1); 'instructive': flag 2, some counts as extra pulses. */
  packing: 'pulses' | 'instructive';
  /** Mean counts per pixel. */
  counts: number;
  /** Every `emptyEvery`-th pixel holds no counts (and is left out of its line). 0: none. */
  emptyEvery?: number;
  /** Store the internal files zlib-compressed in AACS blocks. @default true */
  compress?: boolean;
  seed?: number;
  /** Add a BSE image plane. @default true */
  image?: boolean;
  /** Chunk size of the container. @default 4096 */
  chunkSize?: number;
  /**
   * Hypermaps (SpectrumData0, 1, ...: one per detector), each drawn with its
   * own seed (seed + 100 i) and its own offset (OFFSET_KEV - 0.01 i). @default 1
   */
  detectors?: number;
}

export interface SyntheticInfo {
  /** Bytes of the file. */
  bytes: number;
  /** The decoded cube's size in bytes at the dtype HyperSpy (and we) choose. */
  cubeBytes: number;
  dtype: 'uint8' | 'uint16' | 'uint32';
  /** Sum of all counts, and the largest count of one channel of one pixel. */
  total: number;
  max: number;
  /** A weighted sum of the counts (see cubeChecksum): the cube is never held here. */
  checksum: number;
  /** The same statistics of every hypermap (the fields above are those of the first). */
  maps: { dtype: SyntheticInfo['dtype']; total: number; max: number; checksum: number }[];
}

export const OFFSET_KEV = -0.472;
export const SCALE_KEV = 0.01;

class ByteWriter {
  parts: Uint8Array[] = [];
  length = 0;
  #buf = new Uint8Array(1 << 16);
  #at = 0;
  #ensure(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    this.flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(n);
  }
  flush(): void {
    if (this.#at === 0) return;
    this.parts.push(this.#buf.slice(0, this.#at));
    this.#at = 0;
  }
  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.#at++] = v & 0xff;
    this.length++;
  }
  u16(v: number): void {
    this.#ensure(2);
    this.#buf[this.#at++] = v & 0xff;
    this.#buf[this.#at++] = (v >>> 8) & 0xff;
    this.length += 2;
  }
  u32(v: number): void {
    this.#ensure(4);
    for (let k = 0; k < 4; k++) this.#buf[this.#at++] = (v >>> (8 * k)) & 0xff;
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
    this.length += b.length;
  }
  done(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.length = 0;
    return out;
  }
}

/** The spectrum shape: a few Gaussian peaks (channels) on a falling background, as a cumulative table. */
function channelTable(channels: number): Uint16Array {
  const density = new Float64Array(channels);
  const peaks = [
    [47, 3, 4],
    [100, 4, 1.5],
    [175, 5, 1],
    [222, 5, 2.5],
    [420, 7, 1.2],
    [500, 7, 1.6],
    [690, 8, 0.7],
    [850, 9, 0.4],
  ].filter(([c]) => c! < channels);
  for (let c = 0; c < channels; c++) {
    let d = c > 40 ? (0.6 * Math.exp(-c / 600)) / 60 : 0;
    for (const [mu, sd, a] of peaks) d += (a! * Math.exp(-0.5 * ((c - mu!) / sd!) ** 2)) / sd!;
    density[c] = d;
  }
  let sum = 0;
  for (const d of density) sum += d;
  const table = new Uint16Array(65536);
  let acc = 0;
  let c = 0;
  for (let i = 0; i < table.length; i++) {
    const target = ((i + 0.5) / table.length) * sum;
    while (c < channels - 1 && acc + density[c]! < target) acc += density[c++]!;
    table[i] = c;
  }
  return table;
}

/** Instructions for counts c[0..n): zero runs, then groups packed as nibbles, bytes or uint16s over a base. */
function instructive(w: ByteWriter, c: Uint32Array, n: number): void {
  let i = 0;
  while (i < n) {
    if (c[i] === 0) {
      let j = i;
      while (j < n && c[j] === 0 && j - i < 255) j++;
      w.u8(0);
      w.u8(j - i);
      i = j;
      continue;
    }
    let j = i;
    while (j < n && j - i < 16 && !(c[j] === 0 && c[j + 1] === 0)) j++;
    let min = Infinity;
    let max = 0;
    // Grow the group while its counts stay within 16 bits of each other (one channel always does).
    for (let k = i; k < j; k++) {
      const lo = Math.min(min, c[k]!);
      const hi = Math.max(max, c[k]!);
      if (k > i && hi - lo > 0xffff) {
        j = k;
        break;
      }
      min = lo;
      max = hi;
    }
    const count = j - i;
    if (max - min < 16 && min < 256) {
      w.u8(1);
      w.u8(count);
      w.u8(min);
      for (let k = 0; k < count; k += 2) {
        const lo = c[i + k]! - min;
        const hi = k + 1 < count ? c[i + k + 1]! - min : 0;
        w.u8(lo | (hi << 4));
      }
    } else if (max - min < 256 && min < 65536) {
      w.u8(2);
      w.u8(count);
      w.u16(min);
      for (let k = 0; k < count; k++) w.u8(c[i + k]! - min);
    } else {
      w.u8(4);
      w.u8(count);
      w.u32(min);
      if (max - min > 0xffff)
        throw new Error('instructive packing: counts too far apart in a group');
      for (let k = 0; k < count; k++) w.u16(c[i + k]! - min);
    }
    i = j;
  }
}

/** The hypermap stream, its sum spectrum and its statistics. */
function hypermap(spec: SyntheticBcf): {
  stream: Uint8Array;
  sum: Float64Array;
  total: number;
  max: number;
  checksum: number;
} {
  const { height, width, packing } = spec;
  const channels = spec.channels ?? 2048;
  const rand = mulberry32(spec.seed ?? 1);
  const table = channelTable(channels);
  const share = new Float64Array(channels);
  for (let k = 0; k < table.length; k++) share[table[k]!]! += 1 / table.length;
  const w = new ByteWriter();
  w.u32(height);
  w.u32(width);
  w.u32(Math.max(4096, channels));
  w.u32(1);
  while (w.length < 0x1a0) w.u8(0);
  const sum = new Float64Array(channels);
  const counts = new Uint32Array(channels);
  const pulses = new Uint16Array(65535);
  let total = 0;
  let max = 0;
  let checksum = 0;
  const record = new ByteWriter();
  for (let y = 0; y < height; y++) {
    const line = new ByteWriter();
    let stored = 0;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (spec.emptyEvery && p % spec.emptyEvery === spec.emptyEvery - 1) continue;
      // Intensity varies over the map (two grains and a gradient).
      const f = 0.5 + 0.5 * Math.sin(x / 17) * Math.cos(y / 23) + 0.3 * (x / width);
      const mean = Math.max(1, spec.counts * Math.max(0.2, f));
      const n = Math.min(
        packing === 'pulses' ? 43000 : 1 << 30,
        Math.round(mean * (0.9 + 0.2 * rand())),
      );
      counts.fill(0);
      let top = 0;
      if (packing === 'pulses') {
        for (let k = 0; k < n; k++) {
          const ch = table[(rand() * 65536) | 0]!;
          pulses[k] = ch;
          counts[ch]!++;
          if (ch >= top) top = ch + 1;
        }
      } else {
        // Dense counts, drawn per channel (no pulse list): the expected share, stochastically rounded.
        for (let ch = 0; ch < channels; ch++) counts[ch] = Math.floor(share[ch]! * n + rand());
        for (let ch = 0; ch < channels; ch++) if (counts[ch]! > 0) top = ch + 1;
      }
      let pixelTotal = 0;
      for (let ch = 0; ch < top; ch++) {
        const v = counts[ch]!;
        sum[ch]! += v;
        pixelTotal += v;
        if (v > max) max = v;
        checksum = (checksum + v * ((p % 1009) + 1) * ((ch % 97) + 1)) % 2147483647;
      }
      if (pixelTotal === 0) continue;
      total += pixelTotal;
      stored++;
      record.u32(x);
      record.u16(top);
      if (packing === 'pulses') {
        const words = Math.ceil((n * 12) / 16);
        record.u16(0);
        record.u32(0x000c0000);
        record.u16(1);
        record.u16(0);
        record.u16(n);
        record.u16(words * 2);
        record.u16(0);
        // 12-bit values as a bit string, most significant bit first, over uint16 words.
        const packed = new Uint16Array(words);
        for (let k = 0; k < n; k++) {
          const bit = k * 12;
          const wi = bit >> 4;
          const off = bit & 15;
          const v = pulses[k]!;
          if (off <= 4) packed[wi]! |= v << (4 - off);
          else {
            packed[wi]! |= v >> (off - 4);
            packed[wi + 1]! |= (v << (20 - off)) & 0xffff;
          }
        }
        for (let k = 0; k < words; k++) record.u16(packed[k]!);
      } else {
        // About one count in fifty (at most 500) goes to the extra pulse list.
        const extras: number[] = [];
        for (let ch = 0; ch < top && extras.length < 500; ch++) {
          if (counts[ch]! > 0 && rand() < 0.02) {
            counts[ch]!--;
            extras.push(ch);
          }
        }
        const ins = new ByteWriter();
        instructive(ins, counts, top);
        const body = ins.done();
        record.u16(top);
        record.u32(0x000c0000);
        record.u16(2);
        record.u16(body.length + 4);
        record.u16(extras.length);
        record.u16(body.length + 4);
        record.u16(0);
        record.bytes(body);
        record.u32(2 * extras.length);
        for (const ch of extras) record.u16(ch);
      }
      line.bytes(record.done());
    }
    w.u32(stored);
    w.bytes(line.done());
  }
  return { stream: w.done(), sum, total, max, checksum };
}

function aacs(data: Uint8Array): Uint8Array {
  const block = 0x80000;
  const parts: Uint8Array[] = [];
  const head = new Uint8Array(0x80);
  const dv = new DataView(head.buffer);
  head.set([0x41, 0x41, 0x43, 0x53]);
  dv.setUint32(4, block, true);
  const blocks = Math.ceil(data.length / block);
  dv.setUint32(12, blocks, true);
  dv.setUint32(16, 0x40000000, true);
  dv.setUint32(20, 1, true);
  parts.push(head);
  let at = 0x80;
  for (let k = 0; k < blocks; k++) {
    const raw = data.subarray(k * block, Math.min(data.length, (k + 1) * block));
    const z = deflateSync(raw);
    const h = new Uint8Array(16);
    const hv = new DataView(h.buffer);
    hv.setUint32(0, z.length, true);
    hv.setUint32(4, raw.length, true);
    hv.setUint32(8, 0, true);
    at += 16 + z.length;
    hv.setUint32(12, at, true);
    parts.push(h, new Uint8Array(z.buffer, z.byteOffset, z.length));
  }
  const out = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The detector's layers: a small XML document, zlib-compressed and base64-encoded, as Esprit stores it. */
const DET_LAYERS = deflateSync(
  Buffer.from(
    '<DetLayers><Layer0 Atom="13" Thickness="5E-3"/><Layer1 Atom="7" Thickness="8.5E-2"/></DetLayers>',
    'latin1',
  ),
).toString('base64');

function spectrumXml(i: number, sum: Float64Array, channels: number): string {
  return (
    `<SpectrumData${i}>` +
    '<ClassInstance Type="TRTSpectrum"><TRTHeaderedClass>' +
    '<ClassInstance Type="TRTSpectrumHardwareHeader"><TRTKnownHeader><Type>RTHardware</Type><Size>137</Size></TRTKnownHeader>' +
    '<ZeroPeakPosition>95</ZeroPeakPosition><ZeroPeakFrequency>66666</ZeroPeakFrequency><Amplification>2E4</Amplification><ShapingTime>275000</ShapingTime></ClassInstance>' +
    '<ClassInstance Type="TRTDetectorHeader"><TRTKnownHeader><Type>RTDetector</Type><Version>5</Version><Size>9932</Size></TRTKnownHeader>' +
    '<Technology>SDDpr</Technology><Serial>1234</Serial><Type>XFlash 6|30</Type><DetectorThickness>0.45</DetectorThickness>' +
    '<SiDeadLayerThickness>0.029</SiDeadLayerThickness>' +
    `<DetLayers>${DET_LAYERS}</DetLayers>` +
    '<WindowType>slew AP3.3</WindowType><WindowLayers><Layer0 Atom="5" Thickness="1.3E-2"/>' +
    '<Layer1 Atom="14" Thickness="3.8E2" RelativeArea="2.3E-1"/></WindowLayers></ClassInstance>' +
    '<ClassInstance Type="TRTESMAHeader"><TRTKnownHeader><Type>RTESMA</Type><Size>662</Size></TRTKnownHeader>' +
    '<PrimaryEnergy>2E1</PrimaryEnergy><ElevationAngle>3.5E1</ElevationAngle><AzimutAngle>4.5E1</AzimutAngle></ClassInstance>' +
    '</TRTHeaderedClass><ClassInstance Type="TRTSpectrumHeader"><Size>82</Size><Date>1.2.2024</Date><Time>10:0:0</Time>' +
    `<ChannelCount>${channels}</ChannelCount><CalibAbs>${OFFSET_KEV - 0.01 * i}</CalibAbs><CalibLin>${SCALE_KEV}</CalibLin>` +
    '<SigmaAbs>3E-4</SigmaAbs><SigmaLin>4.5E-4</SigmaLin></ClassInstance>' +
    `<Channels>${Array.from(sum).join(',')}</Channels></ClassInstance></SpectrumData${i}>`
  );
}

function xmlHeader(spec: SyntheticBcf, spectra: readonly Float64Array[]): Uint8Array {
  const { height, width } = spec;
  const channels = spec.channels ?? 2048;
  const lc = Array.from({ length: height }, () => '1').join(',');
  let image = '';
  if (spec.image ?? true) {
    const px = new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) px[y * width + x] = 20000 + ((x * 37 + y * 91) % 4000);
    }
    const b64 = Buffer.from(px.buffer).toString('base64');
    image =
      `<ClassInstance Type="TRTImageData"><TRTHeaderedClass/><ItemSize>2</ItemSize><Width>${width}</Width>` +
      `<Height>${height}</Height><PlaneCount>1</PlaneCount><MultiImage>0</MultiImage>` +
      `<XCalibration>0</XCalibration><YCalibration>0</YCalibration><Date>1.2.2024</Date><Time>10:0:0</Time>` +
      `<ImageRect/><Plane0><Description>BSE</Description><LineCounter>${lc}</LineCounter>` +
      `<Data>${b64}</Data><Size>${width * height * 2}</Size></Plane0><PhaseCount>0</PhaseCount></ClassInstance>`;
  }
  const regions = [
    ['Si', 14, 'KA', 1.7396],
    ['Fe', 26, 'KA', 6.4],
    ['O', 8, 'K', 0.5249],
  ]
    .map(
      ([n, z, l, e]) =>
        `<ClassInstance Type="TRTSpectrumRegion" Name="${n}"><Element>${z}</Element><Line>${l}</Line>` +
        `<Energy>${e}</Energy><Width>1.2E-1</Width><ProcWidth>8.7E-1</ProcWidth><Description>${n}-${l}</Description><Color>255</Color></ClassInstance>`,
    )
    .join('');
  const xml =
    '<?xml version="1.0" encoding="WINDOWS-1252" standalone="yes"?>' +
    '<TRTSpectrumDatabase><RTHeader/><ClassInstance Type="TRTSpectrumDatabase" Name="synthetic map">' +
    '<Header><Date>1.2.2024</Date><Time>10:0:0</Time><FileVersion>1</FileVersion></Header>' +
    '<ClassInstance Type="TRTSEMData"><HV>20</HV><WD>10</WD><Mag>1000</Mag><DX>2.5E-1</DX><DY>2.5E-1</DY><Flags>16776960</Flags></ClassInstance>' +
    '<ClassInstance Type="TRTSEMStageData"><X>100,5</X><Y>200</Y><Z>30</Z><Rotation>0</Rotation><State>7936</State></ClassInstance>' +
    `<ClassInstance Type="TRTDSPConfiguration"><ImageWidth>${width}</ImageWidth><ImageHeight>${height}</ImageHeight>` +
    '<PixelAverage>1</PixelAverage><LineAverage>1</LineAverage><SEBitCount>12</SEBitCount><ChannelCount>1</ChannelCount>' +
    '<Channel0>1</Channel0><ChannelName0>BSE</ChannelName0><CounterIndex>0</CounterIndex><CounterChannelUsed>0</CounterChannelUsed>' +
    '<TiltAngle>0</TiltAngle><CounterMode>0</CounterMode><PixelTime>10</PixelTime></ClassInstance>' +
    image +
    '<ClassInstance Type="TRTContainerClass" Name="synthetic map"><ChildClassInstances>' +
    '<ClassInstance Type="TRTElementInformationList" Name="Element information"><TRTPSEElementList/>' +
    `<ClassInstance Type="TRTSpectrumRegionList" Name="Regions"><ChildClassInstances>${regions}</ChildClassInstances></ClassInstance>` +
    '</ClassInstance></ChildClassInstances></ClassInstance>' +
    `<LineCounter>${lc}</LineCounter><ChCount>4096</ChCount><DetectorCount>${spectra.length}</DetectorCount>` +
    spectra.map((_, i) => `<ChannelFactor${i}>2</ChannelFactor${i}>`).join('') +
    spectra.map((sum, i) => spectrumXml(i, sum, channels)).join('') +
    '</ClassInstance></TRTSpectrumDatabase>';
  return new Uint8Array(Buffer.from(xml, 'latin1'));
}

/** The SFS container holding `files` under EDSDatabase/, handed to `sink` chunk by chunk. */
function writeSfs(
  sink: (bytes: Uint8Array) => void,
  files: readonly { name: string; data: Uint8Array }[],
  chunkSize: number,
): number {
  const usable = chunkSize - 32;
  // Chunk 0: the header; then the tree (chained chunks); then each file's table chunks and data chunks.
  const perTreeChunk = Math.floor(usable / 0x200);
  const treeChunks = Math.ceil((files.length + 1) / perTreeChunk);
  let next = 1 + treeChunks;
  const layout = files.map((f) => {
    const pieces = Math.ceil(f.data.length / usable);
    const tableChunks = Math.max(1, Math.ceil((pieces * 4) / usable));
    const table = next;
    next += tableChunks;
    const first = next;
    next += pieces;
    return { ...f, pieces, tableChunks, table, first };
  });
  const total = next;
  const header = new Uint8Array(0x118 + chunkSize);
  const hv = new DataView(header.buffer);
  header.set(Buffer.from('AAMVHFSS', 'latin1'));
  hv.setUint32(8, 0xfffffffe, true);
  hv.setUint32(12, 0x7fffffff, true);
  header.set(Buffer.from('AASFSSGN', 'latin1'), 0x118);
  hv.setFloat32(0x120, 2.6, true);
  hv.setFloat32(0x124, 2.6, true);
  hv.setUint32(0x128, chunkSize, true);
  hv.setUint32(0x12c, 8, true);
  for (let k = 0; k < 4; k++) hv.setUint32(0x130 + 4 * k, 1, true);
  hv.setUint32(0x140, 1, true);
  hv.setUint32(0x144, files.length + 1, true);
  hv.setUint32(0x148, total, true);
  let written = 0;
  const put = (b: Uint8Array): void => {
    sink(b);
    written += b.length;
  };
  put(header);
  const filetime = 133500000000000000n;
  const item = (
    table: number,
    size: number,
    parent: number,
    dir: boolean,
    name: string,
  ): Uint8Array => {
    const b = new Uint8Array(0x200);
    const v = new DataView(b.buffer);
    v.setUint32(0, table, true);
    v.setBigUint64(4, BigInt(size), true);
    for (let k = 0; k < 3; k++) v.setBigUint64(12 + 8 * k, filetime, true);
    v.setUint32(36, dir ? 16 : 0, true);
    v.setInt32(40, parent, true);
    b[220] = dir ? 1 : 0;
    b.set(Buffer.from(name, 'latin1'), 224);
    return b;
  };
  const items = [
    item(0xffffffff, 0, -1, true, 'EDSDatabase'),
    ...layout.map((f) => item(f.table, f.data.length, 0, false, f.name)),
  ];
  for (let t = 0; t < treeChunks; t++) {
    const tree = new Uint8Array(chunkSize);
    new DataView(tree.buffer).setUint32(0, t + 1 < treeChunks ? 2 + t : 0xffffffff, true);
    items
      .slice(t * perTreeChunk, (t + 1) * perTreeChunk)
      .forEach((b, k) => tree.set(b, 32 + 0x200 * k));
    put(tree);
  }
  for (const f of layout) {
    for (let t = 0; t < f.tableChunks; t++) {
      const c = new Uint8Array(chunkSize);
      const cv = new DataView(c.buffer);
      cv.setUint32(0, t + 1 < f.tableChunks ? f.table + t + 1 : 0xffffffff, true);
      const per = usable / 4;
      for (let k = 0; k < per && t * per + k < f.pieces; k++) {
        cv.setUint32(32 + 4 * k, f.first + t * per + k, true);
      }
      put(c);
    }
    for (let k = 0; k < f.pieces; k++) {
      const c = new Uint8Array(chunkSize);
      new DataView(c.buffer).setUint32(0, 0xffffffff, true);
      c.set(f.data.subarray(k * usable, Math.min(f.data.length, (k + 1) * usable)), 32);
      put(c);
    }
  }
  return written;
}

/** Writes the synthetic map to `path`; returns its sizes and statistics. */
export function writeSyntheticBcf(path: string, spec: SyntheticBcf): SyntheticInfo {
  const chunkSize = spec.chunkSize ?? 4096;
  if (chunkSize % 4 !== 0 || chunkSize < 1024)
    throw new Error('chunk size: a multiple of 4 from 1024');
  const maps = Array.from({ length: spec.detectors ?? 1 }, (_, i) =>
    hypermap({ ...spec, seed: (spec.seed ?? 1) + 100 * i }),
  );
  const header = xmlHeader(
    spec,
    maps.map((m) => m.sum),
  );
  const compress = spec.compress ?? true;
  const files = [
    { name: 'HeaderData', data: compress ? aacs(header) : header },
    ...maps.map((m, i) => ({
      name: `SpectrumData${i}`,
      data: compress ? aacs(m.stream) : m.stream,
    })),
  ];
  const map = maps[0]!;
  const fd = openSync(path, 'w');
  let bytes: number;
  try {
    bytes = writeSfs(
      (b) => {
        for (let at = 0; at < b.length;) at += writeSync(fd, b, at, b.length - at);
      },
      files,
      chunkSize,
    );
  } finally {
    closeSync(fd);
  }
  const dtypeOf = (max: number): SyntheticInfo['dtype'] =>
    max <= 0xff ? 'uint8' : max <= 0xffff ? 'uint16' : 'uint32';
  const dtype = dtypeOf(map.max);
  const size = dtype === 'uint8' ? 1 : dtype === 'uint16' ? 2 : 4;
  return {
    bytes,
    cubeBytes: spec.height * spec.width * (spec.channels ?? 2048) * size,
    dtype,
    total: map.total,
    max: map.max,
    checksum: map.checksum,
    maps: maps.map((m) => ({
      dtype: dtypeOf(m.max),
      total: m.total,
      max: m.max,
      checksum: m.checksum,
    })),
  };
}

/** The same weighted checksum over a decoded cube (height x width x channels). */
export function cubeChecksum(data: ArrayLike<number>, channels: number): number {
  let checksum = 0;
  const pixels = data.length / channels;
  for (let p = 0; p < pixels; p++) {
    for (let ch = 0; ch < channels; ch++) {
      const v = data[p * channels + ch]!;
      if (v !== 0) checksum = (checksum + v * ((p % 1009) + 1) * ((ch % 97) + 1)) % 2147483647;
    }
  }
  return checksum;
}

/**
 * An SFS container (in memory) holding `files` (stored as given) under
 * EDSDatabase/: e.g. a real map's HeaderData and SpectrumData0 stored
 * uncompressed, so that mutations reach the XML and the hypermap directly.
 */
export function sfsBytes(
  files: readonly { name: string; data: Uint8Array }[],
  chunkSize = 4096,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const n = writeSfs((b) => parts.push(b.slice()), files, chunkSize);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
