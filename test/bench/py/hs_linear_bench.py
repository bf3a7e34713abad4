"""HyperSpy 1.7.3's linear whole-map fit, timed, for test/bench/linear-bench.ts.

usage: hs_linear_bench.py FILE MODEL MODE [ROWS]
  FILE   a .hspy written by this project (signal + model MODEL)
  MODE   unweighted (variance removed: HyperSpy's vectorised lstsq) or
         weighted (variance max(counts, 1): HyperSpy fits pixel by pixel)
  ROWS   fit only the first ROWS rows of the map (for HyperSpy's slow cases)

HyperSpy 1.7.3's legacy Polynomial (one multi-valued `coefficients`
parameter, the form its files hold) is not linear for its lstsq, so it is
replaced by the non-legacy Polynomial of the same order: the same function
space, so the same fit. Black box: public API only. Prints one JSON line:
seconds (multifit only), pixels, and some results to check against ours.
"""
import json
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import hyperspy.api as hs  # noqa: E402

path, name, mode = sys.argv[1], sys.argv[2], sys.argv[3]
rows = int(sys.argv[4]) if len(sys.argv) > 4 else None

s = hs.load(path)
m = s.models.restore(name)
if rows is not None:
    m = m.inav[:, :rows]
    s = m.signal
counts = np.asarray(s.data, dtype=float)
if mode == "unweighted":
    s.metadata.Signal.Noise_properties.variance = None
else:
    s.metadata.Signal.Noise_properties.variance = s._deepcopy_with_new_data(
        np.maximum(counts, 1.0)
    )
for c in list(m):
    if c._id_name == "Polynomial" and getattr(c, "legacy", True) and hasattr(c, "coefficients"):
        order = len(np.atleast_1d(c.coefficients.value)) - 1
        m.remove(c)
        p = hs.model.components1D.Polynomial(order=order, legacy=False)
        p.name = c.name
        m.append(p)
# Each X-ray family: its main line's Gaussian and the Gaussians whose A is tied
# to it. HyperSpy 1.7.3's lstsq cannot fit twinned Gaussians (it fails
# computing their constant term), so a family becomes one Expression
# component with one linear amplitude A and the lines' (fixed, calibrated)
# ratios, centres and widths as numbers: the same function of A as ours.
gaussians = [c for c in m if c._id_name == "Gaussian"]
families = {}
for c in gaussians:
    root = c.A.twin.component if c.A.twin is not None else c
    families.setdefault(root.name, []).append(c)
for main_name, lines in families.items():
    main = m[main_name]
    terms = []
    for g in lines:
        ratio = 1.0 if g is main else float(g.A.twin_function(1.0))
        c0, s0 = float(g.centre.value), float(g.sigma.value)
        terms.append(
            f"{ratio!r}*exp(-(x-{c0!r})**2/(2*{s0!r}**2))/({s0!r}*{np.sqrt(2 * np.pi)!r})"
        )
    e = hs.model.components1D.Expression(
        "A*(" + " + ".join(terms) + ")", name=main_name + "_family", A=float(main.A.value)
    )
    e.A.free = True
    for g in lines:
        g.A.twin = None
        m.remove(g)
    m.append(e)
t0 = time.perf_counter()
m.multifit(optimizer="lstsq", show_progressbar=False)
seconds = time.perf_counter() - t0
def finite(a):
    """The first 64 values, None where not finite (JSON has no NaN)."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(a, dtype=float).ravel()[:64]]


nav = int(np.prod(s.axes_manager.navigation_shape))
gauss = [c for c in m if c.name.endswith("_family")]
print(
    json.dumps(
        {
            "seconds": seconds,
            "pixels": nav,
            "channels": int(np.sum(m.channel_switches)),
            "free": int(sum(p._number_of_elements for c in m for p in c.parameters if p.free)),
            "A": {c.name: finite(c.A.map["values"]) for c in gauss},
            "chisq": finite(m.chisq.data),
        }
    )
)
