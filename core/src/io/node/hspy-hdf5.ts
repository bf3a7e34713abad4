/**
 * A small HDF5 writer for the subset HyperSpy files use: groups, attributes
 * and contiguous datasets of integers, floats, h5py booleans, UTF-8
 * variable-length strings and compounds (with array members).
 *
 * Why not h5wasm, which reads these files: h5wasm 0.10 cannot create enum
 * or array datatypes, and HyperSpy 1.7 refuses anything but a real h5py
 * boolean (an enum FALSE/TRUE over int8) for `navigate`, `active`, `free` and
 * friends, and its Polynomial map needs array members.
 *
 * The layout is the oldest one every HDF5 library reads (HDF5 1.10 through
 * h5py in particular): superblock version 0, version 1 object headers, groups
 * as symbol tables (a version 1 B-tree over symbol nodes, names in a local
 * heap), variable-length strings in global heap collections. Metadata come
 * first, raw data blocks last, each written once: the returned chunks
 * reference the callers' arrays rather than copying them.
 */
import {
  ByteWriter,
  GlobalHeap,
  containsVstr,
  dataspaceBytes,
  elementCount,
  pad8,
  paddedName,
  textEncoder,
  typeBytes,
  typeSize,
  type H5Attribute,
  type H5Data,
  type H5Dataset,
  type H5Group,
  type H5Node,
  type H5Type,
  type HeapRef,
} from './hspy-hdf5-bytes.js';

export type {
  H5Attribute,
  H5Data,
  H5Dataset,
  H5Group,
  H5Member,
  H5Node,
  H5Type,
} from './hspy-hdf5-bytes.js';
export { memberOffsets, typeSize } from './hspy-hdf5-bytes.js';

const UNDEFINED_ADDRESS = 0xffffffffffffffffn;
/** Terminator of a local heap's free list (HDF5's H5HL_FREE_NULL). */
const FREE_LIST_END = 1n;
/** Symbols per symbol-table node: 2 * LEAF_K. */
const LEAF_K = 4;
const MIN_INTERNAL_K = 16;
const SYMBOL_ENTRY_SIZE = 40;
const MAX_MESSAGE_SIZE = 0xffff;

const MSG_DATASPACE = 0x0001;
const MSG_DATATYPE = 0x0003;
const MSG_FILL_VALUE = 0x0005;
const MSG_LAYOUT = 0x0008;
const MSG_ATTRIBUTE = 0x000c;
const MSG_SYMBOL_TABLE = 0x0011;

/** Strings of a `vstr` value; raw bytes of anything else, checked against its shape. */
function checkData(type: H5Type, shape: readonly number[], data: H5Data, what: string): void {
  const count = elementCount(shape);
  if (type.class === 'vstr') {
    if (data instanceof Uint8Array || data.length !== count) {
      throw new Error(`${what}: expected ${count} strings`);
    }
    return;
  }
  if (containsVstr(type)) throw new Error(`${what}: strings inside compounds are not supported`);
  if (!(data instanceof Uint8Array) || data.length !== count * typeSize(type)) {
    throw new Error(`${what}: expected ${count * typeSize(type)} bytes of data`);
  }
}

interface Placed {
  address: number;
  size: number;
}

interface GroupLayout {
  header: Placed;
  btree: Placed;
  heap: Placed;
  snods: Placed[];
  /** Children sorted by name (bytes), with their heap offsets. */
  entries: { name: string; node: H5Node; heapOffset: number }[];
  heapData: Uint8Array;
}

interface DatasetLayout {
  header: Placed;
  raw: Placed;
}

