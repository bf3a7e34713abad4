"""HyperSpy 1.7.3's Poisson maximum-likelihood fit of one pixel, for comparison.

Usage: ml_poisson.py FILE.hspy ROW COL START.json
Loads the signal, fits Gaussian "al" + Gaussian "ag" + Offset "bg" on the
signal range of START.json from its starting values by least squares
(optimizer "lm"), then from that result with
m.fit(optimizer=..., loss_function="ML-poisson") (HyperSpy allows the loss with
scipy.optimize.minimize methods only), and prints the results as JSON.
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import hyperspy.api as hs  # noqa: E402

path, row, col, start_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(start_path) as f:
    start = json.load(f)
s = hs.load(path).inav[col, row]
s.set_signal_type("")
out = {"binned": bool(s.axes_manager.signal_axes[0].is_binned)}
for optimizer in ("Nelder-Mead", "L-BFGS-B"):
    m = s.create_model()
    al = hs.model.components1D.Gaussian()
    al.name = "al"
    ag = hs.model.components1D.Gaussian()
    ag.name = "ag"
    bg = hs.model.components1D.Offset()
    bg.name = "bg"
    m.extend([al, ag, bg])
    m.set_signal_range(*start["range"])
    for name, value in start["values"].items():
        comp, par = name.split(".")
        getattr(m[comp], par).value = value
    m.fit(optimizer="lm")
    out["ls"] = {n: float(getattr(m[n.split(".")[0]], n.split(".")[1]).value) for n in start["values"]}
    kwargs = {"options": {"maxiter": 20000, "maxfev": 20000, "xatol": 1e-10, "fatol": 1e-12}} if optimizer == "Nelder-Mead" else {"options": {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 20000}}
    m.fit(optimizer=optimizer, loss_function="ML-poisson", **kwargs)
    out[optimizer] = {
        "values": {n: float(getattr(m[n.split(".")[0]], n.split(".")[1]).value) for n in start["values"]},
        "chisq": float(m.chisq.data),
    }
print(json.dumps(out))
