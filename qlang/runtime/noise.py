"""One noise description for both targets, and what every noisy executor shares.

A `NoiseModel` acts after every gate of a circuit, on the gate's k qubits: the k-qubit depolarizing
channel ρ → (1 − p)ρ + p·Tr_k(ρ)⊗I/2ᵏ with p = p1 for k = 1 and p2 for k ≥ 2, then amplitude damping
and phase damping (each with its gamma) on each of the k qubits; `readout` flips each measured bit.
Both targets insert exactly these channels after exactly the gates their emitted circuits hold, so
under one model their density matrices agree to rounding (tests/runtime/test_runtime_noise.py).

A fake backend's model (`from_backend`) takes the medians of its calibration: p1 from the `sx` error,
p2 from the two-qubit gate's error (an average gate infidelity r is a depolarizing p = r·d/(d − 1)),
readout from the `measure` error. The reported gate errors come from randomised benchmarking and so
already hold the decoherence during a gate: no separate damping is added. Routing onto the coupling
map is not simulated (the SWAPs it adds are counted by the transpile the QPU estimate uses).

Sampling: a noisy executor computes each row's exact noisy probabilities from its density matrix,
applies the readout flips, and draws `shots` samples per row with a numpy generator seeded from the
executor's seed — the same distribution a shot-by-shot simulator samples, on both targets.

Mitigation (`mitigation`: techniques joined by `+`): with `readout` an executor measures the two calibration circuits of
qlang.runtime.mitigation once per circuit width (each target runs them through its own simulator with
the same channels), then returns every sample mitigated. The calibration draws from its own generator,
so a mitigated and an unmitigated executor of one seed measure the stage's circuits with the same
samples: the difference between their results is the mitigation alone. With `zne` every `probs` and
`expvals` call measures the circuit at each of `zne_scales` (folded, qlang.runtime.zne), each scale
readout-mitigated first when `readout` is on too, and returns the extrapolation to zero noise; the
folded circuits draw from a third generator, so scale 1 sees the unmitigated run's samples.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import cache

import numpy as np

from qlang.runtime.errors import BAD_PARAMETER, RuntimeDiagnostic
from qlang.runtime.protocol import CircuitShape

TILE_AMPLITUDES = 1 << 22  # 64 MiB of complex128 density matrices per side of an overlap tile

TWO_QUBIT_GATES = ("cz", "ecr", "cx")  # the native entangler of a fake backend, the first it has


@dataclass(frozen=True)
class NoiseModel:
    p1: float = 0.0
    p2: float = 0.0
    amplitude_damping: float = 0.0
    phase_damping: float = 0.0
    readout: float = 0.0
    source: str = "parametric"  # what the numbers come from, for the report

    def __post_init__(self) -> None:
        for name in ("p1", "p2", "amplitude_damping", "phase_damping"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability, got {getattr(self, name)}")
        if not 0.0 <= self.readout <= 0.5:
            raise ValueError(f"readout must lie in [0, 0.5], got {self.readout}")

    def depolarizing(self, k: int) -> float:
        return self.p1 if k == 1 else self.p2

    def describe(self) -> dict:
        return {
            "p1": self.p1,
            "p2": self.p2,
            "amplitude_damping": self.amplitude_damping,
            "phase_damping": self.phase_damping,
            "readout": self.readout,
            "source": self.source,
        }


def from_pipeline(pipeline: dict) -> NoiseModel | None:
    """The pipeline's noise: its parametric model, its device model's calibration, or None (exact)."""
    if pipeline.get("noise"):
        return NoiseModel(**pipeline["noise"])
    if pipeline.get("device_qubits") is not None:
        return from_backend(pipeline["device"])
    return None


@cache
def from_backend(name: str) -> NoiseModel:
    """Median calibration of the fake backend `name` as a NoiseModel (see the module's docstring)."""
    from qlang.runtime.devices import fake_backend

    try:
        target = fake_backend(name).target
    except KeyError as e:
        raise RuntimeDiagnostic(
            BAD_PARAMETER,
            f"no device model `{name}` in this qiskit-ibm-runtime",
            help="`python -m qlang.runtime.devices` lists the installed fake backends",
        ) from e

    def median_error(gate: str) -> float:
        errors = [p.error for p in target[gate].values() if p is not None and p.error is not None]
        return statistics.median(errors) if errors else 0.0

    two = next((g for g in TWO_QUBIT_GATES if g in target.operation_names), None)
    return NoiseModel(
        p1=min(1.0, 2.0 * median_error("sx")),
        p2=min(1.0, 4.0 / 3.0 * median_error(two)) if two else 0.0,
        readout=min(0.5, median_error("measure")),
        source=f"{name} calibration (medians)",
    )


# --- what both targets share ---------------------------------------------------------------------

_PAULIS = (np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0]))


