"""Load Velox .emd files with HyperSpy and print what it reads, as JSON.

Usage: python3 velox_hs.py CASES.json

CASES.json is a list of {"path": ..., "kwargs": {...}} (hs.load keyword
arguments such as sum_frames), optionally with "sum_from": k to also give
the sha256 of the sum of signals k, k+1, ... (in the dtype of signal k). Prints one entry per case: {"signals": [...]}
or {"error": "..."}; each signal gives its title, dtype, shape, axes in data
order (name, size, scale, offset, units, navigate), the sha256 of its data
(C order, little-endian), and the metadata a fit needs. Used by
test/core/io/velox.test.ts (HyperSpy is GPL: this script only calls its
public API).
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


def item(s, path):
    v = s.metadata.get_item(path)
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v]
    return v


def describe(s):
    am = s.axes_manager
    axes = list(am.navigation_axes[::-1]) + list(am.signal_axes[::-1])
    data = np.ascontiguousarray(s.data)
    if data.dtype.byteorder == ">":
        data = data.astype(data.dtype.newbyteorder("<"))
    tem = "Acquisition_instrument.TEM."
    return {
        "title": s.metadata.General.title,
        "signal_type": s.metadata.Signal.signal_type,
        "dtype": str(s.data.dtype),
        "shape": list(s.data.shape),
        "axes": [
            {
                "name": a.name if isinstance(a.name, str) else "",
                "size": a.size,
                "scale": float(a.scale),
                "offset": float(a.offset),
                "units": a.units if isinstance(a.units, str) else "",
                "navigate": bool(a.navigate),
            }
            for a in axes
        ],
        "sha256": hashlib.sha256(data.tobytes()).hexdigest(),
        "beam_energy": item(s, tem + "beam_energy"),
        "camera_length": item(s, tem + "camera_length"),
        "magnification": item(s, tem + "magnification"),
        "microscope": item(s, tem + "microscope"),
        "tilt_alpha": item(s, tem + "Stage.tilt_alpha"),
        "live_time": item(s, tem + "Detector.EDS.live_time"),
        "number_of_frames": item(s, tem + "Detector.EDS.number_of_frames"),
        "elements": item(s, "Sample.elements"),
        "date": item(s, "General.date"),
        "time": item(s, "General.time"),
    }


def main(cases_path):
    with open(cases_path) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        try:
            loaded = hs.load(case["path"], **case.get("kwargs", {}))
        except Exception as e:  # noqa: BLE001 (reported to the test)
            out.append({"error": f"{type(e).__name__}: {e}"})
            continue
        signals = loaded if isinstance(loaded, list) else [loaded]
        entry = {"signals": [describe(s) for s in signals]}
        if "sum_from" in case:
            parts = signals[case["sum_from"]:]
            total = np.sum([p.data for p in parts], axis=0).astype(parts[0].data.dtype)
            entry["summed_sha256"] = hashlib.sha256(
                np.ascontiguousarray(total).astype(total.dtype.newbyteorder("<")).tobytes()
            ).hexdigest()
        out.append(entry)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
