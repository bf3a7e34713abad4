/**
 * The Sample metadata of an EDS model's .hspy as HyperSpy 1.7.3 reads it:
 * `metadata.Sample.elements` and `metadata.Sample.xray_lines` list the
 * model's elements and one line per element family (its strongest), sorted
 * as HyperSpy's add_elements and add_lines keep them, merged with what the
 * file listed; HyperSpy's EDS tools use them (get_lines_intensity). Skipped,
 * with a message, only when /usr/bin/python3 cannot import hyperspy.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import { buildEdsModel, edsSampleMetadata, Model } from '@samfire/core';
import { synthetic } from '../helpers/eds.js';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../helpers/hyperspy-load.js';
import { SHARED } from '../helpers/reference.js';

if (!hyperspyAvailable) console.warn(`test/interop (EDS Sample) skipped: ${hyperspyMissing}`);
const run = promisify(execFile);

const SAMPLE_PY = `
import json, sys, warnings
warnings.filterwarnings('ignore')
import hyperspy.api as hs
s = hs.load(sys.argv[1])
out = {'type': s.metadata.Signal.signal_type,
       'elements': list(s.metadata.Sample.elements),
       'xray_lines': list(s.metadata.Sample.xray_lines)}
if s.metadata.Signal.signal_type.startswith('EDS'):
    out['intensities'] = [i.metadata.General.title for i in s.get_lines_intensity()]
print(json.dumps(out))
`;

async function sample(path: string): Promise<{
  type: string;
  elements: string[];
  xray_lines: string[];
  intensities?: string[];
}> {
  const { stdout } = await run(PYTHON, ['-c', SAMPLE_PY, path], { timeout: 300_000 });
  return JSON.parse(stdout) as never;
}

const tmp = mkdtempSync(join(tmpdir(), 'hspy-eds-sample-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the Sample metadata of EDS models', () => {
  it('lists the elements and one line a family, merged with the metadata, sorted', () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { elements: ['Fe', 'Si'], range: [1.0, 9.0] });
    // Fe L (0.7 keV) is out of the range: no Fe_L family, no Fe_La.
    expect(model.components.map((c) => c.name)).toEqual([
      'calibration',
      'background',
      'Fe_K',
      'Si_K',
    ]);
    expect(edsSampleMetadata({}, [model])).toEqual({
      elements: ['Fe', 'Si'],
      xray_lines: ['Fe_Ka', 'Si_Ka'],
    });
    expect(
      edsSampleMetadata({ Sample: { elements: ['Zn'], xray_lines: ['Zn_Ka'] } }, [model]),
    ).toEqual({ elements: ['Fe', 'Si', 'Zn'], xray_lines: ['Fe_Ka', 'Si_Ka', 'Zn_Ka'] });
    expect(edsSampleMetadata({}, [new Model(signal)])).toBeNull();
  });
});

describe.skipIf(!hyperspyAvailable)('HyperSpy 1.7.3 reads the Sample of our EDS models', () => {
  it('on an EDS_SEM map: its elements and lines, and HyperSpy integrates them', async () => {
    const { signal } = synthetic();
    const model = buildEdsModel(signal, { range: [1.0, 9.0] });
    const expected = edsSampleMetadata(signal.metadata, [model])!;
    expect(expected.xray_lines).toEqual(expect.arrayContaining(['Ag_La', 'Fe_Ka', 'Si_Ka']));
    const path = join(tmp, 'synthetic.hspy');
    await writeHspy(path, signal, { eds: model });
    const hs = await sample(path);
    expect(hs.type).toBe('EDS_SEM');
    expect(hs.elements).toEqual(expected.elements);
    expect(hs.xray_lines).toEqual(expected.xray_lines);
    // HyperSpy's EDS tools see the lines: one intensity map per line.
    expect(hs.intensities).toHaveLength(expected.xray_lines.length);
    expect(hs.intensities!.join(' ')).toContain('Fe_Ka');
    // The signal's own metadata is left as it was (written, not changed).
    expect(signal.metadata['Sample']).not.toHaveProperty('xray_lines');
    // Our reader reads them back.
    const back = (await readHspy(path)).signals[0]!;
    expect(back.metadata['Sample']).toMatchObject(expected);
  });

  it('on the real map, which listed none', async () => {
    const signal = (await readHspy(`${SHARED}data/real/eds-agcu-50x50-seed.hspy`)).signals[0]!;
    const model = buildEdsModel(signal, { elements: ['Al', 'Ag', 'Cu'], range: [1.2, 3.6] });
    const path = join(tmp, 'real.hspy');
    await writeHspy(path, signal, { eds: model });
    const hs = await sample(path);
    // Cu has no line in range, so no family: only the model's elements.
    expect(hs.elements).toEqual(['Ag', 'Al']);
    expect(hs.xray_lines).toEqual(['Ag_La', 'Al_Ka']);
  });
});
