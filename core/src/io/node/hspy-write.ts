/**
 * Writing a signal and its models as a HyperSpy file (format 3.1, the one
 * HyperSpy 1.7 writes), atomically: the file goes to a temporary name in the
 * same directory and is renamed over the target only once complete, so a
 * reader never sees half a file. Our readers hold no file open after they
 * return, so a file that was just read can be written over.
 */
import type { AxisSpec } from '../../model/axis.js';
import type { Model } from '../../model/model.js';
import { edsSampleMetadata } from '../../eds/eds-model.js';
import { writeFileAtomic } from './read-file.js';
import type { Signal } from '../../model/signal.js';
import { encodeHdf5, type H5Dataset, type H5Group } from './hspy-hdf5.js';
import { modelGroup } from './hspy-model-write.js';
import { F64, attr, dataset, encodeTree, group, leBytes, numericDataset } from './hspy-tree.js';

/** HyperSpy names a signal's group after its title, '/' replaced by '-'. */
export function experimentName(signal: Signal): string {
  const name = signal.title.replaceAll('/', '-');
  return name === '' || name === '.' ? '__unnamed__' : name;
}

/**
 * An axis's group. Uniform: HyperSpy's UniformDataAxis attributes. Non-uniform:
 * a `DataAxis` as HyperSpy 1.7 writes one (name, units, navigate, is_binned
 * attributes, no offset, scale or size, and the values in an `axis` dataset).
 */
function axisGroup(a: AxisSpec, navigate: boolean): H5Group {
  const uniform = a.values === undefined;
  const attrs = [attr.str('_type', uniform ? 'UniformDataAxis' : 'DataAxis')];
  // HyperSpy leaves an unset name or units out.
  if (a.name !== '') attrs.push(attr.str('name', a.name));
  if (a.units !== '') attrs.push(attr.str('units', a.units));
  if (a.values !== undefined) {
    attrs.push(attr.bool('navigate', navigate), attr.bool('is_binned', a.isBinned ?? false));
    return group(attrs, [['axis', dataset(F64, [a.size], leBytes(a.values))]]);
  }
  attrs.push(
    attr.f64('offset', a.offset),
    attr.f64('scale', a.scale),
    attr.i64('size', a.size),
    attr.bool('navigate', navigate),
    attr.bool('is_binned', a.isBinned ?? false),
  );
  return group(attrs);
}

