/**
 * The model service's EDS part: what the builder starts from (the
 * metadata's elements and beam energy, the periodic table of the line
 * database), building an EDS model from a list of elements, the line
 * markers and the "what is this peak?" look-up, and the calibration on the
 * sum spectrum. Everything runs here, in the host: the renderer only shows
 * what these return.
 *
 * Positions on the axis go through the model's calibration when it has one
 * (EdsCalibration: offset and scale are the true energies of channel 0 and
 * per channel): a line of table energy E is drawn where the model puts it,
 * x = a0 + (a1 / scale) (E / u - offset), a0 and a1 the axis's nominal
 * offset and scale, u eV per axis unit. Without a calibration, x = E / u.
 */
import type { HostModelApi } from '../api/host-api.js';
import type {
  EdsCalibrationValues,
  EdsLineMarker,
  EdsLineNear,
  EdsSetup,
  ModelState,
} from '../api/types.js';
import {
  buildEdsModel,
  calibrate,
  edsSettings,
  energyUnit,
  type EdsBackground,
} from '../eds/eds-model.js';
import { elementSymbols, linesNear, xrayElement, xrayFamilies } from '../eds/xray-lines.js';
import type { Model } from '../model/model.js';
import type { Signal } from '../model/signal.js';
import { metaAt } from '../util/metadata.js';
import { regionPixels } from './region.js';
import type { Workspace } from './workspace.js';

type EdsApi = Pick<
  HostModelApi,
  'edsSetup' | 'buildEdsModel' | 'edsLines' | 'edsLinesNear' | 'calibrateEds'
>;

/** The elements of the line database that have lines, by atomic number. */
let tableCache: [number, string][] | null = null;
function periodicTable(): [number, string][] {
  tableCache ??= elementSymbols()
    .map((s) => xrayElement(s))
    .filter((e) => e.lines.some((l) => l.energy > 0))
    .map((e): [number, string] => [e.Z, e.symbol]);
  return tableCache;
}

function hasBeamEnergy(signal: Signal): boolean {
  return ['SEM', 'TEM'].some((i) => {
    const v = metaAt(signal.metadata, `Acquisition_instrument.${i}.beam_energy`);
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    return Number.isFinite(n) && n > 0;
  });
}

/** The model's calibration component's values, or null when it has none. */
export function calibrationValues(model: Model): EdsCalibrationValues | null {
  const c = model.components.find((x) => x.kind === 'EdsCalibration');
  if (!c) return null;
  const p = (name: string) => c.parameter(name);
  return {
    offset: p('offset').value,
    scale: p('scale').value,
    fwhmMnKa: p('fwhm_MnKa').value,
    free: { offset: p('offset').free, scale: p('scale').free, fwhmMnKa: p('fwhm_MnKa').free },
  };
}

/** Axis position <-> true energy (eV), through the model's calibration when it has one. */
export function energyMapping(model: Model): {
  position: (energy: number) => number;
  energy: (position: number) => number;
} {
  const axis = model.signal.signalAxis;
  const u = energyUnit(model.signal);
  const cal = calibrationValues(model);
  if (!cal || cal.scale === 0) return { position: (e) => e / u, energy: (x) => x * u };
  const ratio = axis.scale / cal.scale;
  return {
    position: (e) => axis.offset + ratio * (e / u - cal.offset),
    energy: (x) => (cal.offset + (x - axis.offset) / ratio) * u,
  };
}

function background(b: { kind: 'polynomial'; order: number } | { kind: 'bremsstrahlung' }) {
  return (
    b.kind === 'bremsstrahlung' ? 'bremsstrahlung' : { kind: 'polynomial', order: b.order }
  ) satisfies EdsBackground;
}

