"""Load files with HyperSpy 1.7.3 and print what it made of them, as JSON.

Usage: python3 hs_load.py CASES_JSON
CASES_JSON is a list of {"file": path, "kwargs": {...}}; for each case the
output lists the signals hs.load(file, **kwargs) returns (one or a list),
each with title, signal type, dtype, shape, axes in data order (name,
size, scale, offset, units, navigate), the sha256 of the data (C order,
little-endian), its sum, the metadata (without the load's timestamps) and
the original_metadata (and for 4-D data the sha256 and sum of each
slice of the first axis); or the error HyperSpy raised. Used by the Bruker
reader's tests (HyperSpy is GPL: this script only calls its public API).
"""
import hashlib
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402


def plain(o):
    if isinstance(o, dict):
        return {str(k): plain(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [plain(v) for v in o]
    if isinstance(o, np.ndarray):
        return plain(o.tolist())
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        o = float(o)
    if isinstance(o, float) and (o != o or o in (float("inf"), float("-inf"))):
        return repr(o)
    if o is None or isinstance(o, (bool, int, float, str)):
        return o
    return repr(o)


def describe(s):
    am = s.axes_manager
    axes = list(am.navigation_axes[::-1]) + list(am.signal_axes[::-1])
    data = np.ascontiguousarray(s.data)
    le = data.astype(data.dtype.newbyteorder("<"), copy=False)
    md = s.metadata.as_dictionary()
    md.pop("_HyperSpy", None)
    md.get("General", {}).pop("FileIO", None)
    out = {
        "title": s.metadata.General.title,
        "signal_type": s.metadata.Signal.signal_type,
        "dtype": str(data.dtype),
        "shape": list(data.shape),
        "axes": [
            {
                "name": a.name if isinstance(a.name, str) else "",
                "size": int(a.size),
                "scale": float(a.scale),
                "offset": float(a.offset),
                "units": a.units if isinstance(a.units, str) else "",
                "navigate": bool(a.navigate),
            }
            for a in axes
        ],
        "sha256": hashlib.sha256(le.tobytes()).hexdigest(),
        "sum": float(np.sum(data, dtype="float64")),
        "metadata": plain(md),
        "original_metadata": plain(s.original_metadata.as_dictionary()),
    }
    if le.ndim == 4:  # frames (or another first axis) of a spectrum image, one by one
        out["frame_sha256"] = [hashlib.sha256(f.tobytes()).hexdigest() for f in le]
        out["frame_sum"] = [float(np.sum(f, dtype="float64")) for f in le]
    return out


def main(cases):
    out = []
    for case in cases:
        try:
            r = hs.load(case["file"], **case.get("kwargs", {}))
            signals = r if isinstance(r, list) else [r]
            out.append({"signals": [describe(s) for s in signals]})
        except Exception as e:  # report, do not stop the batch
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: hs_load.py CASES_JSON")
    with open(sys.argv[1]) as f:
        main(json.load(f))
