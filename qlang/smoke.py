"""`--smoke`: the pipeline with tiny data and few iterations, to prove it runs end to end. What runs, what the
plan estimates and what the budget checks compare are all this size (light: no SDK)."""

from __future__ import annotations

SMOKE_ROWS = 24
SMOKE_CAPS = {
    "epochs": 2,
    "folds": 2,
    "n_init": 2,
    "max_iter": 20,
    "window": 8,
    "permutations": 20,
    "iterations": 3,
    "examples_per_class": 4,
    "evaluations": 3,
}


def smoke_sized(pipeline: dict) -> dict:
    """The pipeline with tiny data and few iterations (`--smoke`): what runs and what is estimated."""

    def capped(params: dict) -> dict:
        return {k: min(v, SMOKE_CAPS[k]) if k in SMOKE_CAPS and v is not None else v for k, v in params.items()}

    def capped_sweep(sweep: dict) -> dict:  # capped points that became equal run once
        return {k: list(dict.fromkeys(capped({k: v})[k] for v in values)) for k, values in sweep.items()}

    def small_method(m: dict) -> dict:
        return {**m, "params": capped(m["params"]), **({"sweep": capped_sweep(m["sweep"])} if m.get("sweep") else {})}

    def small(source: dict) -> dict:
        return {
            **source,
            "params": {**source["params"], "limit": min(source["params"].get("limit") or SMOKE_ROWS, SMOKE_ROWS)},
        }

    return {
        **pipeline,
        "data": [{**d, "source": small(d["source"])} for d in pipeline["data"]],
        "stages": [
            {
                **s,
                "method": small_method(s["method"]),
                "baselines": [small_method(b) for b in s["baselines"]],
            }
            for s in pipeline["stages"]
        ],
    }
