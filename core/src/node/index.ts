/**
 * `@samfire/core/node`: the parts of core that need Node (Node 20 or later,
 * or an Electron main or utility process).
 *
 * - files by path: readSignalFile (every format, by extension) and its reader
 *   registry, HyperSpy .hspy read and write (signals and stored models),
 *   writeFileAtomic, and the file byte source of the streaming readers;
 * - worker pools: NodeWorkerPool (worker threads or child processes, or any
 *   transport through a WorkerSpawner), the worker scripts and how to start
 *   one, and a worker's own side (startWorker with `@samfire/core`'s createKernel,
 *   or runWorker with any kernel);
 * - SAMFire backup files (atomic writes, checked reads);
 * - the host's Node side: the host process (Electron utility process or Node
 *   child), its file-system HostDeps and backup store, the browser-mode
 *   server and launcher, and utility-process fit workers.
 *
 * The pure fitting API is `@samfire/core`, the host's service layer
 * `@samfire/core/host`, the app contract `@samfire/core/api`.
 */

// Files by path
export {
  readSignalFile,
  readableExtensions,
  registerReader,
  writeFileAtomic,
  type FileReader,
} from '../io/node/read-file.js';
export {
  HspyFile,
  readHspy,
  readHspyModel,
  writeHspy,
  type ReadHspyOptions,
} from '../io/node/hspy.js';
export { openFileSource, withFileSource, type FileSource } from '../io/node/file-source.js';
export { readEmiFile, readSerFile } from '../io/node/tia.js';
export {
  aswFiles,
  readAswFile,
  readJeolEdsFile,
  readJeolImageFile,
  readPtsFile,
} from '../io/node/jeol.js';

// The linear whole-map fit on worker threads
export {
  LinearThreadPool,
  fitLinearThreads,
  type LinearThreadsOptions,
} from '../linear/node/linear-threads.js';

// Worker pools
export { NodeWorkerPool, type NodeWorkerPoolOptions } from '../pool/node/thread-pool.js';
// Node's core count for SAMFire's default workers (Node 20 has no navigator).
import '../samfire/node/cores.js';
// The cluster pool: workers on other hosts through NATS JetStream
export {
  NatsPool,
  type ClusterStatus,
  type ClusterWorker,
  type NatsPoolOptions,
} from '../pool/node/nats/nats-pool.js';
export { NatsWorker, type NatsWorkerOptions } from '../pool/node/nats/nats-worker.js';
export {
  connectNats,
  type NatsConnectSettings,
  type NatsTls,
} from '../pool/node/nats/connection.js';
export {
  freePort,
  natsServerBinary,
  startNatsServer,
  type LocalNats,
  type LocalNatsOptions,
} from '../pool/node/nats/local-server.js';
export {
  SOURCE_CONDITION,
  TYPESCRIPT_EXEC_ARGV,
  fitWorkerScript,
  forkExecArgv,
  threadStart,
  workerScript,
  type WorkerScript,
} from '../pool/node/worker-script.js';
export {
  spawnWorker,
  type WorkerHandle,
  type WorkerKind,
  type WorkerListeners,
  type WorkerSpawner,
} from '../pool/node/spawn.js';
export {
  detectPort,
  startWorker,
  type ElectronParentPort,
  type ForkedProcess,
  type WorkerEnvironment,
} from '../pool/node/ports.js';
export { runWorker, type KernelFactory, type WorkerPort } from '../pool/node/worker-host.js';

// SAMFire backup files
export { fileBackupWriter, readBackupFile, writeBackupFile } from '../samfire/node/backup-file.js';

// The host's Node side
export {
  detectHostPort,
  parseHostArgs,
  runHostProcess,
  serveHost,
  utilityParentPort,
  type HostArgs,
  type HostPort,
} from '../host/node/host-process.js';
export { nodeHostDeps, type NodeDepsOptions } from '../host/node/node-deps.js';
export { FileBackupStore } from '../host/node/backup-store.js';
export { childHostSpawner, type ChildHostOptions } from '../host/node/child-host.js';
export {
  contentSecurityPolicy,
  startBrowserServer,
  type BrowserServer,
  type BrowserServerOptions,
} from '../host/node/browser-server.js';
export { runBrowserMode } from '../host/node/browser-main.js';
export { utilityWorkerSpawner } from '../host/node/utility-workers.js';
