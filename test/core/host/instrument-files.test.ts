/**
 * Instrument files in the host: a Bruker .bcf or Velox .emd map opens with
 * the file's electron images (BSE, SE, HAADF) as navigator alternatives to
 * the sum (not as signals to choose among); the summary carries what a fit
 * needs (beam energy, energy calibration, detector, elements, live time);
 * saving the project writes the file's original metadata, which HyperSpy
 * 1.7.3 reads back as its original_metadata.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps, readSignalFile } from '@samfire/core/node';
import { Signal } from '@samfire/core';
import { resampleImage, showsMapField } from '../../../core/src/host/acquisition.js';
import { hyperspyAvailable, hyperspyMissing, PYTHON } from '../../helpers/hyperspy-load.js';
import { extractVeloxFiles } from '../io/velox-files.js';

const BRUKER = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const BCF_30 = join(BRUKER, '30x30_instructively_packed_16bit_compressed.bcf');
const BCF_50 = join(BRUKER, 'bcf_v2_50x50px.bcf');
const tmp = mkdtempSync(join(tmpdir(), 'instrument-files-'));
let velox: { dir: string; cleanup: () => void } | null = null;
let host: Host | null = null;

beforeAll(() => {
  velox = extractVeloxFiles();
}, 120_000);
afterAll(() => {
  velox?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await host?.close();
  host = null;
});

function newHost(): Host {
  host = createHost(nodeHostDeps({ backupDir: null }));
  return host;
}

describe('electron images in the navigator', () => {
  it('a .bcf map opens at once, with its BSE image as a navigator image', async () => {
    const h = newHost();
    const r = await h.file.openPath({ path: BCF_30 });
    expect(r.kind).toBe('opened');
    if (r.kind !== 'opened') return;
    expect(r.dataset.shape).toEqual([30, 30, 2048]);
    expect(r.dataset.signalType).toBe('EDS_SEM');
    const file = await readSignalFile(BCF_30);
    const images = file.filter((s) => s.metadata['signalDimension'] === 2);
    expect(images.length).toBeGreaterThan(0);
    expect(r.dataset.images).toEqual(
      images.map((s, index) => ({ index, title: s.title, shape: [30, 30] })),
    );
    // Same grid as the map: the image itself, value for value.
    const shown = await h.dataset.image({ kind: 'image', index: 0 });
    expect(shown.label).toBe(images[0]!.title);
    expect(shown.shape).toEqual([30, 30]);
    expect(Array.from(shown.values)).toEqual(Array.from(images[0]!.data as Uint16Array));
    // The sum is still there, and a missing image is refused by name.
    expect((await h.dataset.image({ kind: 'sum' })).label).toBe('Sum');
    await expect(h.dataset.image({ kind: 'image', index: 5 })).rejects.toThrow(
      /no electron image 5: the file holds 1/,
    );
  });

  it('an overview image of a wider field is left out; the image of the map field is offered', async () => {
    const h = newHost();
    const r = await h.file.openPath({ path: BCF_50 });
    expect(r.kind).toBe('opened');
    if (r.kind !== 'opened') return;
    expect(r.dataset.navigationShape).toEqual([50, 50]);
    // The file's 1100 x 825 image spans 14 µm, the map 0.59 µm: the map lies somewhere inside it.
    const file = await readSignalFile(BCF_50);
    expect(file.filter((s) => s.metadata['signalDimension'] === 2).map((s) => s.shape)).toEqual([
      [50, 50],
      [825, 1100],
    ]);
    expect(r.dataset.images.map((i) => i.shape)).toEqual([[50, 50]]);
  });

  it('a finer image of the same field is averaged down to the map pixels, a coarser one repeated', () => {
    const axes = (rows: number, cols: number, step: number, navigate: boolean[]) => [
      { name: 'height', size: rows, scale: step, offset: 0, units: 'µm', navigate: navigate[0]! },
      { name: 'width', size: cols, scale: step, offset: 0, units: 'µm', navigate: navigate[1]! },
    ];
    const map = new Signal({
      data: new Uint16Array(2 * 3 * 4),
      axes: [
        ...axes(2, 3, 2, [true, true]),
        { name: 'E', size: 4, scale: 1, offset: 0, units: 'keV', navigate: false },
      ],
    });
    const image = (rows: number, cols: number, step: number, values: number[]) =>
      new Signal({
        data: Float64Array.from(values),
        axes: axes(rows, cols, step, [true, false]),
        metadata: { signalDimension: 2 },
      });
    // 4 x 6 at 1 µm over the 2 x 3 map at 2 µm: each map pixel the mean of a 2 x 2 block.
    const fine = image(
      4,
      6,
      1,
      Array.from({ length: 24 }, (_, i) => i),
    );
    expect(showsMapField(fine, map)).toBe(true);
    const r = (y: number, x: number) => y * 6 + x;
    const block = (y: number, x: number) =>
      (r(2 * y, 2 * x) + r(2 * y, 2 * x + 1) + r(2 * y + 1, 2 * x) + r(2 * y + 1, 2 * x + 1)) / 4;
    expect(Array.from(resampleImage(fine, 2, 3))).toEqual([
      block(0, 0),
      block(0, 1),
      block(0, 2),
      block(1, 0),
      block(1, 1),
      block(1, 2),
    ]);
    // 1 x 3 at 2 µm x ... a coarser image: each of its pixels covers two map rows.
    const coarse = new Signal({
      data: Float64Array.of(7, 8, 9),
      axes: [
        { name: 'height', size: 1, scale: 4, offset: 0, units: 'µm', navigate: true },
        { name: 'width', size: 3, scale: 2, offset: 0, units: 'µm', navigate: false },
      ],
      metadata: { signalDimension: 2 },
    });
    expect(showsMapField(coarse, map)).toBe(true);
    expect(Array.from(resampleImage(coarse, 2, 3))).toEqual([7, 8, 9, 7, 8, 9]);
    // A wider field (an overview) is not the map's.
    expect(showsMapField(image(4, 6, 5, new Array<number>(24).fill(0)), map)).toBe(false);
  });

  it('a Velox map opens with its HAADF image', async () => {
    const h = newHost();
    const path = join(velox!.dir, 'fei_SI_SuperX-HAADF_10frames_10x50.emd');
    const r = await h.file.openPath({ path });
    expect(r.kind).toBe('opened');
    if (r.kind !== 'opened') return;
    expect(r.dataset.shape).toEqual([50, 10, 4096]);
    expect(r.dataset.images).toEqual([{ index: 0, title: 'HAADF', shape: [50, 10] }]);
    const haadf = (await readSignalFile(path)).find((s) => s.title === 'HAADF')!;
    const shown = await h.dataset.image({ kind: 'image', index: 0 });
    expect(Array.from(shown.values)).toEqual(Array.from(haadf.data as Float64Array));
    expect(r.dataset.acquisition).toMatchObject({
      instrument: 'TEM',
      beamEnergy: 200,
      elevationAngle: 22,
      elements: ['Nb'],
    });
  });

  it('a file of several spectra and a map offers those only; the map chosen comes with the HAADF', async () => {
    const h = newHost();
    const r = await h.file.openPath({
      path: join(velox!.dir, 'fei_SI_EDS-HAADF-4detectors_2frames.emd'),
    });
    expect(r.kind).toBe('choose');
    if (r.kind !== 'choose') return;
    expect(r.signals.map((s) => s.shape.length)).toEqual([1, 1, 1, 1, 3]);
    const map = r.signals.at(-1)!;
    const opened = await h.file.chooseSignal({ token: r.token, index: map.index });
    expect(opened.kind === 'opened' && opened.dataset.images.map((i) => i.title)).toEqual([
      'HAADF',
    ]);
    expect(opened.kind === 'opened' && opened.dataset.acquisition.liveTime).toBeCloseTo(
      0.10840674907610726,
      12,
    );
  });

  it('a file of images only still lets the user pick one', async () => {
    const h = newHost();
    const r = await h.file.openPath({ path: join(velox!.dir, 'fei_emd_image.emd') });
    // One image: it opens (as before), with no navigator images of its own.
    if (r.kind === 'opened') expect(r.dataset.images).toEqual([]);
    else expect(r.kind).toBe('choose');
  });
});

describe('what a fit needs, and the file header', () => {
  it('the summary gives beam energy, calibration, detector, elements and times from a .bcf', async () => {
    const h = newHost();
    const r = await h.file.openPath({ path: BCF_30 });
    if (r.kind !== 'opened') throw new Error('not opened');
    expect(r.dataset.acquisition).toEqual({
      instrument: 'SEM',
      beamEnergy: 20,
      detector: 'XFlash 6|10',
      liveTime: null,
      realTime: 70.07298,
      energyResolutionMnKa: 130,
      elevationAngle: 35,
      azimuthAngle: 90,
      elements: [
        'Al',
        'C',
        'Ca',
        'Ce',
        'Fe',
        'Gd',
        'K',
        'Mg',
        'Na',
        'Nd',
        'O',
        'P',
        'Si',
        'Sm',
        'Th',
        'Ti',
      ],
      xrayLines: expect.arrayContaining(['Fe_Ka', 'Th_Ma']) as unknown as string[],
      energyCalibration: { offset: -0.47225277, scale: 0.009999, units: 'keV' },
      hasOriginalMetadata: true,
    });
    // The example has none of it, and says so.
    const ex = await h.file.openExample();
    if (ex.kind !== 'opened') throw new Error('not opened');
    expect(ex.dataset.acquisition.beamEnergy).toBeNull();
    expect(ex.dataset.acquisition.hasOriginalMetadata).toBe(false);
    expect(ex.dataset.images).toEqual([]);
  });

  it.skipIf(!hyperspyAvailable)(
    'saving the project writes the metadata and the original metadata, which HyperSpy reads',
    async () => {
      if (!hyperspyAvailable) throw new Error(hyperspyMissing);
      const h = newHost();
      await h.file.openPath({ path: BCF_30 });
      const out = join(tmp, 'map.hspy');
      await h.file.saveProjectTo({ path: out });
      const script = [
        'import json, sys, hyperspy.api as hs',
        's = hs.load(sys.argv[1])',
        'om = s.original_metadata.as_dictionary()',
        'md = s.metadata',
        'print(json.dumps({"om": om, "beam": float(md.Acquisition_instrument.SEM.beam_energy),',
        '  "elements": list(md.Sample.elements), "det": md.Acquisition_instrument.SEM.Detector.EDS.detector_type}, default=str))',
      ].join('\n');
      const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, out], {
        timeout: 120_000,
      });
      const got = JSON.parse(stdout) as {
        om: Record<string, Record<string, unknown>>;
        beam: number;
        elements: string[];
        det: string;
      };
      const map = (await readSignalFile(BCF_30)).find((s) => s.signalType === 'EDS_SEM')!;
      const original = map.metadata['original_metadata'] as Record<string, Record<string, unknown>>;
      expect(Object.keys(got.om).sort()).toEqual(Object.keys(original).sort());
      expect(got.om['Detector']!['Type']).toBe('XFlash 6|10');
      expect(Number(got.om['Hardware']!['ShapingTime'])).toBe(original['Hardware']!['ShapingTime']);
      expect(got.beam).toBe(20);
      expect(got.det).toBe('XFlash 6|10');
      expect(got.elements).toContain('Fe');
    },
    120_000,
  );
});
