"""Circuit families, and the circuits each runnable method's stage needs.

Weight layouts are C-order flattenings of the shapes given in each docstring.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import replace

from qlang.circuits.ir import PI, AmplitudeEncoding, Angle, Circuit, Gate, Input, Weight

_ROTATIONS = {"x": "rx", "y": "ry", "z": "rz"}


def _scaled(factor: float, angle: Angle) -> Angle:
    return angle if factor == 1.0 else float(factor) * angle


def _rotation(rotation: str) -> str:
    if rotation not in _ROTATIONS:
        raise ValueError(f"rotation must be one of x, y, z, got {rotation!r}")
    return _ROTATIONS[rotation]


def _check_positive(**sizes: int) -> None:
    for key, value in sizes.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{key} must be a positive integer, got {value!r}")


def _cnot_ring(n: int) -> list[Gate]:
    """CNOT(i, i+1 mod n) for every wire; a single CNOT(0, 1) when n == 2; nothing when n == 1."""
    if n <= 2:
        return [Gate("cnot", (0, 1))] if n == 2 else []
    return [Gate("cnot", (i, (i + 1) % n)) for i in range(n)]


def angle_map(n: int, rotation: str = "y", scale: float = 1.0) -> Circuit:
    """R_rotation(scale * x_i) on wire i; rotation "z" is preceded by H on every wire."""
    _check_positive(n=n)
    gate = _rotation(rotation)
    ops = [Gate("h", (i,)) for i in range(n)] if rotation == "z" else []
    ops += [Gate(gate, (i,), _scaled(scale, Input(i))) for i in range(n)]
    return Circuit("angle_map", n, n, 0, ops)


def amplitude_map(n: int) -> Circuit:
    """|psi> = x / |x| over n wires (2**n inputs, x[0] the amplitude of |0...0>)."""
    _check_positive(n=n)
    return Circuit("amplitude_map", n, 2**n, 0, [AmplitudeEncoding(tuple(range(n)), 0)])


def zz_map(n: int, reps: int = 2, bandwidth: float = 1.0) -> Circuit:
    """Qiskit's ZZFeatureMap (full entanglement) with RZ in place of P, scaled by bandwidth b.

    Each repetition: H on every wire; RZ(2 b x_i) on wire i; for every pair i < j (in
    lexicographic order) CNOT(i, j), RZ(2 b^2 (pi - x_i)(pi - x_j)) on wire j, CNOT(i, j).
    With b = 1 this equals ZZFeatureMap(n, reps) up to a global phase.
    """
    _check_positive(n=n, reps=reps)
    b = float(bandwidth)
    ops: list[Gate] = []
    for _ in range(reps):
        ops += [Gate("h", (i,)) for i in range(n)]
        ops += [Gate("rz", (i,), (2.0 * b) * Input(i)) for i in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                pair = (PI - Input(i)) * (PI - Input(j))
                ops += [
                    Gate("cnot", (i, j)),
                    Gate("rz", (j,), (2.0 * b * b) * pair),
                    Gate("cnot", (i, j)),
                ]
    return Circuit("zz_map", n, n, 0, ops)


def hardware_efficient(n: int, layers: int) -> Circuit:
    """Per layer: RY(w[l, i, 0]) RZ(w[l, i, 1]) on wire i, then CNOT(i, i+1) for i < n-1.
    Weights shape (layers, n, 2)."""
    _check_positive(n=n, layers=layers)
    ops: list[Gate] = []
    for layer in range(layers):
        for i in range(n):
            k = 2 * (layer * n + i)
            ops += [Gate("ry", (i,), Weight(k)), Gate("rz", (i,), Weight(k + 1))]
        ops += [Gate("cnot", (i, i + 1)) for i in range(n - 1)]
    return Circuit("hardware_efficient", n, 0, 2 * layers * n, ops)


def strongly_entangling(n: int, layers: int) -> Circuit:
    """PennyLane's StronglyEntanglingLayers: per layer RZ(w[l,i,0]) RY(w[l,i,1]) RZ(w[l,i,2]) on
    wire i, then CNOT(i, (i + r) mod n) for every i with r = (l mod (n-1)) + 1 (none if n == 1).
    Weights shape (layers, n, 3)."""
    _check_positive(n=n, layers=layers)
    ops: list[Gate] = []
    for layer in range(layers):
        for i in range(n):
            k = 3 * (layer * n + i)
            ops += [
                Gate("rz", (i,), Weight(k)),
                Gate("ry", (i,), Weight(k + 1)),
                Gate("rz", (i,), Weight(k + 2)),
            ]
        if n > 1:
            r = layer % (n - 1) + 1
            ops += [Gate("cnot", (i, (i + r) % n)) for i in range(n)]
    return Circuit("strongly_entangling", n, 0, 3 * layers * n, ops)


def reuploading(n: int, layers: int, rotation: str = "y") -> Circuit:
    """Data re-uploading: per layer R_rotation(x_i) on wire i, RY(w[l,i,0]) RZ(w[l,i,1]) on wire
    i, then a CNOT ring (CNOT(i, i+1 mod n); a single CNOT(0, 1) for n == 2).
    n inputs; weights shape (layers, n, 2)."""
    _check_positive(n=n, layers=layers)
    gate = _rotation(rotation)
    ops: list[Gate] = []
    for layer in range(layers):
        ops += [Gate(gate, (i,), Input(i)) for i in range(n)]
        for i in range(n):
            k = 2 * (layer * n + i)
            ops += [Gate("ry", (i,), Weight(k)), Gate("rz", (i,), Weight(k + 1))]
        ops += _cnot_ring(n)
    return Circuit("reuploading", n, n, 2 * layers * n, ops)


def encoded_reuploading(n: int, encoder_layers: int, layers: int) -> Circuit:
    """RY(x_i) on wire i; an encoder of `encoder_layers` blocks, block b: RY(w[b, i]) on wire i, then
    CNOT(i, (i + r) mod n) for every i with range r = (b mod (n-1)) + 1 (growing 1, 2, ..., n-1; none if
    n == 1); then `reuploading(n, layers)` reading weights after the encoder's. n inputs; weights
    encoder_layers * n + 2 * layers * n. With encoder_layers == 0 this is `reuploading(n, layers)`."""
    _check_positive(n=n, layers=layers)
    head = reuploading(n, layers)
    if encoder_layers == 0:
        return head
    _check_positive(encoder_layers=encoder_layers)
    ops: list[Gate] = [Gate("ry", (i,), Input(i)) for i in range(n)]
    for block in range(encoder_layers):
        ops += [Gate("ry", (i,), Weight(block * n + i)) for i in range(n)]
        if n > 1:
            r = block % (n - 1) + 1
            ops += [Gate("cnot", (i, (i + r) % n)) for i in range(n)]
    offset = encoder_layers * n
    for op in head.ops:
        ops.append(replace(op, angle=Weight(op.angle.index + offset)) if isinstance(op.angle, Weight) else op)
    return Circuit("encoded_reuploading", n, n, offset + head.n_weights, ops)


def qaoa(
    n: int,
    p: int,
    linear: Mapping[int, float] | Sequence[float],
    quadratic: Mapping[tuple[int, int], float],
    mixer: str = "x",
) -> Circuit:
    """QAOA for the Ising cost H_C = sum_i h_i Z_i + sum_{i<j} J_ij Z_i Z_j.

    H on every wire, then for k = 1..p: RZ(2 gamma_k h_i) on i, RZZ(2 gamma_k J_ij) on (i, j),
    and the X mixer RX(2 beta_k) on every wire. Weights are [gamma_1..gamma_p, beta_1..beta_p].
    Zero coefficients are skipped.
    """
    _check_positive(n=n, p=p)
    if mixer == "xy":
        raise NotImplementedError("qaoa mixer 'xy' (ring XY mixer from a Dicke state) is not built")
    if mixer != "x":
        raise ValueError(f"qaoa mixer must be 'x', got {mixer!r}")
    h = dict(linear) if isinstance(linear, Mapping) else dict(enumerate(linear))
    ops: list[Gate] = [Gate("h", (i,)) for i in range(n)]
    for k in range(p):
        gamma, beta = Weight(k), Weight(p + k)
        ops += [Gate("rz", (i,), (2.0 * float(c)) * gamma) for i, c in sorted(h.items()) if c]
        ops += [
            Gate("rzz", (i, j), (2.0 * float(c)) * gamma)
            for (i, j), c in sorted(quadratic.items())
            if c
        ]
        ops += [Gate("rx", (i,), 2.0 * beta) for i in range(n)]
    return Circuit("qaoa", n, 0, 2 * p, ops)


def swap_test(feature_map: Circuit) -> Circuit:
    """Swap test of U(x) and U(x') on 2n+1 wires: ancilla wire 0, U(x) on wires 1..n reading
    x[0:k], U(x') on wires n+1..2n reading x[k:2k] (k = feature inputs; weights shared).
    P(ancilla = 0) = (1 + |<psi(x')|psi(x)>|^2) / 2."""
    n, k = feature_map.n_wires, feature_map.n_inputs
    ops = (
        feature_map.shifted(wire_offset=1)
        + feature_map.shifted(wire_offset=n + 1, input_offset=k)
        + (Gate("h", (0,)),)
        + tuple(Gate("cswap", (0, 1 + i, n + 1 + i)) for i in range(n))
        + (Gate("h", (0,)),)
    )
    return Circuit("swap_test", 2 * n + 1, 2 * k, feature_map.n_weights, ops)


def compute_uncompute(feature_map: Circuit) -> Circuit:
    """U(x')^dagger U(x) on n wires, x = inputs[0:k], x' = inputs[k:2k] (weights shared).
    The probability of |0...0> is the fidelity |<psi(x')|psi(x)>|^2."""
    k = feature_map.n_inputs
    uncompute = feature_map.inverse().shifted(input_offset=k)
    return Circuit(
        "compute_uncompute",
        feature_map.n_wires,
        2 * k,
        feature_map.n_weights,
        feature_map.ops + uncompute,
    )


DEFAULT_BANDWIDTH = {"angle": 1.0, "amplitude": 1.0, "zz": 0.1}


def _kmeans_feature_map(params: Mapping) -> Circuit:
    qubits = params["qubits"]
    encoding = params.get("encoding", "angle")
    bandwidth = params.get("bandwidth")
    if bandwidth is None:  # per encoding: the ZZ kernel concentrates at 1.0 (nearly every pair orthogonal)
        bandwidth = DEFAULT_BANDWIDTH.get(encoding, 1.0)
    bandwidth = float(bandwidth)
    if encoding == "angle":
        return angle_map(qubits, scale=bandwidth)
    if encoding == "amplitude":
        return amplitude_map(qubits)
    if encoding == "zz":
        return zz_map(qubits, reps=params.get("reps", 2), bandwidth=bandwidth)
    raise ValueError(f"quantum_kmeans encoding must be angle, amplitude or zz, got {encoding!r}")


KERNEL_FEATURE_MAPS = {
    "quantum_dedup": _kmeans_feature_map,
    "amplitude_encoding": lambda p: amplitude_map(p["qubits"]),
    "angle_encoding": lambda p: angle_map(p["qubits"], scale=float(p.get("bandwidth", 1.0))),
    "zz_feature_map": lambda p: zz_map(p["qubits"], reps=p.get("reps", 2), bandwidth=float(p.get("bandwidth", 1.0))),
    "quantum_kernel_mmd": lambda p: angle_map(p["qubits"]),
    "quantum_ocsvm": lambda p: angle_map(p["qubits"]),
}


def stage_circuits(method: str, params: Mapping) -> dict[str, Circuit]:
    """Role -> circuit (named after its role) for a stage running `method`.

    quantum_kmeans: qubits, encoding ("angle" | "amplitude" | "zz"), reps (zz), bandwidth (zz's
      bandwidth, angle's scale); shots is the method's business. Roles "feature_map" and
      "overlap" = compute_uncompute(feature_map): probability of |0...0> is the kernel value.
    hybrid_qnn_head: qubits, layers, encoder_layers. Role "model" = encoded_reuploading(qubits, encoder_layers,
      layers) (reuploading(qubits, layers) when encoder_layers is 0).
    qng, parameter_shift (train), quantum_distillation: qubits, layers. Role "model" = reuploading(qubits, layers).
    quantum_dedup: as quantum_kmeans. amplitude_encoding (qubits), angle_encoding (qubits, bandwidth as the
      angle scale), zz_feature_map (qubits, reps, bandwidth): "feature_map" and "overlap" as quantum_kmeans.
    quantum_kernel_mmd, quantum_ocsvm: angle_map(qubits) and its overlap; the bandwidth is tuned at run time
      and scales the inputs.
    """
    if method == "quantum_kmeans":
        feature_map = _kmeans_feature_map(params)
        return {
            "feature_map": replace(feature_map, name="feature_map"),
            "overlap": replace(compute_uncompute(feature_map), name="overlap"),
        }
    if method in KERNEL_FEATURE_MAPS:
        feature_map = KERNEL_FEATURE_MAPS[method](params)
        return {
            "feature_map": replace(feature_map, name="feature_map"),
            "overlap": replace(compute_uncompute(feature_map), name="overlap"),
        }
    if method == "hybrid_qnn_head":
        circuit = encoded_reuploading(params["qubits"], params.get("encoder_layers", 0), params["layers"])
        return {"model": replace(circuit, name="model")}
    if method in ("qng", "parameter_shift", "quantum_distillation"):
        return {"model": replace(reuploading(params["qubits"], params["layers"]), name="model")}
    raise ValueError(f"no circuits for method {method!r}")
