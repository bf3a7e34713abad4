/**
 * `samfire info --json` on JEOL files: a spectrum image (.pts), an image
 * (.img), an element map (.map), a spectrum (.EDS) and a project (.ASW)
 * are reported as the other formats are, with what HyperSpy 1.7.3 reads
 * from them (its values, measured once, in the expectations).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInfo } from '../../../core/src/cli/info.js';

const IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/JEOL_files/';

interface Printed {
  file: string;
  signals: {
    title: string;
    signal_type: string;
    dtype: string;
    shape: number[];
    axes: { name: string; size: number; scale: number; offset: number; units: string }[];
    sum: number;
  }[];
}

async function infoJson(path: string): Promise<{ code: number; printed: Printed; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const code = await runInfo([path, '--json']);
  vi.restoreAllMocks();
  return { code, printed: JSON.parse(out || '{}') as Printed, err };
}

afterEach(() => vi.restoreAllMocks());

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('samfire info --json on JEOL files', () => {
  const cases: [string, string, string, string, number[], number, number][] = [
    // file, title, signal type, dtype, shape, sum, scale of the last axis (HyperSpy 1.7.3)
    ['met03.EDS', 'EDX', 'EDS_TEM', 'int32', [2048], 296519, 0.0100004],
    [
      'Sample/00_View000/View000_0000000.img',
      'IMG1',
      '',
      'uint8',
      [512, 512],
      137518,
      0.00869140625,
    ],
    ['Sample/00_View000/View000_0000001.map', 'C K', '', 'uint8', [512, 512], 62728, 0.00869140625],
    [
      'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000001.map',
      'BF(frame1)',
      '',
      'uint8',
      [64, 64],
      212715,
      0.007734375,
    ],
    [
      'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000015.pts',
      'EDS extracted from Dummy-Data_0000015.pts',
      'EDS_TEM',
      'uint8',
      [64, 64, 4096],
      2537,
      0.0100046,
    ],
  ];
  it.each(cases)('%s', async (file, title, type, dtype, shape, sum, scale) => {
    const { code, printed, err } = await infoJson(IO + file);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(printed.file).toBe(file.split('/').pop());
    expect(printed.signals.length).toBe(1);
    const s = printed.signals[0]!;
    expect([s.title, s.signal_type, s.dtype, s.shape, s.sum]).toEqual([
      title,
      type,
      dtype,
      shape,
      sum,
    ]);
    expect(close(s.axes[s.axes.length - 1]!.scale, scale)).toBe(true);
  });

  it('InvalidFrame/dummy2.ASW: the 22 images, maps and spectrum images it lists (its 3 .apb files are not read, as in HyperSpy)', async () => {
    const { code, printed } = await infoJson(IO + 'InvalidFrame/dummy2.ASW');
    expect(code).toBe(0);
    expect(printed.signals.length).toBe(22);
    expect(printed.signals.slice(0, 2).map((s) => s.title)).toEqual(['BF', 'BF(frame1)']);
    expect(printed.signals.filter((s) => s.signal_type === 'EDS_TEM').length).toBe(3);
  });

  it('a project whose files are missing: exit code 1 and the file named', async () => {
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    const code = await runInfo([IO + '181019-BN.ASW', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(err).toMatch(/181019-BN\.ASW: the file '.*\.img' it lists is missing/);
  });
});
