"""The k-qubit depolarizing channel (1 − p)ρ + p·Tr_W(ρ)⊗I/2ᵏ as a PennyLane channel applied in that closed form.

default.mixed applies a channel as one three-operand einsum over its Kraus operators; the two-qubit channel
has 16, and that einsum took 90% of a noisy ZZ feature map's simulation. `Depolarizing` keeps the Kraus
operators (qlang.runtime.noise.depolarizing_kraus: what any device or `qml.kraus_matrices` sees) and
registers a kernel for it with qml.devices.qubit_mixed.apply_operation (its extension point: a
singledispatch function), which computes the same map from the partial trace: one pass over the state.
Only the mixed-state simulator's functions run it (qml.devices.qubit_mixed.simulate); default.mixed's device
front end accepts only its own gate names. tests/runtime/test_runtime_heisenberg.py checks it against the
Kraus form.
"""

from __future__ import annotations

import itertools

import pennylane as qml
from pennylane import math
from pennylane.devices.qubit_mixed import apply_operation

from qlang.runtime.noise import depolarizing_kraus


class Depolarizing(qml.operation.Channel):
    """(1 − p)ρ + p·Tr_W(ρ)⊗I/2ᵏ on the k wires W (p = 1: W fully depolarized)."""

    num_params = 1
    grad_method = None

    @staticmethod
    def compute_kraus_matrices(p, k=1):  # type: ignore[override]
        return depolarizing_kraus(float(p), k)

    def kraus_matrices(self):
        return depolarizing_kraus(float(self.data[0]), len(self.wires))


@apply_operation.register
def _apply_depolarizing(op: Depolarizing, state, is_state_batched: bool = False, debugger=None, **_):
    """The closed form on a state of shape ([B,] 2, ..., 2 [n row axes], 2, ..., 2 [n column axes]): the
    blocks where W's row and column bits are equal get p/2ᵏ of the partial trace over W added."""
    p, k = float(op.data[0]), len(op.wires)
    ndim = len(math.shape(state))
    n = (ndim - is_state_batched) // 2
    rows = [w + is_state_batched for w in op.wires]
    blocks = []
    for bits in itertools.product((0, 1), repeat=k):
        index: list = [slice(None)] * ndim
        for row, bit in zip(rows, bits):
            index[row] = index[row + n] = bit
        blocks.append(tuple(index))
    traced = sum(state[block] for block in blocks)
    out = (1 - p) * state
    for block in blocks:
        out[block] = out[block] + (p / 2**k) * traced
    return out
