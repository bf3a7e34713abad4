/**
 * The service host in an Electron utility process: a HostSpawner for
 * core's HostConnection, which does the RPC, crash reporting and restarts.
 * Messages to and from a utility process are structured clones, so typed
 * arrays and NaN arrive unchanged.
 *
 * Each host gets a FitWorkerBroker: the host's requests for fitting workers
 * share its parentPort with the RPC, so they are taken out here and never
 * reach HostConnection. The host's workers die with it.
 */
import { fileURLToPath } from 'node:url';
import { utilityProcess } from 'electron';
import { isBrokerRequest } from '@samfire/core/host';
import type { HostChannel, HostSpawner } from '@samfire/core/host';
import { FitWorkerBroker } from './fit-workers.js';

export interface UtilityHostOptions {
  /** The bundled host entry (out/main/host-entry.js). */
  entry: string;
  /** The bundled fit worker entry, as a file URL: main forks it for the host's pool. */
  workerScript: string;
  backupDir: string;
}

export function utilityHostSpawner(options: UtilityHostOptions): HostSpawner {
  return (restore) => {
    const args = [
      `--backup-dir=${options.backupDir}`,
      `--worker-script=${options.workerScript}`,
      ...(restore ? ['--restore'] : []),
    ];
    const child = utilityProcess.fork(options.entry, args, {
      serviceName: 'SAMFire service host',
      stdio: 'inherit',
    });
    const workers = new FitWorkerBroker(child, { script: fileURLToPath(options.workerScript) });
    child.on('message', (m: unknown) => void workers.receive(m));
    child.on('exit', () => workers.close());
    let exited = false;
    const channel: HostChannel = {
      get pid() {
        return child.pid;
      },
      post: (m) => child.postMessage(m),
      onMessage: (cb) =>
        void child.on('message', (m: unknown) => {
          if (!isBrokerRequest(m)) cb(m);
        }),
      onExit: (cb) => {
        child.on('exit', (code) => {
          if (exited) return;
          exited = true;
          cb(`exited with code ${code}`);
        });
      },
      kill: () => {
        workers.close();
        if (!exited) child.kill();
      },
    };
    return channel;
  };
}
