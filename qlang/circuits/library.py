"""Circuit families, and the circuits each runnable method's stage needs.

Weight layouts are C-order flattenings of the shapes given in each docstring.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
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


def _cry(theta: float, control: int, target: int) -> list[Gate]:
    """Controlled RY(theta) from RY and CNOT."""
    return [
        Gate("ry", (target,), theta / 2),
        Gate("cnot", (control, target)),
        Gate("ry", (target,), -theta / 2),
        Gate("cnot", (control, target)),
    ]


def _ccry(theta: float, a: int, b: int, target: int) -> list[Gate]:
    """Doubly controlled RY(theta) (controls a and b) from RY and CNOT."""
    quarter = theta / 4
    return [
        Gate("ry", (target,), quarter),
        Gate("cnot", (b, target)),
        Gate("ry", (target,), -quarter),
        Gate("cnot", (a, target)),
        Gate("ry", (target,), quarter),
        Gate("cnot", (b, target)),
        Gate("ry", (target,), -quarter),
        Gate("cnot", (a, target)),
    ]


def _split_and_cyclic_shift(size: int, ones: int) -> list[Gate]:
    """Baertschi & Eidenbenz's SCS_{size,ones} on wires 0..size-1 (their qubit l is wire l-1)."""
    last = size - 1
    theta = 2 * math.acos(math.sqrt(1 / size))
    ops = [Gate("cnot", (last - 1, last)), *_cry(theta, last, last - 1), Gate("cnot", (last - 1, last))]
    for l in range(2, ones + 1):
        theta = 2 * math.acos(math.sqrt(l / size))
        ops += [
            Gate("cnot", (last - l, last)),
            *_ccry(theta, last, last - l + 1, last - l),
            Gate("cnot", (last - l, last)),
        ]
    return ops


def dicke_state(n: int, k: int) -> list[Gate]:
    """Ops preparing the Dicke state |D(n, k)>, the equal superposition of the C(n, k) bitstrings of
    Hamming weight k, from |0...0> (Baertschi & Eidenbenz 2019: X on the last k wires, then
    split-and-cyclic-shift blocks of CNOT, CRY and CCRY)."""
    _check_positive(n=n)
    if not 0 <= k <= n:
        raise ValueError(f"a Dicke state needs 0 <= k <= n, got k={k}, n={n}")
    ops = [Gate("x", (i,)) for i in range(n - k, n)]
    if k in (0, n):
        return ops
    for size in range(n, k, -1):
        ops += _split_and_cyclic_shift(size, k)
    for size in range(k, 1, -1):
        ops += _split_and_cyclic_shift(size, size - 1)
    return ops


def _xy_ring(n: int, beta: Angle) -> list[Gate]:
    """exp(-i beta (X_i X_j + Y_i Y_j)) for (i, i+1 mod n) in turn (one pair when n == 2): it keeps the
    Hamming weight."""
    pairs = [(0, 1)] if n == 2 else [(i, (i + 1) % n) for i in range(n)] if n > 2 else []
    ops: list[Gate] = []
    for i, j in pairs:
        ops += [Gate("rxx", (i, j), 2.0 * beta), Gate("ryy", (i, j), 2.0 * beta)]
    return ops


def _qaoa_start(n: int, mixer: str, k: int | None) -> list[Gate]:
    if mixer == "x":
        return [Gate("h", (i,)) for i in range(n)]
    if mixer == "xy":
        if k is None:
            raise ValueError("qaoa mixer 'xy' needs the Hamming weight k of its Dicke start state")
        return dicke_state(n, k)
    raise ValueError(f"qaoa mixer must be 'x' or 'xy', got {mixer!r}")


def _qaoa_mixer(n: int, mixer: str, beta: Angle) -> list[Gate]:
    return [Gate("rx", (i,), 2.0 * beta) for i in range(n)] if mixer == "x" else _xy_ring(n, beta)


