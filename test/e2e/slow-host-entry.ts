/**
 * The service host of browser mode with paced fits (see slow-pool.ts):
 * SAMFIRE_E2E_MS_PER_JOB sets the pace (default 60 ms). SAMFIRE_E2E_MS_PER_READ
 * (default 0) makes every file take that long to read, as a large one would.
 * Everything else is the real host.
 */
import { createHost } from '@samfire/core/host';
import { detectHostPort, parseHostArgs, serveHost, nodeHostDeps } from '@samfire/core/node';
import { slowPool } from './slow-pool.js';

const argv = process.argv.slice(2);
const pace = Number(process.env.SAMFIRE_E2E_MS_PER_JOB ?? 60);
const port = detectHostPort();
if (!port) throw new Error('slow host: start this file with child_process.fork');
const deps = nodeHostDeps({ backupDir: parseHostArgs(argv).backupDir });
const createPool = deps.createPool;
deps.createPool = (workers) => {
  const pool = createPool(workers);
  return pool ? slowPool(pool, pace) : undefined;
};
const readPause = Number(process.env.SAMFIRE_E2E_MS_PER_READ ?? 0);
if (readPause > 0) {
  const pause = (): Promise<void> => new Promise((ok) => setTimeout(ok, readPause));
  const { readSignals, readProject } = deps;
  deps.readSignals = async (path, options) => (await pause(), readSignals(path, options));
  deps.readProject = async (path, options) => (await pause(), readProject(path, options));
}
serveHost(createHost(deps), port);
