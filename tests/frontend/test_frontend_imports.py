"""The front end stays light: checking and formatting import no quantum SDK, no ML library, not even numpy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("qiskit", "qiskit_aer", "pennylane", "torch", "transformers", "sklearn", "scipy", "numpy", "jinja2")

SCRIPT = """
import json, sys
from qlang.cli import main
codes = [main(["check", sys.argv[1]]), main(["fmt", "--check", sys.argv[1]])]
print(json.dumps({"codes": codes, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""

SPEC = """pipeline light {
  data words = vader_lexicon(limit: 160)
  stage finetune head {
    method hybrid_qnn_head(qubits: 4, layers: 2)
    baseline [logistic_regression, mlp]
  }
}
"""


def test_check_and_fmt_import_nothing_heavy(tmp_path):
    spec = tmp_path / "light.qlc"
    spec.write_text(SPEC, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(spec)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["codes"] == [0, 0], proc.stderr
    assert "\x1b[" not in proc.stderr  # a pipe is not a terminal: no colour
    heavy = sorted(set(HEAVY) & set(got["modules"]))
    assert not heavy, f"the front end imported {heavy}"
