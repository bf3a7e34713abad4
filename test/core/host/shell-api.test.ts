/**
 * SamfireApi as a shell serves it (core/src/host/shell-api.ts), on an
 * in-process host with a fake ShellPort: dialogs, the recent list (the only
 * paths the UI may name), saving bytes, and browser mode without dialogs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShellInfo } from '@samfire/core/api';
import { createHost, Listeners, RecentList, createShellApi } from '@samfire/core/host';
import type { Host, ShellPort } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';

const MSA = fileURLToPath(new URL('../../../../shared/data/io/msa/example1.msa', import.meta.url));
const info: ShellInfo = {
  shell: 'electron',
  appVersion: '0.1.0',
  platform: 'linux',
  dialogs: true,
};
let host: Host | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

function shell(answers: { open?: string | null; save?: string | null } = {}, dialogs = true) {
  host = createHost(nodeHostDeps({ backupDir: null }));
  const recent = new RecentList();
  const port: ShellPort = {
    info: { ...info, dialogs },
    recent,
    onCommand: new Listeners<never>().on,
    onHostStatus: new Listeners<never>().on,
    ...(dialogs
      ? {
          showOpenDialog: async () => answers.open ?? null,
          showSaveDialog: async () => answers.save ?? null,
        }
      : {}),
  };
  return { api: createShellApi(host, port), recent };
}

describe('shell api', () => {
  it('hands files given to the shell to the UI, which opens them after asking (not the shell)', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    const requests = new Listeners<{ path: string; name: string }>();
    const recent = new RecentList();
    const api = createShellApi(host, {
      info,
      recent,
      onCommand: new Listeners<never>().on,
      onHostStatus: new Listeners<never>().on,
      onOpenRequest: requests.on,
    });
    const seen: string[] = [];
    api.app.onOpenRequest((f) => seen.push(f.name));
    recent.add(MSA);
    requests.emit({ path: MSA, name: 'example1.msa' });
    expect(seen).toEqual(['example1.msa']);
    // Nothing was opened by the request itself; the UI opens it through the recent list.
    expect(await api.dataset.summary()).toBeNull();
    await expect(api.file.openRecent({ path: MSA })).resolves.toMatchObject({ kind: 'opened' });
    // A shell without such requests (browser mode) never fires.
    const { api: browser } = shell({}, false);
    expect(typeof browser.app.onOpenRequest(() => undefined)).toBe('function');
  });

  it('opens the file chosen in the dialog and remembers it', async () => {
    const { api } = shell({ open: MSA });
    const r = await api.file.openDialog();
    expect(r).toMatchObject({ kind: 'opened', dataset: { source: { name: 'example1.msa' } } });
    expect(await api.file.recent()).toEqual([{ path: MSA, name: 'example1.msa' }]);
    await expect(api.file.openRecent({ path: MSA })).resolves.toMatchObject({ kind: 'opened' });
  });

  it('answers cancelled when the dialog is dismissed', async () => {
    const { api } = shell({ open: null });
    await expect(api.file.openDialog()).resolves.toEqual({ kind: 'cancelled' });
  });

  it('opens only recent paths the user chose before', async () => {
    const { api } = shell();
    await expect(api.file.openRecent({ path: '/etc/passwd' })).rejects.toThrow(
      /'passwd' is not in the recent files list/,
    );
  });

  it('writes bytes where the save dialog says', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'samfire-save-')), 'map.png');
    const { api } = shell({ save: target });
    const r = await api.file.saveBytes({
      suggestedName: 'map.png',
      bytes: Uint8Array.of(137, 80, 78, 71),
    });
    expect(r).toEqual({ kind: 'saved', path: target });
    expect([...readFileSync(target)]).toEqual([137, 80, 78, 71]);
  });

  it('in browser mode: no dialogs, downloads instead, and a clear error for the open dialog', async () => {
    const { api } = shell({}, false);
    await expect(api.file.openDialog()).rejects.toThrow(/no file dialog in browser mode/);
    await expect(
      api.file.saveBytes({ suggestedName: 'a.csv', bytes: Uint8Array.of(1) }),
    ).resolves.toEqual({
      kind: 'download',
      name: 'a.csv',
      bytes: Uint8Array.of(1),
    });
    await api.file.openExample();
    await expect(api.file.saveProject({ as: false })).rejects.toThrow(/needs the desktop app/);
  });

  it('saves the project where the dialog says, then to the same file without asking', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'samfire-save-')), 'p.hspy');
    let asked = 0;
    host = createHost(nodeHostDeps({ backupDir: null }));
    const api = createShellApi(host, {
      info,
      recent: new RecentList(),
      onCommand: new Listeners<never>().on,
      onHostStatus: new Listeners<never>().on,
      showSaveDialog: async () => (asked++, target),
    });
    await expect(api.file.saveProject({ as: false })).rejects.toThrow(/no dataset is open/);
    await api.file.openExample();
    await expect(api.file.saveProject({ as: false })).resolves.toEqual({
      kind: 'saved',
      path: target,
    });
    await expect(api.file.saveProject({ as: false })).resolves.toEqual({
      kind: 'saved',
      path: target,
    });
    expect(asked).toBe(1);
    expect((await api.file.recent()).map((r) => r.path)).toEqual([target]);
    expect(readFileSync(target).subarray(0, 8)).toEqual(
      Buffer.from([137, 72, 68, 70, 13, 10, 26, 10]),
    );
  });
});
