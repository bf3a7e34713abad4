/**
 * The host: every service of HostApi over one workspace. Both shells run it
 * in a separate process (an Electron utility process, or a Node child process
 * for browser mode) and talk to it through rpc.ts; tests run it in-process.
 */
import type { HostApi } from '../api/host-api.js';
import type { DatasetApi } from '../api/samfire-api.js';
import { createFileService } from './file-service.js';
import { createFitService } from './fit-service.js';
import type { HostDeps } from './host-deps.js';
import { createModelService } from './model-service.js';
import { createProcessingService } from './processing.js';
import { createSessionApi } from './session-service.js';
import { regionSeedPixel, regionSpectrumView } from './region.js';
import { mapFile, navigatorImage, spectrumView } from './views.js';
import { Workspace } from './workspace.js';

export interface Host extends HostApi {
  /**
   * After a crash: reopens the dataset of the last session and restores the
   * run from its last backup. Resolves with what was restored.
   */
  restoreSession(): Promise<{ dataset: boolean; run: boolean }>;
  close(): Promise<void>;
}

export function createHost(deps: HostDeps): Host {
  const ws = new Workspace();
  const fit = createFitService(ws, deps);
  const files = createFileService(ws, deps, fit.checkIdle, fit.projectState);
  const model = createModelService(ws, fit.checkIdle, deps, (v) => files.recordVariance(v));

  const imageContext = () => {
    const { signal, model: m } = ws.require();
    const open = ws.require();
    return {
      signal,
      model: m,
      marker: fit.marker(),
      seeds: ws.seeds,
      images: open.images,
    };
  };

  const dataset: DatasetApi = {
    summary: async () => ws.dataset?.summary ?? null,
    image: async (request) => navigatorImage(imageContext(), request),
    spectrum: async ({ pixel }) => {
      const { signal, model: m } = ws.require();
      signal.checkPixel(pixel);
      return spectrumView(signal, m, pixel);
    },
    regionSpectrum: async ({ region }) => {
      const { signal, model: m } = ws.require();
      return regionSpectrumView(
        signal,
        m,
        region,
        regionSeedPixel(signal, region, ws.pixel),
        ws.regionFit,
      );
    },
    mapFile: async ({ image, format }) => {
      const { summary, signal } = ws.require();
      const axes = signal.axes.filter((a) => a.navigate);
      return mapFile(navigatorImage(imageContext(), image), format, summary.title, axes);
    },
    ...createProcessingService(ws, fit.checkIdle, () => files.processed()),
    onChanged: ws.datasetChanged.on,
  };

  const restoreSession = async (): Promise<{ dataset: boolean; run: boolean }> => {
    const reopened = await files.reopenSession();
    if (!reopened) return { dataset: false, run: false };
    const backup = await deps.backups?.readBackup();
    if (!backup) return { dataset: true, run: false };
    fit.restore(backup);
    return { dataset: true, run: true };
  };
  const session = createSessionApi(
    deps,
    restoreSession,
    () => ws.dataset?.summary ?? null,
    fit.checkIdle,
  );

  return {
    file: { ...files.api, ...session },
    dataset,
    model,
    fit: fit.api,
    restoreSession,
    close: () => fit.close(),
  };
}
