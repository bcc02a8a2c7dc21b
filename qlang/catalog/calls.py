"""A stage's comparison rows, as the run and the plan both name them: each baseline by its call, and the
reference rows a method gets besides its baselines.

A reference row is not parameter-matched but what one would do anyway without the quantum head (issue 12:
the parameter-matched finetune baselines see 4 PCA features; logistic regression on the whole 384-d
embedding is the strongest cheap classical head, and scored 0.05-0.07 higher). It inherits folds, the
few-shot examples_per_class and limit like any baseline, is compared and tested like one, and is priced in
the plan like one."""

from __future__ import annotations

REFERENCE_LABEL = "logistic_regression (full embedding)"
REFERENCES: dict[str, dict] = {
    name: {"name": "logistic_regression", "family": "classical", "params": {"C": 1.0, "compress": False}}
    for name in ("hybrid_qnn_head", "quantum_distillation")
}


def call_label(call: dict, siblings: list[dict]) -> str:
    """A baseline as its call: the bare name when it is the only one of that name in its stage, else the name
    with the parameters that tell the same-named calls apart (`knn(k: 1)`, `knn(k: 50)`)."""
    same = [b for b in siblings if b["name"] == call["name"]]
    if len(same) < 2:
        return call["name"]
    differ = [k for k in call["params"] if len({repr(b["params"].get(k)) for b in same}) > 1]
    return f"{call['name']}(" + ", ".join(f"{k}: {call['params'][k]!r}".replace("'", "") for k in differ) + ")"
