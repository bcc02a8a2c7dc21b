"""What a target's executor does once for each circuit it meets, before it runs a row: the fixed work a plan
prices beside the rows (qlang.catalog.costs).

Qiskit (qlang/runtime/targets/qiskit.py): a circuit without amplitude encodings is transpiled three times for
Aer (its statevector, probabilities and sampling templates), each gate angle that is an expression of inputs
and weights (the ZZ map's 2(pi - x_i)(pi - x_j)) becomes a numpy function (one sympy lambdify each), and,
the first time exact states or probabilities are asked of a circuit of at most segments.MAX_WIRES wires whose
gates each read inputs only or weights only, it is cut into segments, each transpiled for Aer's unitary
simulator (qlang/runtime/targets/segments.py). A circuit with amplitude encodings is bound row by row:
nothing is transpiled ahead. PennyLane builds a QNode per circuit: no transpiling, no lambdify.

Pure: counts from the IR, no SDK imported."""

from __future__ import annotations

from dataclasses import dataclass

from qlang.circuits.ir import AmplitudeEncoding, Circuit, Gate, Input, Weight

TEMPLATES = 3  # statevector, probabilities, sampling: QiskitExecutor._compile
SEGMENT_MAX_WIRES = 6  # qlang.runtime.targets.segments.MAX_WIRES


@dataclass(frozen=True)
class Setup:
    transpiles: int = 0  # Aer templates
    angle_expressions: int = 0
    segments: int = 0  # each transpiled for Aer's unitary simulator: cheaper than a template (fewer passes)


def qiskit_setup(circuit: Circuit, exact: bool) -> Setup:
    """The Qiskit executor's one-off work for `circuit`; `exact`: the method asks it for exact states or
    probabilities (which cuts segments), not only for samples."""
    if any(isinstance(op, AmplitudeEncoding) for op in circuit.ops):
        return Setup()
    cut = segments(circuit) if exact and circuit.n_wires <= SEGMENT_MAX_WIRES else 0
    return Setup(TEMPLATES, sum(isinstance(op, Gate) and _is_expression(op.angle) for op in circuit.ops), cut)


def segments(circuit: Circuit) -> int:
    """How many segments segments.split cuts `circuit` into: runs of gates that read inputs only or weights
    only, a gate reading neither joining the run before it; 0 when a gate reads both or none reads anything."""
    runs: list[str | None] = []
    for op in circuit.ops:
        leaves = () if not isinstance(op, Gate) or op.angle is None else tuple(op.angle.leaves())
        kinds = {"x" if isinstance(leaf, Input) else "w" for leaf in leaves if isinstance(leaf, (Input, Weight))}
        if len(kinds) > 1:
            return 0
        reads = kinds.pop() if kinds else None
        if runs and (reads is None or runs[-1] in (None, reads)):
            runs[-1] = runs[-1] or reads
        else:
            runs.append(reads)
    return len(runs) if any(runs) else 0


def _is_expression(angle) -> bool:
    """An angle Qiskit holds as a ParameterExpression of parameters: neither a bare input or weight nor a constant."""
    if angle is None or isinstance(angle, (Input, Weight)):
        return False
    return any(isinstance(leaf, (Input, Weight)) for leaf in angle.leaves())