/** Per axis in data order: whether it navigates in HyperSpy's sense (an image has two signal axes). */
function navigateFlags(signal: Signal): boolean[] {
  const image = signal.metadata['signalDimension'] === 2;
  return signal.axes.map((a, i) => (image ? i < signal.axes.length - 2 : a.navigate));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** The variance as one value per data element (HyperSpy's variance signal has the data's shape). */
function varianceValues(signal: Signal): Float64Array {
  const n = signal.channels;
  const out = new Float64Array(signal.data.length);
  const spectrum = new Float64Array(n);
  const v = new Float64Array(n);
  for (let pixel = 0; pixel < signal.navigationSize; pixel++) {
    signal.readSpectrum(pixel, spectrum);
    signal.readVariance(pixel, spectrum, v);
    out.set(v, pixel * n);
  }
  return out;
}

/**
 * `metadata`: the signal's metadata tree with title, signal type and
 * record_by from the Signal and the noise description from its variance.
 */
function metadataGroup(
  signal: Signal,
  navigate: readonly boolean[],
  metadata: Record<string, unknown> = signal.metadata,
): H5Group {
  const tree = structuredClone(metadata);
  delete tree['signalDimension'];
  delete tree['original_metadata'];
  const general = isRecord(tree['General']) ? tree['General'] : {};
  general['title'] = signal.title;
  tree['General'] = general;
  const sig = isRecord(tree['Signal']) ? tree['Signal'] : {};
  sig['signal_type'] = signal.signalType;
  sig['record_by'] = navigate.filter((n) => !n).length === 2 ? 'image' : 'spectrum';
  delete sig['binned']; // format 3 keeps it on the axes
  const noise = isRecord(sig['Noise_properties']) ? sig['Noise_properties'] : {};
  delete noise['variance'];
  delete noise['Variance_linear_model'];
  sig['Noise_properties'] = noise;
  tree['Signal'] = sig;
  const variance = signal.variance;
  if (variance.kind === 'constant') noise['variance'] = variance.value;
  if (variance.kind === 'poisson') {
    noise['Variance_linear_model'] = {
      correlation_factor: 1,
      gain_factor: variance.gain,
      gain_offset: variance.offset,
      // Ours: lets our reader recognise the variance signal below as this estimate.
      samfire_floor: variance.floor,
    };
  }
  if (Object.keys(noise).length === 0) delete sig['Noise_properties'];
  const g = encodeTree(tree);
  if (variance.kind === 'array' || variance.kind === 'poisson') {
    // HyperSpy fits with a variance signal only, so a Poisson estimate is written out in full too.
    const values = varianceValues(signal);
    const axes = signal.axes.map((a, i): [string, H5Group] => [
      String(i),
      axisGroup(a, navigate[i]!),
    ]);
    const varianceSignal = group(
      [],
      [
        ['data', dataset(F64, signal.shape, leBytes(values))],
        [`_list_${axes.length}_axes`, group([], axes)],
        ['attributes', group([attr.bool('_lazy', false), attr.bool('ragged', false)])],
        ['learning_results', group()],
        [
          'metadata',
          encodeTree({
            General: { title: `Variance of ${signal.title}` },
            Signal: { signal_type: '' },
          }),
        ],
        ['original_metadata', group()],
        ['tmp_parameters', group()],
      ],
    );
    const sigGroup = g.children.get('Signal') as H5Group;
    let noiseGroup = sigGroup.children.get('Noise_properties') as H5Group | undefined;
    if (noiseGroup === undefined) {
      noiseGroup = group();
      sigGroup.children.set('Noise_properties', noiseGroup);
    }
    noiseGroup.children.set('_sig_variance', varianceSignal);
  }
  return g;
}

/** What the file's reader kept of its own header (metadata.original_metadata), for HyperSpy's original_metadata. */
function originalMetadata(signal: Signal): Record<string, unknown> {
  const o = signal.metadata['original_metadata'];
  return isRecord(o) ? o : {};
}

function signalGroup(signal: Signal, models: readonly Model[] = []): H5Group {
  const navigate = navigateFlags(signal);
  // An EDS model's elements and lines, as HyperSpy's EDS signals list them in Sample.
  const sample = edsSampleMetadata(signal.metadata, models);
  const metadata = sample
    ? {
        ...signal.metadata,
        Sample: {
          ...(isRecord(signal.metadata['Sample']) ? signal.metadata['Sample'] : {}),
          ...sample,
        },
      }
    : signal.metadata;
  const children: [string, H5Group | H5Dataset][] = signal.axes.map((a, i) => [
    `axis-${i}`,
    axisGroup(a, navigate[i]!),
  ]);
  children.push(
    ['data', numericDataset(signal.data, signal.shape, signal.dtype)],
    ['learning_results', group()],
    ['metadata', metadataGroup(signal, navigate, metadata)],
    ['original_metadata', encodeTree(originalMetadata(signal))],
  );
  return group([], children);
}

function checkModels(signal: Signal, models: Readonly<Record<string, Model>>): void {
  for (const [name, model] of Object.entries(models)) {
    if (name === '' || name.includes('/') || name === '.') {
      throw new Error(
        `model name '${name}' cannot be stored in an HDF5 file (empty, '.' or containing '/')`,
      );
    }
    const a = model.signal.shape.join('x');
    const b = signal.shape.join('x');
    if (model.signal !== signal && a !== b) {
      throw new Error(
        `model '${name}' belongs to a signal of shape ${a}, not the one written (${b})`,
      );
    }
  }
}

/** The whole file as an HDF5 tree. */
export function hspyTree(
  signal: Signal,
  models: Readonly<Record<string, Model>> = {},
  now = new Date(),
  /** Per model name, further string attributes of its group (see modelGroup). */
  modelAttributes: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): H5Group {
  checkModels(signal, models);
  const name = experimentName(signal);
  const root = group(
    [attr.str('file_format', 'HyperSpy'), attr.str('file_format_version', '3.1')],
    [['Experiments', group([], [[name, signalGroup(signal, Object.values(models))]])]],
  );
  const entries = Object.entries(models);
  if (entries.length > 0) {
    const stored = entries.map(([n, m]): [string, H5Group] => [
      n,
      modelGroup(m, n, name, now, modelAttributes[n] ?? {}),
    ]);
    root.children.set('Analysis', group([], [['models', group([], stored)]]));
  }
  return root;
}

/**
 * Writes `signal` and `models` (by name) to `path` as a HyperSpy file that
 * HyperSpy 1.7 loads, models restorable with `s.models.restore(name)`.
 * Atomic: the old file stays intact until the new one is complete.
 */
export async function writeHspy(
  path: string,
  signal: Signal,
  models: Readonly<Record<string, Model>> = {},
  modelAttributes: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeHdf5(hspyTree(signal, models, new Date(), modelAttributes)));
}
