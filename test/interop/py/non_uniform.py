"""Non-uniform (DataAxis) signals through HyperSpy's public API.

Usage:
  python3 non_uniform.py read FILE    prints the data, axes (with every value
                                      of a non-uniform axis) and variance as JSON
  python3 non_uniform.py write FILE   writes a 2 x 3 map on a non-uniform,
                                      binned energy axis (E = hc / lambda for
                                      lambda = 400 .. 800 nm, 41 channels,
                                      increasing), data = 1000 * pixel + channel,
                                      with a variance signal = 2 * data + 1

Used by test/interop (HyperSpy is GPL: this script only calls its public API).
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402

HC = 6.62607015e-34 * 299792458 / 1.602176634e-19 * 1e9


def axis_json(a):
    out = {
        "name": a.name if isinstance(a.name, str) else "",
        "size": int(a.size),
        "units": a.units if isinstance(a.units, str) else "",
        "navigate": bool(a.navigate),
        "is_binned": bool(a.is_binned),
        "is_uniform": bool(a.is_uniform),
        "values": [float(v) for v in a.axis],
    }
    return out


def read(path):
    s = hs.load(path)
    am = s.axes_manager
    data_axes = list(am.navigation_axes[::-1]) + list(am.signal_axes[::-1])
    variance = s.metadata.get_item("Signal.Noise_properties.variance")
    print(
        json.dumps(
            {
                "shape": list(s.data.shape),
                "data": [float(v) for v in np.ravel(s.data)],
                "axes": [axis_json(a) for a in data_axes],
                "variance": None
                if not hasattr(variance, "data")
                else [float(v) for v in np.ravel(variance.data)],
            }
        )
    )


def write(path):
    lam = np.linspace(400, 800, 41)
    energy = (HC / lam)[::-1]
    data = np.array([[1000.0 * (r * 3 + c) + np.arange(41) for c in range(3)] for r in range(2)])
    axes = [
        {"name": "y", "size": 2, "offset": 0, "scale": 0.5, "units": "um", "navigate": True},
        {"name": "x", "size": 3, "offset": 0, "scale": 0.5, "units": "um", "navigate": True},
        {"name": "Energy", "units": "eV", "axis": energy, "navigate": False, "is_binned": True},
    ]
    s = hs.signals.Signal1D(data, axes=axes)
    s.metadata.General.title = "cl energy"
    s.metadata.Signal.signal_type = "CL"
    s.metadata.set_item("Signal.Noise_properties.variance", hs.signals.Signal1D(2 * data + 1))
    s.save(path, overwrite=True)


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
