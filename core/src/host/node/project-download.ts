/**
 * Browser mode has no save dialog: the project is written to a private temp
 * folder by the host, read back and handed to the page as a download.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostApi } from '../../api/host-api.js';

export async function projectBytes(host: HostApi, name: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'samfire-project-'));
  try {
    const path = join(dir, name);
    await host.file.saveProjectTo({ path });
    return new Uint8Array(await readFile(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
