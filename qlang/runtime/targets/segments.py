"""Exact states of many (x, w) rows that share few distinct inputs and few distinct weights, for circuits
whose every gate reads inputs only or weights only (data re-uploading, hardware-efficient ansätze).

The circuit is cut into segments that each read only inputs or only weights. Aer's unitary simulator gives
a segment's matrix for every DISTINCT row of what it reads (one job per segment), and each row's state is
its segments' matrices applied in turn to |0...0>. A parameter-shift batch of B inputs x (2P + 1) weight
vectors then costs about B + 2P + 1 small unitary simulations instead of B (2P + 1) statevector ones:
for circuits this small, Aer's fixed cost per experiment (about 90 us) is the whole price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter
from qiskit_aer import AerSimulator

MAX_WIRES = 6  # a segment matrix per distinct row: 4^6 amplitudes each stays small
GATHER_AMPLITUDES = 1 << 21  # 32 MiB of gathered segment matrices per block of rows
MIN_SAVING = 4  # use segments only when they need at most 1/4 of the experiments rows would


@dataclass
class Segment:
    reads: str  # "x" or "w": what its gates read
    template: QuantumCircuit  # transpiled for Aer's unitary method, with save_unitary
    parameters: list[Parameter]
    key: tuple  # equal for segments with the same gates on the same wires and angles


def split(qc: QuantumCircuit, x_parameters: set, w_parameters: set, angles: list) -> list[Segment] | None:
    """`qc` (its angle expressions already plain parameters, `angles` saying what each stands for) cut into
    segments; None when some gate reads both inputs and weights, or the circuit reads neither."""
    reads_of: dict[Any, str | None] = {}
    reads_of.update((p, "x") for p in x_parameters)
    reads_of.update((p, "w") for p in w_parameters)
    for angle, _, arguments in angles:
        kinds = {reads_of.get(a) for a in arguments}
        reads_of[angle] = kinds.pop() if len(kinds) == 1 else "both"
    groups: list[list] = []  # [reads or None, instructions, parameters]
    for inst in qc.data:
        used = {q for p in inst.operation.params if hasattr(p, "parameters") for q in p.parameters}
        kinds = {reads_of.get(p, "both") for p in used}
        if len(kinds) > 1 or "both" in kinds:
            return None
        reads = kinds.pop() if kinds else None
        if groups and (reads is None or groups[-1][0] in (None, reads)):
            groups[-1][0] = groups[-1][0] or reads
        else:
            groups.append([reads, [], set()])
        groups[-1][1].append(inst)
        groups[-1][2] |= used
    if not any(reads for reads, _, _ in groups):
        return None
    simulator = unitary_simulator()
    segments = []
    for reads, instructions, parameters in groups:
        part = qc.copy_empty_like()
        for inst in instructions:
            part.append(inst.operation, inst.qubits, copy=False)
        part.save_unitary()
        key = tuple(
            (
                inst.operation.name,
                tuple(map(str, inst.operation.params)),
                tuple(qc.find_bit(q).index for q in inst.qubits),
            )
            for inst in instructions
        )
        segments.append(
            Segment(
                reads or "x",
                transpile(part, simulator, optimization_level=0),
                sorted(parameters, key=lambda p: p.name),
                key,
            )
        )
    return segments


def worth_it(segments: list[Segment], distinct_x: int, distinct_w: int, rows: int) -> bool:
    """Whether the segments' experiments are few enough against one per row (the caller checks MAX_WIRES)."""
    experiments = sum(distinct_x if s.reads == "x" else distinct_w for s in segments)
    return experiments * MIN_SAVING <= rows


def states(
    segments: list[Segment], n_wires: int, binds_x: dict, index_x: np.ndarray, binds_w: dict, index_w: np.ndarray
) -> np.ndarray:
    """Little-endian states of every row. binds_*: parameter -> values for each DISTINCT row of x (or w);
    index_*: for each row, which distinct row it has."""
    rows = len(index_x)
    state = np.zeros((rows, 2**n_wires), dtype=np.complex128)
    state[:, 0] = 1.0
    counts = {"x": int(index_x.max()) + 1, "w": int(index_w.max()) + 1}
    distinct = list({s.key: s for s in segments}.values())  # a re-uploading circuit repeats its encoding
    matrices = dict(zip((s.key for s in distinct), _unitaries(distinct, {"x": binds_x, "w": binds_w}, counts)))
    for segment in segments:
        segment_matrices = matrices[segment.key]
        index = index_x if segment.reads == "x" else index_w
        block = max(1, GATHER_AMPLITUDES // segment_matrices[0].size)  # rows whose matrices are gathered at once
        for start in range(0, rows, block):
            rows_here = slice(start, start + block)
            state[rows_here] = np.einsum("bij,bj->bi", segment_matrices[index[rows_here]], state[rows_here])
    return state


def _unitaries(segments: list[Segment], binds: dict, counts: dict) -> list[np.ndarray]:
    """Every segment's matrix for each distinct row it reads, from one Aer job."""
    templates, parameter_binds, sizes = [], [], []
    for segment in segments:
        templates.append(segment.template)
        # a constant segment: no binds, one matrix for every row
        parameter_binds.append({p: binds[segment.reads][p] for p in segment.parameters})
        sizes.append(counts[segment.reads] if segment.parameters else 1)
    result = unitary_simulator().run(templates, parameter_binds=parameter_binds).result()
    if not result.success:
        raise RuntimeError(f"Aer job failed: {result.status}")
    flat = [np.asarray(r.data.unitary) for r in result.results]
    out, start = [], 0
    for segment, size in zip(segments, sizes):
        matrices = np.array(flat[start : start + size])
        start += size
        out.append(np.broadcast_to(matrices, (counts[segment.reads], *matrices.shape[1:])) if size == 1 else matrices)
    return out


_SIMULATOR: AerSimulator | None = None


def unitary_simulator() -> AerSimulator:
    global _SIMULATOR
    if _SIMULATOR is None:
        _SIMULATOR = AerSimulator(method="unitary", runtime_parameter_bind_enable=True)
    return _SIMULATOR
