"""HyperSpy 1.7.3 loading files, timed inside this process, for test/bench/io-bench.ts.

usage: /usr/bin/python3 hs_io_bench.py JOBS.json
JOBS.json: a list of {"path", "expr", "repeats"}; `expr` is a Python
expression loading `path` (hs is hyperspy.api). Prints a JSON list: for each
job the best and all times (seconds, time.perf_counter around the
expression) and the data bytes of the largest signal it returned, or an
error. HyperSpy is used as a black box through its public API.
"""
import json
import logging
import sys
import time
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402


def nbytes(r):
    signals = r if isinstance(r, list) else [r]
    return max(int(np.asarray(s.data).nbytes) for s in signals)


def main(jobs):
    out = []
    for job in jobs:
        try:
            times = []
            size = 0
            for _ in range(max(1, int(job["repeats"]))):
                scope = {"hs": hs, "np": np, "path": job["path"]}
                t = time.perf_counter()
                r = eval(job["expr"], scope)
                times.append(time.perf_counter() - t)
                size = nbytes(r)
                del r, scope
            out.append({"best": min(times), "times": times, "bytes": size})
        except Exception as e:
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    print(json.dumps(out))


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        main(json.load(f))