export function createEdsService(ws: Workspace, checkIdle: (action: string) => void): EdsApi {
  return {
    edsSetup: async (): Promise<EdsSetup> => {
      const { signal, model } = ws.require();
      const axis = signal.signalAxis;
      const table = periodicTable();
      let problem: string | null = null;
      try {
        energyUnit(signal);
      } catch (e) {
        problem = (e as Error).message;
      }
      if (problem === null && /^EELS/i.test(signal.signalType))
        problem =
          'an EELS dataset: its edges are added in the EELS edge builder, not as X-ray lines';
      // Light, not X-rays: a CL spectrum (on an energy axis converted from a wavelength too).
      if (problem === null && /^(CL|Luminescence)/i.test(signal.signalType))
        problem = 'a cathodoluminescence dataset: its peaks are light, not X-ray lines';
      let elements: string[] = [];
      let settings = null;
      if (problem === null) {
        try {
          settings = edsSettings(signal);
          elements = settings.elements;
        } catch {
          // No (or unknown) elements in the metadata: nothing preselected.
          settings = edsSettings(signal, { elements: [table[0]![1]] });
        }
      }
      const start = Math.min(axis.offset, axis.offset + (axis.size - 1) * axis.scale);
      const end = Math.max(axis.offset, axis.offset + (axis.size - 1) * axis.scale);
      return {
        problem,
        elements,
        beamEnergy: settings?.beamEnergy ?? 20,
        beamEnergyFromMetadata: hasBeamEnergy(signal),
        resolution: settings?.resolution ?? 130,
        range: settings ? { start: settings.range[0], end: settings.range[1] } : { start, end },
        units: axis.units,
        table,
        calibration: calibrationValues(model),
      };
    },

    buildEdsModel: async (request): Promise<ModelState> => {
      const label = `build an EDS model of ${request.elements.join(', ')}`;
      checkIdle(label);
      return ws.replaceModel(label, (signal) =>
        buildEdsModel(signal, {
          elements: request.elements,
          range: [request.range.start, request.range.end],
          background: background(request.background),
          beamEnergy: request.beamEnergy,
          ...(request.resolution === undefined ? {} : { resolution: request.resolution }),
        }),
      );
    },

    edsLines: async ({ elements, beamEnergy, range }): Promise<EdsLineMarker[]> => {
      const { model } = ws.require();
      const map = energyMapping(model);
      const resolution = calibrationValues(model)?.fwhmMnKa;
      const out: EdsLineMarker[] = [];
      for (const symbol of new Set(elements.map((e) => xrayElement(e).symbol))) {
        const families = xrayFamilies(symbol, {
          beamEnergy: beamEnergy * 1000,
          ...(resolution && resolution > 0 ? { resolution } : {}),
        });
        for (const fam of families) {
          for (const l of fam.lines) {
            const position = map.position(l.energy);
            if (position < range.start || position > range.end) continue;
            out.push({
              name: `${symbol}_${l.name}`,
              element: symbol,
              family: fam.family,
              position,
              energy: l.energy,
              weight: l.weight,
            });
          }
        }
      }
      return out.sort((a, b) => a.position - b.position);
    },

    edsLinesNear: async ({ position, beamEnergy, limit }): Promise<EdsLineNear[]> => {
      const { model } = ws.require();
      const map = energyMapping(model);
      const energy = map.energy(position);
      if (!(energy > 0)) return [];
      const resolution = calibrationValues(model)?.fwhmMnKa;
      const near = linesNear(energy, {
        beamEnergy: beamEnergy * 1000,
        ...(resolution && resolution > 0 ? { resolution } : {}),
      });
      return near.slice(0, limit ?? 8).map((l) => {
        const at = map.position(l.energy);
        return {
          name: l.name,
          element: l.element,
          family: l.family,
          position: at,
          energy: l.energy,
          weight: l.weight,
          distance: at - position,
        };
      });
    },

    calibrateEds: async ({ region }) => {
      const label = 'calibrate the energy axis';
      checkIdle(label);
      const { signal } = ws.require();
      const pixels = region === null ? undefined : regionPixels(signal, region);
      let result: ReturnType<typeof calibrate> | null = null;
      const state = ws.edit(label, (model) => {
        result = calibrate(model, pixels === undefined ? {} : { region: pixels });
      });
      const r = result as ReturnType<typeof calibrate> | null;
      const calibration = calibrationValues(ws.require().model);
      if (!r || !calibration) throw new Error(`${label}: the model has no EdsCalibration`);
      return {
        model: state,
        calibration,
        std: r.std,
        axis: { offset: signal.signalAxis.offset, scale: signal.signalAxis.scale },
        pixels: r.pixels,
        redChisq: r.fit.redChisq,
      };
    },
  };
}
