"""A run imports what its stages' tasks will import before the first stage (runtime.runner.warm_imports), so
the first stage is not charged the process's first imports (issue 16: 30x its own work on quickstart --smoke).
Fresh processes: in this one, other tests have imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from qlang.runtime.runner import warm_imports
stage = lambda method, *baselines: {"method": {"name": method}, "baselines": [{"name": b} for b in baselines]}
warm_imports({"stages": [stage(*sys.argv[1:])]})
print(json.dumps({m: m in sys.modules for m in ("qlang.runtime.methods.curate", "qlang.runtime.methods.finetune",
                                                "torch", "torch._dynamo")}))
"""


def _loaded(*methods: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *methods], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_a_torch_trained_head_gets_its_modules_and_torchs_compiler_before_the_stage():
    loaded = _loaded("hybrid_qnn_head", "logistic_regression")
    assert loaded["qlang.runtime.methods.finetune"] and loaded["torch._dynamo"]


def test_k_means_gets_its_module_and_not_torchs_compiler():
    loaded = _loaded("quantum_kmeans", "kmeans")
    assert loaded["qlang.runtime.methods.curate"] and loaded["torch"] and not loaded["torch._dynamo"]
