/**
 * The service host in an Electron utility process: a HostSpawner for
 * core's HostConnection, which does the RPC, crash reporting and restarts.
 * Messages to and from a utility process are structured clones, so typed
 * arrays and NaN arrive unchanged.
 */
import { utilityProcess } from 'electron';
import type { HostChannel, HostSpawner } from '../../../core/src/host/host-connection.js';

export interface UtilityHostOptions {
  /** The bundled host entry (out/main/host-entry.js). */
  entry: string;
  /** The bundled fit worker entry, as a file URL, for the host's pool. */
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
    let exited = false;
    const channel: HostChannel = {
      get pid() {
        return child.pid;
      },
      post: (m) => child.postMessage(m),
      onMessage: (cb) => void child.on('message', cb),
      onExit: (cb) => {
        child.on('exit', (code) => {
          if (exited) return;
          exited = true;
          cb(`exited with code ${code}`);
        });
      },
      kill: () => {
        if (!exited) child.kill();
      },
    };
    return channel;
  };
}