def _qaoa_layers(n: int, p: int, mixer: str, k: int | None, cost: Callable[[Angle], list[Gate]]) -> list[Gate]:
    """The start state, then for each layer the cost gates cost(gamma_k) and the mixer with beta_k (weights
    [gamma_1..gamma_p, beta_1..beta_p])."""
    ops = _qaoa_start(n, mixer, k)
    for layer in range(p):
        ops += cost(Weight(layer))
        ops += _qaoa_mixer(n, mixer, Weight(p + layer))
    return ops


def qaoa(
    n: int,
    p: int,
    linear: Mapping[int, float] | Sequence[float],
    quadratic: Mapping[tuple[int, int], float],
    mixer: str = "x",
    k: int | None = None,
) -> Circuit:
    """QAOA for the Ising cost H_C = sum_i h_i Z_i + sum_{i<j} J_ij Z_i Z_j with fixed coefficients.

    Start: H on every wire (mixer "x") or the Dicke state |D(n, k)> (mixer "xy"). Then for k = 1..p:
    RZ(2 gamma_k h_i) on i, RZZ(2 gamma_k J_ij) on (i, j), and the mixer: RX(2 beta_k) on every wire
    ("x"), or the ring XY mixer exp(-i beta_k (XX + YY)) on (i, i+1 mod n) in turn ("xy"), which keeps
    the Hamming weight k. Weights are [gamma_1..gamma_p, beta_1..beta_p]. Zero coefficients are skipped.
    """
    _check_positive(n=n, p=p)
    h = dict(linear) if isinstance(linear, Mapping) else dict(enumerate(linear))

    def cost(gamma: Angle) -> list[Gate]:
        return [Gate("rz", (i,), (2.0 * float(c)) * gamma) for i, c in sorted(h.items()) if c] + [
            Gate("rzz", (i, j), (2.0 * float(c)) * gamma) for (i, j), c in sorted(quadratic.items()) if c
        ]

    return Circuit("qaoa", n, 0, 2 * p, _qaoa_layers(n, p, mixer, k, cost))


def ising_pairs(n: int) -> list[tuple[int, int]]:
    """The pairs i < j in lexicographic order: the order of the J_ij inputs of `qaoa_ising`."""
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def qaoa_ising(n: int, p: int, mixer: str = "x", k: int | None = None) -> Circuit:
    """`qaoa` for any Ising cost on n wires: the coefficients are inputs, so one circuit serves every
    problem of its size. Inputs [h_0..h_{n-1}, J_ij for (i, j) in `ising_pairs(n)`]; weights
    [gamma_1..gamma_p, beta_1..beta_p]; RZ(2 gamma_k h_i) and RZZ(2 gamma_k J_ij) on every wire and pair."""
    _check_positive(n=n, p=p)
    pairs = ising_pairs(n)

    def cost(gamma: Angle) -> list[Gate]:
        return [Gate("rz", (i,), 2.0 * (gamma * Input(i))) for i in range(n)] + [
            Gate("rzz", (i, j), 2.0 * (gamma * Input(n + m))) for m, (i, j) in enumerate(pairs)
        ]

    return Circuit("qaoa_ising", n, n + len(pairs), 2 * p, _qaoa_layers(n, p, mixer, k, cost))


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


def pruning_k(keep: float, units: int) -> int:
    """How many of `units` a pruning stage keeps for the fraction `keep` (at least one)."""
    return max(1, min(units, round(float(keep) * units)))


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
    raise ValueError(f"a kernel stage's encoding must be angle, amplitude or zz, got {encoding!r}")


# The circuits of each quantum method's stage (the catalog entry's `circuits` names one of these), by role.


def kernel_circuits(feature_map: Circuit) -> dict[str, Circuit]:
    """Roles "feature_map" and "overlap" = compute_uncompute(feature_map): the probability of |0...0> is the
    kernel value."""
    return {
        "feature_map": replace(feature_map, name="feature_map"),
        "overlap": replace(compute_uncompute(feature_map), name="overlap"),
    }


