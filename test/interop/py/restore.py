"""Load a .hspy file with HyperSpy, restore a stored model and print it as JSON.

Usage: python3 restore.py FILE MODEL_NAME [all]

Prints one JSON object: the signal (title, type, axes, dtype, variance kind),
the model's channel switches, chisq and dof maps, and per component its kind,
active flags (and per-pixel active map) and per parameter its free flag,
bounds, current value and std and the map (values, std, is_set), all flat in
C order. NaN is written as null (JSON has no NaN). Also the model evaluated
by HyperSpy at the first pixel, on every channel, from the stored values,
and with `all` at every pixel (flat, pixels x channels). A tied parameter
(HyperSpy's twin) gives its master as [component, parameter] and its
twin_function_expr.
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


def plain(x):
    """Lists of floats with NaN as None (recursively)."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def flat(a):
    return plain(np.asarray(a).ravel(order="C"))


def bounds(p):
    b = p.bmin, p.bmax
    return [plain(v) if v is not None else None for v in b]


def main(path, name, every=False):
    s = hs.load(path)
    m = s.models.restore(name)
    am = s.axes_manager
    # HyperSpy's axes in data order: navigation reversed, then signal reversed.
    data_axes = list(am.navigation_axes[::-1]) + list(am.signal_axes[::-1])
    variance = s.metadata.get_item("Signal.Noise_properties.variance")
    out = {
        "signal": {
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
            "variance": "none"
            if variance is None
            else ("signal" if hasattr(variance, "data") else "number"),
            "variance_sum": float(np.sum(variance.data)) if hasattr(variance, "data") else plain(variance),
        },
        "channel_switches": flat(m.channel_switches),
        "chisq": flat(m.chisq.data),
        "dof": flat(m.dof.data),
        "components": [],
    }
    for c in m:
        comp = {
            "name": c.name,
            "kind": c._id_name,
            "active": bool(c.active),
            "active_is_multidimensional": bool(c.active_is_multidimensional),
            "active_map": flat(c._active_array) if c.active_is_multidimensional else None,
            "parameters": [],
        }
        for p in c.parameters:
            comp["parameters"].append(
                {
                    "name": p.name,
                    "free": bool(p.free),
                    "bounds": bounds(p),
                    "value": plain(np.atleast_1d(p.value)),
                    "std": plain(np.atleast_1d(p.std)) if p.std is not None else None,
                    "twin": [p.twin.component.name, p.twin.name] if p.twin is not None else None,
                    "twin_function_expr": p.twin_function_expr,
                    "map": {
                        "values": flat(p.map["values"]),
                        "std": flat(p.map["std"]),
                        "is_set": flat(p.map["is_set"]),
                    },
                }
            )
        out["components"].append(comp)
    # The model at the first pixel from its stored values (active components only).
    m.axes_manager.indices = tuple(0 for _ in am.navigation_axes)
    m.fetch_stored_values()
    out["first_pixel_model"] = plain(np.asarray(m(onlyactive=True)))
    if every:
        spectra = []
        for index in np.ndindex(*am.navigation_shape[::-1]):
            m.axes_manager.indices = index[::-1]
            m.fetch_stored_values()
            spectra.extend(plain(np.asarray(m(onlyactive=True))))
        out["pixel_models"] = spectra
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "all"):
        sys.exit("usage: restore.py FILE MODEL_NAME [all]")
    main(sys.argv[1], sys.argv[2], len(sys.argv) == 4)
