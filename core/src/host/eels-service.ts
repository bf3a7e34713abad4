/**
 * The model service's EELS calls: what the edge builder starts from (the
 * metadata's microscope, the edges whose onsets lie on the axis) and adding
 * an element's edges (eels/eels-model.ts addEdges) as one undoable edit.
 */
import type { HostModelApi } from '../api/host-api.js';
import type { EelsEdgeChoice, EelsEdgesOutcome, EelsSetup } from '../api/types.js';
import { elementSymbols } from '../eds/xray-lines.js';
import { resolveEdge } from '../eels/edge-component.js';
import { addEdges, eelsMicroscope, type AddedEdges } from '../eels/eels-model.js';
import type { Signal } from '../model/signal.js';
import type { Workspace } from './workspace.js';

type EelsApi = Pick<HostModelApi, 'eelsSetup' | 'addEelsEdges'>;

/** Every K and L2,3 edge the hydrogenic model has, by onset (computed once). */
let edgeTable: EelsEdgeChoice[] | null = null;
function allEdges(): EelsEdgeChoice[] {
  if (edgeTable) return edgeTable;
  const out: EelsEdgeChoice[] = [];
  for (const element of elementSymbols()) {
    for (const subshell of ['K', 'L3']) {
      try {
        out.push({ element, subshell, onset: resolveEdge(element, subshell).onset });
      } catch {
        // No such edge in the table, or one the hydrogenic model does not cover.
      }
    }
  }
  edgeTable = out.sort((a, b) => a.onset - b.onset);
  return edgeTable;
}

/** Why edges cannot be added to this signal, or null. */
function axisProblem(signal: Signal): string | null {
  const units = signal.signalAxis.units.trim();
  if (units !== 'eV')
    return `the signal axis is in '${units || 'no units'}', not eV: edges need an energy-loss axis in eV`;
  return null;
}

export function createEelsService(ws: Workspace, checkIdle: (action: string) => void): EelsApi {
  return {
    eelsSetup: async (): Promise<EelsSetup> => {
      const { signal } = ws.require();
      const a = signal.signalAxis;
      const lo = Math.min(a.offset, a.offset + (a.size - 1) * a.scale);
      const hi = Math.max(a.offset, a.offset + (a.size - 1) * a.scale);
      const fromFile = eelsMicroscope(signal);
      const problem = axisProblem(signal);
      return {
        problem,
        eels: /^EELS/i.test(signal.signalType),
        beamEnergy: fromFile.beamEnergy,
        beamEnergyFromMetadata: !fromFile.notes.some((n) => n.includes('beam energy')),
        collectionAngle: fromFile.collectionAngle,
        collectionAngleFromMetadata: !fromFile.notes.some((n) => n.includes('collection angle')),
        edges: problem ? [] : allEdges().filter((e) => e.onset > lo && e.onset < hi - 10),
      };
    },

    addEelsEdges: async (request): Promise<EelsEdgesOutcome> => {
      const label = `add the edges of ${request.element}`;
      checkIdle(label);
      const { signal } = ws.require();
      const problem = axisProblem(signal);
      if (problem) throw new Error(`${label}: ${problem}`);
      let added: AddedEdges | null = null;
      const model = ws.edit(label, (m) => {
        added = addEdges(m, request.element, {
          beamEnergy: request.beamEnergy,
          collectionAngle: request.collectionAngle,
          fineStructure: request.fineStructure,
          pixel: ws.pixel,
        });
      });
      const done = added as AddedEdges | null;
      if (!done) throw new Error(`${label}: no edge was added`);
      return {
        model,
        edges: done.edges.map((c) => c.name),
        range: { start: done.range[0], end: done.range[1] },
        window: { start: done.window[0], end: done.window[1] },
        notes: done.notes,
      };
    },
  };
}
