/** A HostSpawner on Node's child_process.fork (browser mode and tests). */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TYPESCRIPT_EXEC_ARGV } from '../../pool/node/worker-script.js';
import type { HostChannel, HostSpawner } from '../host-connection.js';

export interface ChildHostOptions {
  backupDir?: string | null;
  /** The host entry; default: host-entry next to this module (.ts through tsx when running from sources). */
  entry?: URL;
}

export function childHostSpawner(options: ChildHostOptions = {}): HostSpawner {
  const typescript = import.meta.url.endsWith('.ts');
  const entry =
    options.entry ?? new URL(`./host-entry.${typescript ? 'ts' : 'js'}`, import.meta.url);
  const execArgv = entry.pathname.endsWith('.ts') ? [...TYPESCRIPT_EXEC_ARGV] : [];
  return (restore) => {
    const args = [
      ...(options.backupDir ? [`--backup-dir=${options.backupDir}`] : []),
      ...(restore ? ['--restore'] : []),
    ];
    // 'advanced' serialisation keeps typed arrays typed and NaN as NaN.
    const child = fork(fileURLToPath(entry), args, {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let exited = false;
    const channel: HostChannel = {
      pid: child.pid,
      post: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (cb) => void child.on('message', cb),
      onExit: (cb) => {
        child.on('exit', (code, signal) => {
          if (exited) return;
          exited = true;
          cb(signal ? `was killed by ${signal}` : `exited with code ${code}`);
        });
        child.on('error', (e) => {
          if (child.pid === undefined && !exited) {
            exited = true;
            cb(`could not start (${e.message})`);
          }
        });
      },
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
    return channel;
  };
}
