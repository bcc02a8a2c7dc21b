"""Architect: is a variational layer worth inserting? `hybrid_layer` puts a data re-uploading circuit between
the compressed features and a linear readout; `dense_layer` puts a tanh dense layer there instead, its width
matched to the same number of trainable parameters (when it runs as hybrid_layer's baseline). Both are trained
the same way (Adam, the same epochs, learning rate and batch size) and scored by the same stratified k-fold
(`finetune._cross_validate`).
"""

from __future__ import annotations

from qlang.catalog.architect import matched_units
from qlang.runtime.data import Dataset
from qlang.runtime.methods.context import MethodContext, MethodResult, require
from qlang.runtime.methods.finetune import MLPHead, _cross_validate, quantum_head


def hybrid_layer(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("hybrid_layer")
    shape, make = quantum_head(ctx, s)
    result = _cross_validate(ctx, data, s, make, {"quantum_weights": shape.n_weights})
    return MethodResult(
        result.metrics,
        {"layer": "variational", "qubits": int(s["qubits"]), "layers": shape.n_weights // (2 * shape.n_wires)},
        result.info,
    )


def dense_layer(ctx: MethodContext, data: Dataset) -> MethodResult:
    s = ctx.settings("dense_layer")
    qubits = int(s["qubits"])
    units = int(s["units"])
    if ctx.params.get("layers") is not None:  # hybrid_layer's baseline: match its parameter count
        units = matched_units(qubits, int(ctx.params["layers"]), data.n_classes)
    require(units >= 1 and int(s["epochs"]) >= 1, "units and epochs must be at least 1")
    settings = {**s, "hidden": units}
    result = _cross_validate(
        ctx, data, s, lambda n_classes, seed: MLPHead(qubits, n_classes, settings, seed), {"units": units}
    )
    return MethodResult(result.metrics, {"layer": "dense", "units": units, "qubits": qubits}, result.info)