/** Byte order of names as HDF5 compares them (strcmp on UTF-8). */
function compareNames(a: string, b: string): number {
  const x = textEncoder.encode(a);
  const y = textEncoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Encodes `root` as an HDF5 file. Returns the file as consecutive chunks
 * (metadata, then each dataset's raw bytes as given), to be written in order.
 */
export function encodeHdf5(root: H5Group): Uint8Array[] {
  const heap = new GlobalHeap();
  const refs = new Map<H5Attribute | H5Dataset, HeapRef[]>();
  const groups = new Map<H5Group, GroupLayout>();
  const datasets = new Map<H5Dataset, DatasetLayout>();

  // Pass 1: check the values, register strings, size every group's names.
  let maxSnods = 1;
  const visit = (node: H5Node, path: string): void => {
    for (const a of node.attrs) {
      checkData(a.type, a.shape, a.data, `${path} attribute '${a.name}'`);
      if (a.type.class === 'vstr')
        refs.set(
          a,
          (a.data as readonly string[]).map((s) => heap.add(s)),
        );
    }
    if (node.kind === 'dataset') {
      checkData(node.type, node.shape, node.data, `dataset ${path}`);
      if (node.type.class === 'vstr') {
        refs.set(
          node,
          (node.data as readonly string[]).map((s) => heap.add(s)),
        );
      }
      return;
    }
    const names = [...node.children.keys()].sort(compareNames);
    for (const name of names) {
      if (name === '' || name.includes('/') || name === '.') {
        throw new Error(`${path}: '${name}' is not a valid HDF5 name`);
      }
    }
    maxSnods = Math.max(maxSnods, Math.ceil(names.length / (2 * LEAF_K)));
    for (const name of names)
      visit(node.children.get(name)!, `${path === '/' ? '' : path}/${name}`);
  };
  visit(root, '/');
  const internalK = Math.max(MIN_INTERNAL_K, Math.ceil(maxSnods / 2));
  const btreeSize = 24 + (2 * internalK + 1) * 8 + 2 * internalK * 8;
  const snodSize = 8 + 2 * LEAF_K * SYMBOL_ENTRY_SIZE;

  // Pass 2: place every object. Metadata first (superblock at 0), raw data last.
  let cursor = 96;
  const place = (size: number): Placed => {
    const p = { address: cursor, size };
    cursor += pad8(size);
    return p;
  };
  const attrMessages = (attrs: readonly H5Attribute[]): number =>
    attrs.reduce((n, a) => n + 8 + pad8(attributeMessage(a, refs.get(a), [], true).length), 0);

  const layout = (node: H5Node): void => {
    if (node.kind === 'dataset') {
      const messages =
        8 +
        pad8(dataspaceBytes(node.shape).length) +
        8 +
        pad8(typeBytes(node.type).length) +
        8 +
        8 + // fill value
        8 +
        24 + // layout
        attrMessages(node.attrs);
      datasets.set(node, { header: place(16 + messages), raw: { address: 0, size: 0 } });
      return;
    }
    const sorted = [...node.children.entries()].sort(([a], [b]) => compareNames(a, b));
    const heapWriter = new ByteWriter();
    heapWriter.zeros(8); // offset 0: the empty name, key 0 of the B-tree
    const entries = sorted.map(([name, child]) => {
      const heapOffset = heapWriter.length;
      heapWriter.bytes(paddedName(name));
      return { name, node: child, heapOffset };
    });
    const heapData = heapWriter.result();
    const header = place(16 + 8 + 16 + attrMessages(node.attrs));
    const btree = place(btreeSize);
    const heapPlaced = place(32 + heapData.length);
    const snods: Placed[] = [];
    for (let i = 0; i < entries.length; i += 2 * LEAF_K) snods.push(place(snodSize));
    groups.set(node, { header, btree, heap: heapPlaced, snods, entries, heapData });
    for (const e of entries) layout(e.node);
  };
  layout(root);

  const collectionAddresses = heap.collections.map(
    (_c, i) => place(heap.collectionSize(i)).address,
  );
  const metadataEnd = cursor;
  const rawChunks: Uint8Array[] = [];
  for (const [node, l] of datasets) {
    const bytes =
      node.type.class === 'vstr'
        ? vlenData(refs.get(node)!, collectionAddresses)
        : (node.data as Uint8Array);
    if (bytes.length > 0) {
      l.raw = { address: cursor, size: bytes.length };
      rawChunks.push(bytes);
      const padding = pad8(bytes.length) - bytes.length;
      if (padding > 0) rawChunks.push(new Uint8Array(padding));
      cursor += pad8(bytes.length);
    } else {
      l.raw = { address: -1, size: 0 };
    }
  }
  const endOfFile = cursor;

  // Pass 3: encode the metadata block.
  const meta = new Uint8Array(metadataEnd);
  const put = (p: Placed, bytes: Uint8Array): void => {
    if (bytes.length > p.size)
      throw new Error(`internal: object of ${bytes.length} bytes in ${p.size}`);
    meta.set(bytes, p.address);
  };
  const rootLayout = groups.get(root)!;
  put({ address: 0, size: 96 }, superblock(rootLayout, endOfFile, internalK));
  for (const [node, l] of groups) {
    const w = new ByteWriter();
    const messages: Uint8Array[] = [
      message(
        MSG_SYMBOL_TABLE,
        new ByteWriter().u64(l.btree.address).u64(l.heap.address).result(),
        0,
      ),
    ];
    for (const a of node.attrs) {
      messages.push(
        message(MSG_ATTRIBUTE, attributeMessage(a, refs.get(a), collectionAddresses, false), 0),
      );
    }
    objectHeader(w, messages);
    put(l.header, w.result());
    put(l.btree, btreeNode(l, internalK, btreeSize));
    put(l.heap, localHeap(l));
    l.snods.forEach((p, i) => {
      const slice = l.entries.slice(i * 2 * LEAF_K, (i + 1) * 2 * LEAF_K);
      put(p, symbolNode(slice, groups, datasets, snodSize));
    });
  }
  for (const [node, l] of datasets) {
    const layoutMsg = new ByteWriter()
      .u8(3)
      .u8(1)
      .u64(l.raw.address < 0 ? UNDEFINED_ADDRESS : l.raw.address)
      .u64(l.raw.size)
      .result();
    const messages = [
      message(MSG_DATASPACE, dataspaceBytes(node.shape), 1),
      message(MSG_DATATYPE, typeBytes(node.type), 1),
      // Fill value version 2: allocation late, write if set, defined with the default (size 0).
      message(MSG_FILL_VALUE, Uint8Array.of(2, 2, 2, 1, 0, 0, 0, 0), 1),
      message(MSG_LAYOUT, layoutMsg, 0),
      ...node.attrs.map((a) =>
        message(MSG_ATTRIBUTE, attributeMessage(a, refs.get(a), collectionAddresses, false), 0),
      ),
    ];
    const w = new ByteWriter();
    objectHeader(w, messages);
    put(l.header, w.result());
  }
  heap.collections.forEach((_c, i) =>
    put({ address: collectionAddresses[i]!, size: heap.collectionSize(i) }, heap.encode(i)),
  );
  return [meta, ...rawChunks];
}

function superblock(root: GroupLayout, endOfFile: number, internalK: number): Uint8Array {
  const w = new ByteWriter();
  w.bytes(Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a));
  // Versions (superblock, free space, root symbol table, shared header) 0; 8-byte offsets and lengths.
  w.u8(0).u8(0).u8(0).u8(0).u8(0).u8(8).u8(8).u8(0);
  w.u16(LEAF_K).u16(internalK);
  w.u32(0); // consistency flags
  w.u64(0).u64(UNDEFINED_ADDRESS).u64(endOfFile).u64(UNDEFINED_ADDRESS);
  // Root symbol table entry, caching the root group's B-tree and heap (cache type 1).
  w.u64(0).u64(root.header.address).u32(1).u32(0).u64(root.btree.address).u64(root.heap.address);
  return w.result();
}

function message(type: number, body: Uint8Array, flags: number): Uint8Array {
  const size = pad8(body.length);
  if (size > MAX_MESSAGE_SIZE) {
    throw new Error(`an HDF5 header message of ${size} bytes exceeds the 64 KiB limit`);
  }
  const w = new ByteWriter();
  w.u16(type)
    .u16(size)
    .u8(flags)
    .zeros(3)
    .bytes(body)
    .zeros(size - body.length);
  return w.result();
}

/** Version 1 object header: 16-byte prefix, then the messages (8-byte aligned). */
function objectHeader(w: ByteWriter, messages: readonly Uint8Array[]): void {
  const size = messages.reduce((n, m) => n + m.length, 0);
  w.u8(1).u8(0).u16(messages.length).u32(1).u32(size).u32(0);
  for (const m of messages) w.bytes(m);
}

function vlenData(refs: readonly HeapRef[], collections: readonly number[]): Uint8Array {
  const w = new ByteWriter();
  for (const r of refs) w.u32(r.length).u64(collections[r.collection]!).u32(r.index);
  return w.result();
}

/**
 * Attribute message version 1. `sizing` computes the length before the
 * global heap is placed (addresses do not change the length).
 */
function attributeMessage(
  a: H5Attribute,
  refs: readonly HeapRef[] | undefined,
  collections: readonly number[],
  sizing: boolean,
): Uint8Array {
  const name = textEncoder.encode(a.name);
  const type = typeBytes(a.type);
  const space = dataspaceBytes(a.shape);
  const w = new ByteWriter();
  w.u8(1)
    .u8(0)
    .u16(name.length + 1)
    .u16(type.length)
    .u16(space.length);
  w.bytes(name).u8(0).padTo8();
  w.bytes(type).padTo8();
  w.bytes(space).padTo8();
  if (a.type.class === 'vstr') {
    const r = refs ?? [];
    w.bytes(sizing ? new Uint8Array(16 * r.length) : vlenData(r, collections));
  } else {
    w.bytes(a.data as Uint8Array);
  }
  return w.result();
}

function btreeNode(l: GroupLayout, internalK: number, size: number): Uint8Array {
  const w = new ByteWriter();
  w.bytes(textEncoder.encode('TREE')).u8(0).u8(0).u16(l.snods.length);
  w.u64(UNDEFINED_ADDRESS).u64(UNDEFINED_ADDRESS);
  // Key 0 is the empty name; key i + 1 is the last name in child i.
  w.u64(0);
  l.snods.forEach((p, i) => {
    const last = l.entries[Math.min(l.entries.length, (i + 1) * 2 * LEAF_K) - 1]!;
    w.u64(p.address).u64(last.heapOffset);
  });
  if (l.snods.length > 2 * internalK) throw new Error('internal: B-tree node overflow');
  w.zeros(size - w.length);
  return w.result();
}

function localHeap(l: GroupLayout): Uint8Array {
  const w = new ByteWriter();
  w.bytes(textEncoder.encode('HEAP')).u8(0).zeros(3);
  w.u64(l.heapData.length)
    .u64(FREE_LIST_END)
    .u64(l.heap.address + 32);
  w.bytes(l.heapData);
  return w.result();
}

function symbolNode(
  entries: readonly { node: H5Node; heapOffset: number }[],
  groups: ReadonlyMap<H5Group, GroupLayout>,
  datasets: ReadonlyMap<H5Dataset, DatasetLayout>,
  size: number,
): Uint8Array {
  const w = new ByteWriter();
  w.bytes(textEncoder.encode('SNOD')).u8(1).u8(0).u16(entries.length);
  for (const e of entries) {
    const header =
      e.node.kind === 'group' ? groups.get(e.node)!.header : datasets.get(e.node)!.header;
    // No cached scratch-pad data (cache type 0): readers open the object header.
    w.u64(e.heapOffset).u64(header.address).u32(0).u32(0).zeros(16);
  }
  w.zeros(size - w.length);
  return w.result();
}
