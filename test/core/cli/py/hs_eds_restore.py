"""Restores a model from a .hspy file with HyperSpy 1.7.3 and prints, as JSON,
its components, its chisq map, every Gaussian's A map and the model
spectrum HyperSpy computes at some pixels. Black box: public API only.
usage: hs_eds_restore.py FILE NAME ROW,COL [ROW,COL ...]"""
import json
import sys

import numpy as np
import hyperspy.api as hs


def clean(a):
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float).ravel()]


path, name = sys.argv[1], sys.argv[2]
pixels = [tuple(int(v) for v in p.split(",")) for p in sys.argv[3:]]
s = hs.load(path)
m = s.models.restore(name)
out = {
    "components": [c.name for c in m],
    "chisq": clean(m.chisq.data),
    "A": {c.name: clean(c.A.map["values"]) for c in m if c._id_name == "Gaussian"},
    "twins": {
        c.name: (c.A.twin.component.name if c.A.twin is not None else None)
        for c in m
        if c._id_name == "Gaussian"
    },
    "spectra": [],
}
for row, col in pixels:
    m.axes_manager.indices = (col, row)
    m.fetch_stored_values()
    out["spectra"].append(clean(m.__call__(non_convolved=True, onlyactive=True)))
print(json.dumps(out))
