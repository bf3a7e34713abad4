"""Load a project saved by SAMFire Studio with HyperSpy, restore its model, save it again.

Usage: python3 project_state.py FILE MODEL_NAME RESAVED

Prints one JSON object: the restored model's component names, the app's
state attribute as HyperSpy keeps it in the model's metadata (a plain
string), and the same after HyperSpy saved the signal to RESAVED and loaded
it again. Used by test/interop (HyperSpy is GPL: only its public API).
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import hyperspy.api as hs  # noqa: E402


def main(path, name, resaved):
    s = hs.load(path)
    m = s.models.restore(name)
    node = s.models._models.get_item(name)
    state = node.get_item("samfire_studio") if node.has_item("samfire_studio") else None
    s.save(resaved, overwrite=True)
    s2 = hs.load(resaved)
    again = s2.models._models.get_item(name).get_item("samfire_studio")
    restored = [c.name for c in s2.models.restore(name)]
    print(
        json.dumps(
            {
                "components": [c.name for c in m],
                "state": state if isinstance(state, str) else repr(state),
                "state_after_resave": again if isinstance(again, str) else repr(again),
                "components_after_resave": restored,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: project_state.py FILE MODEL_NAME RESAVED")
    main(sys.argv[1], sys.argv[2], sys.argv[3])
