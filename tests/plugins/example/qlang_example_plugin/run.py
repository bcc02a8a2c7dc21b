"""The example method: reduce the features to `qubits` angles, take the exact fidelity kernel of RX(x_i) on
wire i through qlang's executor, and classify each row by the nearest class mean in feature space, leaving
the row itself out."""

import numpy as np

from qlang.runtime.encoder import features_of
from qlang.runtime.methods.context import MethodContext, MethodResult
from qlang.runtime.methods.kernel import FidelityKernel
from qlang.runtime.methods.reduce import Reducer


def x_kernel(ctx: MethodContext, data) -> MethodResult:
    s = ctx.settings("example_x_kernel")
    data = data.sample(s["limit"], ctx.seed)
    raw = features_of(data, ctx.encoder)
    z = (raw - raw.mean(axis=0)) / np.maximum(raw.std(axis=0), 1e-12)
    x = Reducer(int(s["qubits"]), "angle").fit(z).transform(z)
    gram = FidelityKernel(ctx, None)(x)
    y = data.labels
    scores = np.empty((len(y), data.n_classes))
    for c in range(data.n_classes):
        rows = y == c
        own = rows.astype(float)  # leave the row itself out of its own class mean
        counts = np.maximum(rows.sum() - own, 1.0)
        scores[:, c] = (gram[:, rows].sum(axis=1) - own * np.diag(gram)) / counts
    accuracy = float(np.mean(scores.argmax(axis=1) == y))
    return MethodResult({"accuracy": accuracy}, data, {"rows": len(y)})
