/**
 * Resuming after a crash or power cut, offered by the UI on start: the run
 * backup an earlier session left, reopening it, or forgetting it. (After a
 * crash of the host alone the shell restores by itself: Host.restoreSession.)
 */
import type { HostSessionApi } from '../api/host-api.js';
import type { DatasetSummary } from '../api/types.js';
import type { HostDeps } from './host-deps.js';

export function createSessionApi(
  deps: HostDeps,
  restore: () => Promise<{ dataset: boolean; run: boolean }>,
  summary: () => DatasetSummary | null,
  checkIdle: (action: string) => void,
): HostSessionApi {
  return {
    lastSession: async () => {
      const session = await deps.backups?.readSession();
      if (!session) return null;
      const backup = await deps.backups?.readBackup();
      if (!backup) return null;
      return {
        name: session.source.name,
        results: backup.engine.count,
        pixels: backup.signal.navigationShape.reduce((a, b) => a * b, 1),
      };
    },
    resumeSession: async () => {
      checkIdle('resume an earlier session');
      const { dataset } = await restore();
      const opened = summary();
      if (!dataset || !opened) throw new Error('there is no earlier session to resume');
      return { kind: 'opened', dataset: opened };
    },
    discardSession: async () => {
      await deps.backups?.writeSession(null);
    },
  };
}
