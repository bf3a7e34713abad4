"""HyperSpy 1.7.3's hydrogenic EELSCLEdge as a black box: reads a JSON list of
cases (element_subshell, beam_energy keV, collection_angle mrad, start, step,
size) on stdin and prints, per case, the component's values at the axis
(intensity 1) and its onset energy."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import hyperspy.api as hs  # noqa: E402
from hyperspy.components1d import EELSCLEdge  # noqa: E402

out = []
for case in json.load(sys.stdin):
    s = hs.signals.EELSSpectrum(np.ones(case["size"]))
    ax = s.axes_manager[-1]
    ax.offset = case["start"]
    ax.scale = case["step"]
    s.set_microscope_parameters(
        beam_energy=case["beam_energy"],
        convergence_angle=0.0,
        collection_angle=case["collection_angle"],
    )
    m = s.create_model(auto_background=False, auto_add_edges=False)
    c = EELSCLEdge(case["edge"], GOS="hydrogenic")
    m.append(c)
    c.intensity.value = 1.0
    out.append({"onset": c.onset_energy.value, "values": c.function(ax.axis).tolist()})
print(json.dumps(out))
