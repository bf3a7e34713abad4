/**
 * A WorkerPool that hands jobs to the real one at a fixed pace, so that an
 * end-to-end test can watch a run of the small example (progress, live
 * marker, Stop in the middle) instead of seeing it finish in a second.
 */
import type { PoolEvents, PoolJob, WorkerPool, WorkerInit } from '@samfire/core';

export function slowPool(inner: WorkerPool, msPerJob: number): WorkerPool {
  const queue: PoolJob[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = (): void => {
    const job = queue.shift();
    if (job) inner.submit([job]);
    if (queue.length === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
  return {
    get size() {
      return inner.size;
    },
    get capacity() {
      return inner.capacity;
    },
    get inFlight() {
      return inner.inFlight + queue.length;
    },
    init: (init: WorkerInit, events: PoolEvents) => inner.init(init, events),
    submit: (jobs) => {
      queue.push(...jobs);
      timer ??= setInterval(tick, msPerJob);
    },
    drain: () => [...queue.splice(0), ...inner.drain()],
    close: async () => {
      if (timer) clearInterval(timer);
      queue.length = 0;
      await inner.close();
    },
  };
}