def depolarizing_kraus(p: float, k: int) -> list[np.ndarray]:
    """Kraus operators of the k-qubit depolarizing channel (1 − p)ρ + p·I/2ᵏ: every k-fold Pauli
    product, the identity with weight 1 − p + p/4ᵏ and each other with p/4ᵏ (wire 0 most significant)."""
    out = []
    for index in range(4**k):
        op = np.ones((1, 1))
        for digit in range(k):
            op = np.kron(op, _PAULIS[(index // 4 ** (k - 1 - digit)) % 4])
        weight = 1 - p + p / 4**k if index == 0 else p / 4**k
        if weight > 0:
            out.append(np.sqrt(weight) * op)
    return out


def readout_probs(probs: np.ndarray, n_wires: int, error: float) -> np.ndarray:
    """Probabilities (B, 2**n) after each bit flips independently with probability `error`."""
    if error == 0.0:
        return probs
    flip = np.array([[1 - error, error], [error, 1 - error]])
    out = probs.reshape(probs.shape[0], *([2] * n_wires))
    for wire in range(n_wires):
        out = np.moveaxis(np.tensordot(out, flip, axes=([wire + 1], [0])), -1, wire + 1)
    return out.reshape(probs.shape)


def sample(probs: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Frequencies from `shots` draws per row of `probs` (B, 2**n)."""
    probs = np.clip(probs, 0.0, None)
    probs = probs / probs.sum(axis=1, keepdims=True)
    return np.array([rng.multinomial(shots, row) for row in probs]) / shots


def no_states(device: str) -> RuntimeDiagnostic:
    return RuntimeDiagnostic(
        BAD_PARAMETER,
        f"a noisy device (`{device}`) has no statevector",
        help="this method needs an exact simulator; on a noisy device use its sampled form (`shots`)",
    )


class NoisyExecutor:
    """The protocol on a noisy device; a subclass gives `densities` (B, 2**n, 2**n), wire 0 first.
    `probs` always samples (with the executor's shots unless a call gives its own); `expvals` are
    <Z_i> from those samples; there are no statevectors."""

    noise: NoiseModel
    shots: int
    device: str
    shots_spent: int = 0  # measured shots so far, every row of every call, calibration included
    circuits_run: int = 0  # circuits (rows) sampled so far, calibration included
    mitigation: str = "none"  # techniques joined by "+": "readout" (qlang.runtime.mitigation), "zne"
    calibration_shots: int = 0  # of shots_spent, those the readout calibration measured
    calibration_circuits: int = 0
    zne_scales: tuple[int, ...] = (1, 3, 5)  # qlang.runtime.zne.DEFAULT_SCALES
    zne_extrapolation: str = "richardson"
    zne_shots: int = 0  # of shots_spent, those of the circuits ZNE folded (scales above 1)
    zne_circuits: int = 0

    def calibration_densities(self, n_wires: int) -> np.ndarray:
        """Density matrices (2, 2**n, 2**n) of the calibration circuits on n wires (all |0⟩, then X on
        every wire), noise applied, readout not."""
        raise NotImplementedError

    def shape(self, name: str) -> CircuitShape:
        raise NotImplementedError

    def densities(self, name: str, x, w, scale: int = 1) -> np.ndarray:
        """Density matrices (B, 2**n, 2**n) of the rows, the circuit folded to `scale` (qlang.runtime.zne)
        and then noise applied after every gate, readout not."""
        raise NotImplementedError

    def reseed(self, seed: int) -> None:
        self._rng = np.random.default_rng(seed)
        self._calibration_rng = np.random.default_rng((seed, 1))  # apart from the stage's samples
        self._zne_rng = np.random.default_rng((seed, 2))  # the folded circuits' samples, apart too
        self._calibrations: dict[int, np.ndarray] = {}

    def states(self, name: str, x, w) -> np.ndarray:
        raise no_states(self.device)

    def exact_probs(self, name: str, x, w, scale: int = 1) -> np.ndarray:
        """Noisy probabilities (readout included) before sampling, of the circuit folded to `scale`."""
        rho = self.densities(name, x, w, scale) if scale != 1 else self.densities(name, x, w)
        probs = np.real(np.diagonal(rho, axis1=1, axis2=2))
        return readout_probs(probs, self.shape(name).n_wires, self.noise.readout)

    @property
    def techniques(self) -> tuple[str, ...]:
        """The mitigation's techniques (`readout+zne` → ("readout", "zne"))."""
        return tuple(t for t in self.mitigation.split("+") if t != "none")

    def probs(self, name: str, x, w, shots: int | None = None) -> np.ndarray:
        shots = int(shots or self.shots)
        if shots < 1:
            raise ValueError(f"shots must be positive, got {shots}")
        if "zne" not in self.techniques:
            return self._measure(name, x, w, shots, 1)
        from qlang.runtime.zne import clip_probabilities

        return clip_probabilities(self._zne_quasi(name, x, w, shots))

    def _measure(self, name: str, x, w, shots: int, scale: int) -> np.ndarray:
        """Frequencies (B, 2**n) of the circuit folded to `scale`, readout-mitigated with `readout`, counted.
        Scale 1 draws from the stage's generator, a folded circuit from its own: with and without ZNE one
        seed measures the unfolded circuit with the same samples."""
        rows = _rows(x, w)
        self.shots_spent += shots * rows
        self.circuits_run += rows
        if scale == 1:
            self.ran[(name, shots)] = self.ran.get((name, shots), 0) + rows
            rng = self._rng
        else:
            self.folded[(name, shots, scale)] = self.folded.get((name, shots, scale), 0) + rows
            self.zne_shots += shots * rows
            self.zne_circuits += rows
            rng = self._zne_rng
        freqs = sample(self.exact_probs(name, x, w, scale), shots, rng)
        if "readout" in self.techniques:
            from qlang.runtime.mitigation import mitigate

            return mitigate(freqs, self.confusion(self.shape(name).n_wires))
        return freqs

    def _zne_quasi(self, name: str, x, w, shots: int) -> np.ndarray:
        """Zero-noise extrapolated quasi-probabilities (B, 2**n): each scale measured, then extrapolated."""
        from qlang.runtime.zne import extrapolate

        measured = [self._measure(name, x, w, shots, scale) for scale in self.zne_scales]
        return extrapolate(np.array(measured), self.zne_scales, self.zne_extrapolation)

    def _count(self, name: str, shots: int, circuits: int) -> None:
        self.shots_spent += shots * circuits
        self.circuits_run += circuits
        self.ran[(name, shots)] = self.ran.get((name, shots), 0) + circuits

    # -- overlaps in the Heisenberg picture (qlang.runtime.heisenberg) ---------------------------

    def split(self, name: str) -> int | None:
        """Index of the first instruction of `name` reading its second half of inputs, where the circuit is
        a part reading only the first half followed by a part reading only the second; else None."""
        return None

    def pairwise_reason(self, name: str) -> str | None:
        """Why overlaps of `name` must be sampled circuit by circuit; None when `overlap_zeros` applies."""
        from qlang.runtime.heisenberg import pairwise_reason

        return pairwise_reason(self.noise, self.mitigation, self.split(name))

    def compute_densities(self, name: str, x: np.ndarray) -> np.ndarray:
        """ρ_x (B, 2**n, 2**n): the part of `name` before `split` on |0⟩⟨0|, noise after each gate."""
        raise NotImplementedError

    def uncompute_effects(self, name: str, y: np.ndarray) -> np.ndarray:
        """σ_y (B, 2**n, 2**n): the adjoint of the part of `name` from `split` on, applied to the readout's
        all-zeros effect (its gates from last to first, each inverted, its channel before it)."""
        raise NotImplementedError

    def overlap_probabilities(self, name: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """(N, M) exact probabilities of reading all zeros from `name` on the rows [x_i, y_j], readout
        included, from N + M density matrices; tiled so that at most TILE_AMPLITUDES are held per side."""
        from qlang.runtime.heisenberg import overlaps

        if self.pairwise_reason(name) is not None:
            raise ValueError(f"no Heisenberg overlaps for {name!r}: {self.pairwise_reason(name)}")
        n_wires = self.shape(name).n_wires
        rows = max(1, TILE_AMPLITUDES >> (2 * n_wires))
        kept = self.uncompute_effects(name, y) if len(y) << (2 * n_wires) <= TILE_AMPLITUDES else None
        out = np.empty((len(x), len(y)))
        for start in range(0, len(x), rows):
            rho = self.compute_densities(name, x[start : start + rows])
            if kept is not None:
                out[start : start + rows] = overlaps(rho, kept)
                continue
            for col in range(0, len(y), rows):
                out[start : start + rows, col : col + rows] = overlaps(
                    rho, self.uncompute_effects(name, y[col : col + rows])
                )
        return out

    def overlap_zeros(self, name: str, x: np.ndarray, y: np.ndarray, rows, cols, shots: int | None) -> np.ndarray:
        """All-zeros frequencies of `name` on the pairs [x[rows[p]], y[cols[p]]], `shots` each (the executor's
        when None), drawn from `overlap_probabilities`. Counted as the pairs' circuits, as a QPU runs them."""
        from qlang.runtime.heisenberg import sample_zeros

        shots = int(shots or self.shots)
        if shots < 1:
            raise ValueError(f"shots must be positive, got {shots}")
        probs = self.overlap_probabilities(name, x, y)[rows, cols]
        self._count(name, shots, len(probs))
        return sample_zeros(probs, shots, self._rng)

    @property
    def ran(self) -> dict[tuple[str, int], int]:
        """(circuit name, shots) → rows measured; calibration circuits are counted apart."""
        return self.__dict__.setdefault("_ran", {})

    def confusion(self, n_wires: int) -> np.ndarray:
        """Per-wire confusion matrices (n, 2, 2) on n wires, measured once per width with `shots` each."""
        if n_wires not in self._calibrations:
            from qlang.runtime.mitigation import CALIBRATION_CIRCUITS, confusion_matrices

            rho = self.calibration_densities(n_wires)
            probs = readout_probs(np.real(np.diagonal(rho, axis1=1, axis2=2)), n_wires, self.noise.readout)
            zeros, ones = sample(probs, self.shots, self._calibration_rng)
            spent = CALIBRATION_CIRCUITS * self.shots
            self.shots_spent += spent
            self.circuits_run += CALIBRATION_CIRCUITS
            self.calibration_shots += spent
            self.calibration_circuits += CALIBRATION_CIRCUITS
            self.calibrated_widths = (*getattr(self, "calibrated_widths", ()), n_wires)
            self._calibrations[n_wires] = confusion_matrices(zeros, ones, n_wires)
        return self._calibrations[n_wires]

    def expvals(self, name: str, x, w) -> np.ndarray:
        """<Z_i> from the sampled probabilities; with ZNE, extrapolated from each scale's <Z_i> (clipped to
        [−1, 1]), not from the clipped probabilities."""
        from qlang.runtime.targets.batching import z_expvals

        if "zne" in self.techniques:
            quasi = self._zne_quasi(name, x, w, self.shots)
            return np.clip(z_expvals(quasi, self.shape(name).n_wires), -1.0, 1.0)
        return z_expvals(self.probs(name, x, w), self.shape(name).n_wires)

    @property
    def folded(self) -> dict[tuple[str, int, int], int]:
        """(circuit name, shots, scale) → rows measured of the circuits ZNE folded (scales above 1)."""
        return self.__dict__.setdefault("_folded", {})


def _rows(x, w) -> int:
    if x is not None:
        return int(np.asarray(x).shape[0])
    if w is not None and np.asarray(w).ndim == 2:
        return int(np.asarray(w).shape[0])
    return 1
