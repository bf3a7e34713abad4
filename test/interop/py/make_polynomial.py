"""Write a .hspy file whose model uses both of HyperSpy 1.7's Polynomials.

Usage: python3 make_polynomial.py OUT_FILE

A 2 x 3 x 100 signal of quadratics, a model `poly` with the legacy
Polynomial (`coefficients`) named `legacy` and the new one (a0, a1, a2)
named `new`, each fitted alone at every pixel (the other inactive), stored
and saved. Used by test/interop to check that our reader maps both onto our
Polynomial (HyperSpy is GPL: this script only calls its public API).
"""
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402


def main(out):
    x = np.arange(100.0)
    data = np.empty((2, 3, 100))
    for i in range(2):
        for j in range(3):
            data[i, j] = 0.01 * (i + 1) * (x - 40 - 5 * j) ** 2 + 3 * j + 10
    s = hs.signals.Signal1D(data)
    s.metadata.General.title = "polynomials"
    m = s.create_model()
    legacy = hs.model.components1D.Polynomial(order=2)
    legacy.name = "legacy"
    new = hs.model.components1D.Polynomial(order=2, legacy=False)
    new.name = "new"
    m.extend([legacy, new])
    new.active = False
    m.multifit(show_progressbar=False)
    legacy.active = False
    new.active = True
    m.multifit(show_progressbar=False)
    m.store("poly")
    s.save(out, overwrite=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_polynomial.py OUT_FILE")
    main(sys.argv[1])
