"""Probe HyperSpy 1.7.3's SAMFire API semantics on the domain reference case.

Usage: /usr/bin/python3 samfire_semantics.py [--start] > out.json
(run by hand; the numbers it prints are written into the unit tests that
cite it: test/core/samfire/hyperspy-semantics.test.ts.)

Loads ../shared/data/reference/domain-7x15x400/hyperspy.hspy, model
`samfire` (HyperSpy's own SAMFire result: every pixel fitted, red_chisq as in
hyperspy_maps.json), makes a Samfire on it (setup=False, radii 1) and prints
one JSON object, the marker in C order (rows of 15), for:

- refresh with `given` (columns 0-4) with and without overwrite, in the
  local (reduced chi-squared) and the global (histogram) strategy, from a
  marker holding -1 everywhere except -2 at (0, 2) and (3, 12), 0 at (6, 1),
  0.5 at (5, 3) and 0.7 at (2, 10);
- a good update next to pixels being fitted whose marker was written
  after they were picked;
- generate_values after values were written into the marker;
- a local strategy's starting values with a component off everywhere;
- with --start: start() again after the goodness test's tolerance changed
  (slow: it fits with a worker pool).

HyperSpy is GPL: this script only calls its public API (black box).
"""
import json
import logging
import os
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402

SHARED = os.environ.get("SAMFIRE_SHARED") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared")
CASE = os.path.join(SHARED, "data", "reference", "domain-7x15x400", "hyperspy.hspy")


def flat(a):
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, float).ravel()]


def load():
    s = hs.load(CASE)
    m = s.models.restore("samfire")
    samf = m.create_samfire(workers=1, ipyparallel=False, setup=False)
    samf.plot_every = np.nan
    samf.strategies[0].radii = 1.0
    return m, samf


def refresh_state(mk):
    mk[:] = -1
    mk[0, 2] = -2
    mk[3, 12] = -2
    mk[6, 1] = 0
    mk[5, 3] = 0.5
    mk[2, 10] = 0.7


def main():
    out = {}
    m, samf = load()
    mk = samf.metadata.marker
    given = np.zeros((7, 15), bool)
    given[:, :5] = True
    out["given"] = flat(given)
    for name, strategy in (("local", 0), ("global", 1)):
        if strategy == 1:
            samf.change_strategy(1)
        for overwrite in (False, True):
            refresh_state(mk)
            out[f"{name} refresh state"] = flat(mk)
            samf.strategies[strategy].refresh(overwrite, given)
            out[f"{name} refresh overwrite={overwrite}"] = flat(mk)
    samf.change_strategy(0)

    # generate_values sees values written into the marker after a pick.
    mk[:] = 0
    samf.running_pixels = []
    first = [tuple(int(i) for i in ind) for ind, _ in samf.generate_values(3)]
    for ind in [(1, 1), (2, 5), (4, 9), (6, 14)]:
        mk[ind] = 2
    left = int(samf.pixels_left)
    second = sorted(tuple(int(i) for i in ind) for ind, _ in samf.generate_values(10))
    out["generate"] = {"first": first, "left after writes": left, "second": second}

    # A good update resets every pixel being fitted to 0.
    mk[:] = 0
    samf.running_pixels = []
    mk[3, 8] = 4
    mk[0, 0] = 3
    picked = [tuple(int(i) for i in ind) for ind, _ in samf.generate_values(1)]
    picked += [tuple(int(i) for i in ind) for ind, _ in samf.generate_values(1)]
    mk[3, 8] = 0.6  # running, next to (3, 7)
    mk[0, 0] = 0.9  # running, far away
    mk[2, 8] = 0.25  # a candidate
    samf.update((3, 7), isgood=True)
    out["update running"] = {"picked": picked, "marker": flat(mk)}

    # Starting values: only active components.
    mk[:] = -1
    mk[3, 7] = 0
    samf.running_pixels = []
    values = {}
    values["all on"] = samf.strategies[0].values((3, 7))
    m[1].active = False
    values["l1 off everywhere"] = samf.strategies[0].values((3, 7))
    m[1].active = True
    out["values"] = {k: {c: sorted(v) for c, v in d.items()} for k, d in values.items()}

    if "--start" in sys.argv:
        m, samf = load()
        samf.refresh_database()
        samf.strategies.remove(1)
        samf.optional_components = [m[2]]
        rc = m.red_chisq.data.copy()
        before = {"done": int(samf.pixels_done), "left": int(samf.pixels_left)}
        samf.metadata.goodness_test.tolerance = 0.05
        samf.start(bounded=True)
        after = {"done": int(samf.pixels_done), "left": int(samf.pixels_left),
                 "count": int(samf.count),
                 "red_chisq changed": int((m.red_chisq.data != rc).sum()),
                 "fail the new test": int((np.abs(rc - 1) >= 0.05).sum())}
        samf.refresh_database()
        refreshed = {"done": int(samf.pixels_done), "left": int(samf.pixels_left)}
        samf.stop()
        out["start after tolerance change"] = {
            "before": before, "after start": after, "after refresh_database": refreshed}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