def kmeans_circuits(params: Mapping) -> dict[str, Circuit]:
    """quantum_kmeans, quantum_dedup: qubits, encoding ("angle" | "amplitude" | "zz"), reps (zz), bandwidth
    (zz's bandwidth, angle's scale); shots is the method's business."""
    return kernel_circuits(_kmeans_feature_map(params))


def amplitude_encoding_circuits(params: Mapping) -> dict[str, Circuit]:
    """amplitude_encoding: qubits."""
    return kernel_circuits(amplitude_map(params["qubits"]))


def angle_encoding_circuits(params: Mapping) -> dict[str, Circuit]:
    """angle_encoding: qubits, bandwidth as the angle scale."""
    return kernel_circuits(angle_map(params["qubits"], scale=float(params.get("bandwidth", 1.0))))


def zz_feature_map_circuits(params: Mapping) -> dict[str, Circuit]:
    """zz_feature_map: qubits, reps, bandwidth."""
    return kernel_circuits(
        zz_map(params["qubits"], reps=params.get("reps", 2), bandwidth=float(params.get("bandwidth", 1.0)))
    )


def angle_kernel_circuits(params: Mapping) -> dict[str, Circuit]:
    """quantum_kernel_mmd, quantum_ocsvm: angle_map(qubits) and its overlap; the bandwidth is tuned at run time
    and scales the inputs."""
    return kernel_circuits(angle_map(params["qubits"]))


def qnn_head_circuits(params: Mapping) -> dict[str, Circuit]:
    """hybrid_qnn_head: qubits, layers, encoder_layers. Role "model" = encoded_reuploading(qubits, encoder_layers,
    layers) (reuploading(qubits, layers) when encoder_layers is 0)."""
    circuit = encoded_reuploading(params["qubits"], params.get("encoder_layers", 0), params["layers"])
    return {"model": replace(circuit, name="model")}


def model_circuits(params: Mapping) -> dict[str, Circuit]:
    """qng, parameter_shift (train), quantum_distillation, hybrid_layer: qubits, layers. Role "model" =
    reuploading(qubits, layers)."""
    return {"model": replace(reuploading(params["qubits"], params["layers"]), name="model")}


def qaoa_pruning_circuits(params: Mapping) -> dict[str, Circuit]:
    """qaoa_pruning: units, qaoa_layers, mixer, keep. Role "qaoa" = qaoa_ising(units, qaoa_layers, mixer,
    k = pruning_k(keep, units)): the Ising coefficients are inputs (they come from the model at run time)."""
    units, mixer = params["units"], params.get("mixer", "xy")
    k = pruning_k(params.get("keep", 0.5), units) if mixer == "xy" else None
    return {"qaoa": replace(qaoa_ising(units, params["qaoa_layers"], mixer, k), name="qaoa")}


def hpo_circuits(params: Mapping) -> dict[str, Circuit]:
    """quantum_hpo: space, objective, qaoa_layers. Role "qaoa" = qaoa_ising(bits of the space's encoding,
    qaoa_layers) with the X mixer (the encoding's constraints are penalties)."""
    from qlang.spaces import encoded_bits

    bits = encoded_bits(params.get("space", "default"), params.get("objective", "logistic_regression"))
    return {"qaoa": replace(qaoa_ising(bits, params["qaoa_layers"]), name="qaoa")}


def stage_circuits(method: str, params: Mapping) -> dict[str, Circuit]:
    """Role -> circuit (named after its role) for a stage running `method`: the builder its catalog entry
    names in `circuits`, called with the stage method's parameters."""
    from qlang import catalog
    from qlang.catalog.registry import resolve

    entry = catalog.METHODS.get(method)
    if entry is None or not entry.circuits:
        raise ValueError(f"no circuits for method {method!r}")
    return resolve(entry.circuits)(params)
