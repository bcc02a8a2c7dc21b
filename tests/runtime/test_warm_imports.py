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


def test_the_encoder_model_loads_before_a_stage_that_embeds_new_text():
    """With the source's embeddings cached by an earlier run, nothing loaded the model before the stages, and a
    dedup method (which embeds its injected copies) was charged its load: 5 CPU s in its first task."""
    from pathlib import Path

    from qlang.runtime.runner import RunOptions, warm_encoder

    class Encoder:
        loads = 0

        @property
        def model(self):
            Encoder.loads += 1

    def stage(method: str, *baselines: str) -> dict:
        return {"stages": [{"method": {"name": method}, "baselines": [{"name": b} for b in baselines]}]}

    warm_encoder({}, Encoder(), RunOptions(Path(".")), stage("kmeans"))
    assert Encoder.loads == 0  # nothing embeds new text: the cached embeddings are enough
    warm_encoder({}, Encoder(), RunOptions(Path(".")), stage("quantum_dedup", "cosine_dedup"))
    assert Encoder.loads == 1
    warm_encoder({}, None, RunOptions(Path(".")), stage("quantum_dedup"))  # numeric data: no encoder at all
    assert Encoder.loads == 1
