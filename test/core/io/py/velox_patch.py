"""Make a synthetic Velox file (written by test/core/io/velox-builder.ts)
loadable by HyperSpy 1.7.3, whose reader also wants the Velox display and
feature groups and a full quantification operation.

Usage: python3 velox_patch.py REAL.emd SYNTHETIC.emd

Copies Application, Features, Presentation, Experiment and Info, and the
ImageQuantificationOperation, from the real Velox file REAL into SYNTHETIC
(in place). Our reader ignores all of them but the operation's element
list, which then reads Nb in both readers.
"""
import sys

import h5py


def main(real, synthetic):
    with h5py.File(real, "r") as src, h5py.File(synthetic, "r+") as dst:
        for name in ["Application", "Features", "Presentation", "Experiment", "Info"]:
            if name in dst:
                del dst[name]
            src.copy(src[name], dst, name=name)
        op = "Operations/ImageQuantificationOperation"
        if op in dst:
            del dst[op]
        src.copy(src[op], dst, name=op)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
