"""Load a file with HyperSpy and print its signal as JSON.

Usage: python3 info.py FILE

Prints title, signal type, dtype, data shape, axes in data order (name,
size, offset, scale, units, navigate, is_binned), the sum of the data, the
variance (kind and sum) and the names of the stored models. Used by
test/interop (HyperSpy is GPL: this script only calls its public API).
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402


def main(path):
    s = hs.load(path)
    am = s.axes_manager
    data_axes = list(am.navigation_axes[::-1]) + list(am.signal_axes[::-1])
    variance = s.metadata.get_item("Signal.Noise_properties.variance")
    linear = s.metadata.get_item("Signal.Noise_properties.Variance_linear_model")
    out = {
        "title": s.metadata.General.title,
        "signal_type": s.metadata.Signal.signal_type,
        "dtype": str(s.data.dtype),
        "shape": list(s.data.shape),
        "axes": [
            {
                "name": a.name if isinstance(a.name, str) else "",
                "size": a.size,
                "offset": a.offset,
                "scale": a.scale,
                "units": a.units if isinstance(a.units, str) else "",
                "navigate": bool(a.navigate),
                "is_binned": bool(a.is_binned),
            }
            for a in data_axes
        ],
        "sum": float(np.sum(s.data, dtype="float64")),
        "variance": "none" if variance is None else ("signal" if hasattr(variance, "data") else "number"),
        "variance_sum": float(np.sum(variance.data)) if hasattr(variance, "data") else variance,
        "gain_factor": None if linear is None else float(linear.gain_factor),
        # Stored models are the public attributes of s.models besides its methods.
        "models": sorted(
            k for k in dir(s.models) if not k.startswith("_") and k not in ("ModelStub", "pop", "remove", "restore", "store")
        ),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: info.py FILE")
    main(sys.argv[1])
