/**
 * The dataset service's processing steps for CL and other CCD spectra:
 * converting a wavelength axis to energy (cl/energy-axis.ts) and finding
 * spikes for review, then removing them (cl/spikes.ts). Each step replaces
 * the open signal by a new one and keeps the old for revert (Workspace
 * replaceSignal, revertStep); the file on disk is never changed. Errors name
 * the dataset and the parameter.
 */
import type { DatasetApi } from '../api/samfire-api.js';
import type { DatasetSummary, SpikeFound, SpikeReport } from '../api/types.js';
import { wavelengthToEnergy } from '../cl/energy-axis.js';
import { findSpikes, removeSpikes, type Spike } from '../cl/spikes.js';
import { indexToValue } from '../model/axis.js';
import type { Signal } from '../model/signal.js';
import { energyAxisProblem } from './views.js';
import type { Workspace } from './workspace.js';

type ProcessingApi = Pick<DatasetApi, 'convertToEnergy' | 'findSpikes' | 'removeSpikes' | 'revert'>;

/** At most this many spikes travel to the UI (the count says how many there are). */
export const SPIKES_LISTED = 1000;

/** The dataset's name in messages: its title, else its file's. */
function datasetName(ws: Workspace): string {
  const { summary } = ws.require();
  return summary.title || summary.source.name;
}

/** Values the detector looks at between two yields to the host's other calls (a few ms of work). */
const SLICE_VALUES = 1 << 16;

/** Lets the host answer other calls (a spectrum, a pixel) between slices of a long search. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Every spike of the signal, found in slices of pixels with a yield between
 * them (a 256x256x1024 map takes minutes: the host stays responsive).
 */
async function spikesOf(
  signal: Signal,
  threshold: number,
  window: number,
  where: string,
): Promise<Spike[]> {
  if (signal.dtype === 'bool') throw new Error(`${where}: boolean data have no spikes`);
  const n = signal.navigationSize;
  const slice = Math.max(1, Math.floor(SLICE_VALUES / Math.max(1, signal.channels)));
  const out: Spike[] = [];
  for (let from = 0; from < n; from += slice) {
    if (from > 0) await breathe();
    let found: Spike[];
    try {
      found = findSpikes(signal, { threshold, window, from, to: Math.min(n, from + slice) });
    } catch (e) {
      throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const s of found) out.push(s);
  }
  return out;
}

/** The report the UI reviews: the count, the pixels, and the highest-scoring spikes in pixel order. */
export function spikeReport(
  signal: Signal,
  spikes: readonly Spike[],
  threshold: number,
  window: number,
): SpikeReport {
  const axis = signal.signalAxis;
  const listed =
    spikes.length <= SPIKES_LISTED
      ? spikes
      : [...spikes]
          .sort((a, b) => b.score - a.score)
          .slice(0, SPIKES_LISTED)
          .sort((a, b) => a.pixel - b.pixel || a.channel - b.channel);
  const found: SpikeFound[] = listed.map((s) => ({
    pixel: s.pixel,
    position: [...s.position],
    channel: s.channel,
    x: indexToValue(axis, s.channel),
    value: s.value,
    median: s.median,
    score: s.score,
  }));
  return {
    threshold,
    window,
    count: spikes.length,
    pixels: new Set(spikes.map((s) => s.pixel)).size,
    spikes: found,
    xUnits: axis.units,
  };
}

export function createProcessingService(
  ws: Workspace,
  checkIdle: (action: string) => void,
  /** The signal changed: a crash session could not reopen it as it is now (the file holds the original). */
  processed: () => Promise<void> = async () => undefined,
): ProcessingApi {
  const step = async (summary: DatasetSummary): Promise<DatasetSummary> => {
    await processed();
    return summary;
  };
  /** The last search, so that Apply after a review does not search again. */
  let last: { signal: Signal; threshold: number; window: number; spikes: Spike[] } | null = null;
  // A new file or step: the old signal is not kept alive here.
  ws.datasetChanged.on(() => {
    last = null;
  });
  const search = async (threshold: number, window: number, where: string): Promise<Spike[]> => {
    const { signal } = ws.require();
    if (last && last.signal === signal && last.threshold === threshold && last.window === window)
      return last.spikes;
    const spikes = await spikesOf(signal, threshold, window, where);
    // Another step may have replaced the signal while the search yielded.
    if (ws.dataset?.signal !== signal)
      throw new Error(`${where}: the data changed during the search: find the spikes again`);
    last = { signal, threshold, window, spikes };
    return spikes;
  };
  return {
    convertToEnergy: async () => {
      const action = 'convert to energy';
      checkIdle(action);
      const { signal } = ws.require();
      const where = `${datasetName(ws)}: ${action}`;
      const problem = energyAxisProblem(signal);
      if (problem) throw new Error(`${where}: ${problem}`);
      let converted: Signal;
      try {
        converted = wavelengthToEnergy(signal);
      } catch (e) {
        throw new Error(`${where}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const from = signal.signalAxis.units.trim() || 'nm';
      return step(ws.replaceSignal(`Converted to energy (${from} → eV)`, converted, false));
    },

    findSpikes: async ({ threshold, window }) => {
      const { signal } = ws.require();
      const where = `${datasetName(ws)}: find spikes`;
      return spikeReport(signal, await search(threshold, window, where), threshold, window);
    },

    removeSpikes: async ({ threshold, window }) => {
      const action = 'remove spikes';
      checkIdle(action);
      const { signal } = ws.require();
      const where = `${datasetName(ws)}: ${action}`;
      const spikes = await search(threshold, window, where);
      checkIdle(action);
      if (spikes.length === 0)
        throw new Error(
          `${where}: no spike scores above the threshold ${threshold} (window ${window}): nothing to remove`,
        );
      const cleaned = removeSpikes(signal, spikes, { window });
      const n = spikes.length;
      const label = `Removed ${n} spike${n === 1 ? '' : 's'} (threshold ${threshold}, window ${window})`;
      return step(ws.replaceSignal(label, cleaned, true));
    },

    revert: async () => {
      checkIdle('revert a processing step');
      ws.require();
      return step(ws.revertStep());
    },
  };
}
