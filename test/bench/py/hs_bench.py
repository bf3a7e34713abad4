"""HyperSpy 1.7.3's SAMFire on a benchmark case, with the settings of the
reference scripts (../shared/tools/hyperspy), for test/bench/samfire-bench.ts.

usage: /usr/bin/python3 hs_bench.py domain CASE_DIR WORKERS OUT.json
       /usr/bin/python3 hs_bench.py eds|eds-fixed SEED.hspy WORKERS OUT.json

domain: CASE_DIR/data.npy and case.json (written by our generator); the model,
  seed fit at (0, 0) and SAMFire settings of hs_make_case.py (local strategy
  only, radii 1, l2 optional, bounded, reduced chi-squared tolerance 1).
eds: the stored model 'seed' of SEED.hspy (seed pixel fitted, values assigned
  to all pixels), HyperSpy's default strategies, tolerance 0.8, bounded, as
  hs_eds_ref.py.

Writes the time of samf.start(), the pixels fitted (marker <= -1), the peak
memory (RSS summed over this process and its children, sampled every 50 ms)
and the fitted maps. HyperSpy is used as a black box through its public API.
"""
import json, math, os, sys, threading, time, warnings

warnings.filterwarnings("ignore")
import numpy as np


def clean(o):
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean(v) for v in o]
    return o


def tree_rss(root):
    """RSS in bytes of `root` and all its descendants (from /proc)."""
    children = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, ValueError, IndexError):
            pass
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
        todo.extend(children.get(pid, []))
    return total


class PeakSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = False

    def run(self):
        me = os.getpid()
        while not self.stop:
            self.peak = max(self.peak, tree_rss(me))
            time.sleep(0.05)


def domain_model(s):
    from hyperspy.components1d import Gaussian, Lorentzian

    m = s.create_model()
    g = Gaussian(); g.name = "g"
    l1 = Lorentzian(); l1.name = "l1"
    l2 = Lorentzian(); l2.name = "l2"
    g.sigma.value = 50; g.centre.value = 400; g.A.value = 50000
    l1.gamma.value = 40; l1.centre.value = 300; l1.A.value = 300000
    l2.gamma.value = 15; l2.centre.value = 100; l2.A.value = 50000
    l2.centre.bmin = 0; l2.centre.bmax = 200
    l2.A.bmin = 30000; l2.A.bmax = 100000
    l2.gamma.bmin = 0; l2.gamma.bmax = 60
    m.extend([g, l1, l2])
    return m


def maps_of(m, marker):
    params, active = {}, {}
    for comp in m:
        for p in comp.parameters:
            if not p.free:
                continue
            v = np.asarray(p.map["values"])
            if v.ndim > marker.ndim:  # a multi-valued parameter (Polynomial coefficients)
                for j in range(v.shape[-1]):
                    params[f"{comp.name}.{p.name}[{j}]"] = v[..., j].ravel().tolist()
            else:
                params[f"{comp.name}.{p.name}"] = v.ravel().tolist()
        if comp._active_array is not None:
            active[comp.name] = comp._active_array.astype(int).ravel().tolist()
    return {"marker": marker.ravel().tolist(), "params": params, "active": active}


def main(kind, source, workers, out):
    import hyperspy.api as hs

    sampler = PeakSampler()
    sampler.start()
    t_load = time.time()
    if kind == "domain":
        case = json.load(open(os.path.join(source, "case.json")))
        data = np.load(os.path.join(source, "data.npy"))
        s = hs.signals.Signal1D(data)
        s.metadata.General.title = case["name"]
        s.axes_manager[-1].scale = case["scale"]
        s.axes_manager[-1].name = "Energy"; s.axes_manager[-1].units = "eV"
        s.estimate_poissonian_noise_variance()
        m = domain_model(s)
        m.assign_current_values_to_all()
        m[2].active_is_multidimensional = True
        m.fit()  # the seed pixel (0, 0)
        samf = m.create_samfire(workers=workers, ipyparallel=False)
        samf.plot_every = np.nan
        samf.strategies[0].radii = 1.0
        samf.strategies.remove(1)
        samf.optional_components = [m[2]]
    else:
        s = hs.load(source)
        m = s.models.restore("seed")
        if kind == "eds-fixed":
            # The lines' energies and widths fixed at the seed's values: only amplitudes free.
            for comp in m:
                for name in ("centre", "sigma"):
                    if hasattr(comp, name):
                        getattr(comp, name).free = False
        samf = m.create_samfire(workers=workers, ipyparallel=False)
        samf.plot_every = np.nan
        samf.metadata.goodness_test.tolerance = 0.8
    load_seconds = time.time() - t_load
    t0 = time.time()
    samf.start(bounded=True)
    seconds = time.time() - t0
    marker = np.asarray(samf.metadata.marker)
    sampler.stop = True
    sampler.join()
    res = {
        "program": "hyperspy",
        "version": hs.__version__,
        "workers": workers,
        "pixels": int(marker.size),
        "pixelsFitted": int((marker <= -1).sum()),
        "seconds": seconds,
        "loadSeconds": load_seconds,
        "peakRssBytes": sampler.peak,
        "maps": maps_of(m, marker),
    }
    samf.stop()
    json.dump(clean(res), open(out, "w"))


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], int(a[2]), a[3])
