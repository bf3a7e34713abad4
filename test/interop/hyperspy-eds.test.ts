/**
 * Tied parameters and EDS models in .hspy files, as HyperSpy 1.7.3 restores
 * them (/usr/bin/python3 with python3-hyperspy; test/interop/py/restore.py):
 * twins come back as HyperSpy twins with their formulas and values; an EDS
 * model comes back as HyperSpy Gaussians named Fe_Ka, Fe_Kb, ... whose
 * secondary lines are tied to the main line, evaluating to our model at
 * every pixel; and our reader collapses the Gaussians back into families.
 *
 * Skipped, with a message, only when /usr/bin/python3 cannot import
 * hyperspy (CI installs python3-hyperspy, so it runs there).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import {
  Model,
  Signal,
  buildEdsModel,
  calibrate,
  edsFamilyComponents,
  xrayFamilyOptions,
} from '@samfire/core';
import { synthetic } from '../helpers/eds.js';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../helpers/hyperspy-load.js';

const PY_DIR = fileURLToPath(new URL('./py/', import.meta.url));
if (!hyperspyAvailable) console.warn(`test/interop (EDS) skipped: ${hyperspyMissing}`);
const run = promisify(execFile);

type Num = number | null;
interface HsParameter {
  name: string;
  free: boolean;
  value: Num[];
  twin: [string, string] | null;
  twin_function_expr: string;
  map: { values: Num[]; is_set: boolean[] };
}
interface HsModel {
  components: { name: string; kind: string; parameters: HsParameter[] }[];
  chisq: Num[];
  dof: number[];
  first_pixel_model: number[];
  pixel_models?: number[];
}

async function restore(path: string, name: string, all = false): Promise<HsModel> {
  const { stdout } = await run(
    PYTHON,
    [join(PY_DIR, 'restore.py'), path, name, ...(all ? ['all'] : [])],
    {
      maxBuffer: 512 * 1024 * 1024,
      timeout: 300_000,
    },
  );
  return JSON.parse(stdout) as HsModel;
}

const tmp = mkdtempSync(join(tmpdir(), 'hspy-eds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function byName(hs: HsModel, name: string) {
  const c = hs.components.find((x) => x.name === name);
  if (!c)
    throw new Error(
      `HyperSpy's model has no component '${name}' (${hs.components.map((x) => x.name).join(', ')})`,
    );
  return c;
}
const param = (c: HsModel['components'][number], name: string) =>
  c.parameters.find((p) => p.name === name)!;

describe.skipIf(!hyperspyAvailable)(
  'HyperSpy 1.7.3 restores tied parameters and EDS models',
  () => {
    it('restores twins with their formulas and values', async () => {
      const n = 60;
      const data = new Float64Array(3 * n);
      for (let p = 0; p < 3; p++)
        for (let i = 0; i < n; i++)
          data[p * n + i] =
            5 +
            300 * Math.exp(-0.5 * ((i - 20) / 3) ** 2) +
            150 * Math.exp(-0.5 * ((i - 35) / 3) ** 2);
      const signal = new Signal({
        data,
        axes: [
          { name: 'x', size: 3, offset: 0, scale: 1, units: '', navigate: true },
          { name: 'E', size: n, offset: 0, scale: 1, units: 'eV', navigate: false },
        ],
      });
      const model = new Model(signal, [
        { kind: 'Offset', name: 'bg' },
        { kind: 'Gaussian', name: 'main' },
        { kind: 'Gaussian', name: 'sat' },
      ]);
      model.parameter('main.A').value = 2000;
      model.parameter('main.centre').value = 21;
      model.parameter('main.sigma').value = 2.5;
      model.tie('sat.A', 'main.A', '0.5*x', '2*x');
      model.tie('sat.centre', 'main.centre', 'x + 15');
      model.tie('sat.sigma', 'main.sigma');
      for (let p = 0; p < 3; p++) model.fit(p);
      const path = join(tmp, 'twins.hspy');
      await writeHspy(path, signal, { tied: model });
      const hs = await restore(path, 'tied');
      const sat = byName(hs, 'sat');
      expect(param(sat, 'A').twin).toEqual(['main', 'A']);
      expect(param(sat, 'A').twin_function_expr).toBe('0.5*x');
      expect(param(sat, 'A').free).toBe(false);
      expect(param(sat, 'centre').twin).toEqual(['main', 'centre']);
      expect(param(sat, 'centre').twin_function_expr).toBe('x + 15');
      expect(param(sat, 'sigma').twin).toEqual(['main', 'sigma']);
      expect(param(byName(hs, 'main'), 'A').twin).toBeNull();
      // HyperSpy's twin values are its master's through the formula.
      model.fetchStoredValues(0);
      expect(param(sat, 'A').value[0]).toBeCloseTo(0.5 * model.parameter('main.A').value, 6);
      const ours = model.evaluate();
      hs.first_pixel_model.forEach((v, i) =>
        expect(Math.abs(v - ours[i]!)).toBeLessThan(1e-9 * Math.max(1, ours[i]!)),
      );
      // And our reader gives the ties back.
      const back = (await readHspy(path)).model(0, 'tied');
      expect(back.parameter('sat.A').twin).toBe(back.parameter('main.A'));
      expect(back.parameter('sat.centre').twinFunctionExpr).toBe('x + 15');
      expect(back.parameter('sat.A').twinInverseFunctionExpr).toBe('2*x');
    });

    it('restores an EDS model as tied Gaussians giving our model at every pixel; we read back families', async () => {
      const { signal } = synthetic();
      const model = buildEdsModel(signal, { range: [1.0, 9.0] });
      calibrate(model);
      for (let p = 0; p < signal.navigationSize; p++) model.fit(p, { bounded: true });
      const path = join(tmp, 'eds.hspy');
      await writeHspy(path, signal, { eds: model });
      const hs = await restore(path, 'eds', true);

      // One Gaussian per line, named as HyperSpy and eXSpy name them; no calibration component.
      const expected = edsFamilyComponents(model).flatMap((f) =>
        xrayFamilyOptions(f.fn.options).lines.map(
          (l) => `${xrayFamilyOptions(f.fn.options).element}_${l.name}`,
        ),
      );
      expect(hs.components.map((c) => c.name).sort()).toEqual(['background', ...expected].sort());
      expect(expected).toEqual(
        expect.arrayContaining(['Si_Ka', 'Si_Kb', 'Fe_Ka', 'Fe_Kb', 'Ag_La', 'Ag_Lb1']),
      );
      for (const f of edsFamilyComponents(model)) {
        const o = xrayFamilyOptions(f.fn.options);
        const main = byName(hs, `${o.element}_${o.lines[0]!.name}`);
        expect(param(main, 'A').free).toBe(true);
        expect(param(main, 'centre').free).toBe(false);
        // The main line's A map is the family's times its weight.
        const w = o.lines[0]!.weight;
        param(main, 'A').map.values.forEach((v, px) =>
          expect(v).toBeCloseTo(f.parameter('A').map.values[px]! * w, 6),
        );
        for (const l of o.lines.slice(1)) {
          const g = byName(hs, `${o.element}_${l.name}`);
          expect(param(g, 'A').twin).toEqual([main.name, 'A']);
          expect(param(g, 'A').twin_function_expr).toBe(`${l.weight / w}*x`);
          expect(param(g, 'centre').twin).toEqual([main.name, 'centre']);
          expect(param(g, 'sigma').twin).toEqual([main.name, 'sigma']);
        }
      }
      // HyperSpy evaluates the restored model to ours at every pixel (on the fitted channels).
      const fitted = model.fittedChannels;
      const spectra = hs.pixel_models!;
      expect(spectra.length).toBe(signal.navigationSize * fitted);
      let worst = 0;
      for (let px = 0; px < signal.navigationSize; px++) {
        model.fetchStoredValues(px);
        const ours = model.evaluate().filter((_v, i) => model.channelSwitches[i] === 1);
        ours.forEach((v, i) => {
          worst = Math.max(
            worst,
            Math.abs(spectra[px * fitted + i]! - v) / Math.max(1, Math.abs(v)),
          );
        });
      }
      expect(worst).toBeLessThan(1e-9);
      // The same chisq and dof (free parameters) maps.
      expect(hs.chisq).toEqual(Array.from(model.chisq));
      expect(hs.dof).toEqual(Array.from(model.dof, (d) => model.fittedChannels - d));

      // Our reader collapses the Gaussians back into the families, ties and maps included.
      const back = (await readHspy(path)).model(0, 'eds');
      expect(back.components.map((c) => `${c.name}:${c.kind}`)).toEqual(
        model.components.map((c) => `${c.name}:${c.kind}`),
      );
      for (const f of edsFamilyComponents(model)) {
        const g = back.component(f.name);
        expect(g.fn.options).toEqual(f.fn.options);
        expect(Array.from(g.parameter('A').map.values)).toEqual(
          Array.from(f.parameter('A').map.values),
        );
        expect(g.parameter('offset').twin).toBe(back.parameter('calibration.offset'));
        expect(g.parameter('fwhm_MnKa').twin).toBe(back.parameter('calibration.fwhm_MnKa'));
      }
      expect(back.parameter('calibration.scale').value).toBe(
        model.parameter('calibration.scale').value,
      );
      expect(back.parameter('calibration.scale').free).toBe(false);
    });

    it('restores a Bremsstrahlung background as an Expression with the same values', async () => {
      const { signal } = synthetic();
      const model = buildEdsModel(signal, { range: [1.0, 9.0], background: 'bremsstrahlung' });
      calibrate(model);
      model.fit(0, { bounded: true });
      const path = join(tmp, 'brems.hspy');
      await writeHspy(path, signal, { eds: model });
      const hs = await restore(path, 'eds');
      expect(byName(hs, 'background').kind).toBe('Expression');
      model.fetchStoredValues(0);
      const ours = model.evaluate().filter((_v, i) => model.channelSwitches[i] === 1);
      expect(hs.first_pixel_model.length).toBe(ours.length);
      hs.first_pixel_model.forEach((v, i) =>
        expect(Math.abs(v - ours[i]!)).toBeLessThan(1e-9 * Math.max(1, ours[i]!)),
      );
      const back = (await readHspy(path)).model(0, 'eds');
      expect(back.component('background').kind).toBe('Bremsstrahlung');
    });
  },
);
