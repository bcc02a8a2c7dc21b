"""Cost models: the work each runnable method does, counted from its parameters and the data size.

Units of work (each priced by the calibration, see qlang/plan/prices.py):
- `circuit_rows`: circuit executions through a target's executor (one row = one circuit, one input);
- `amplitude_ops`: statevector amplitude updates those executions cost a simulator (rows × gates × 2^qubits);
- `executor_calls`: batched executor calls (each has a fixed overhead);
- `flops`: classical floating-point operations (kernels, k-means, linear algebra);
- `fits`: calls into scikit-learn/torch fitting routines (each has a fixed overhead);
- `kmeans_inits`: scikit-learn k-means restarts;
- `stat_tests`: SciPy two-sample tests (a KS test per feature and window), each costing its call overhead;
- `trees`: trees of a scikit-learn ensemble (isolation forest), each fitted and scored at its own overhead;
- `torch_steps`: optimiser steps of a small torch model (FMQA's factorisation machine), each costing its overhead;
- `transpiles`, `segments`, `angle_expressions`: what the Qiskit executor does once per circuit it meets, in every task
  (one executor each): see `with_circuit_setup` and qlang/circuits/setup.py. PennyLane prices them at 0;
- `gradient`: a training loop's differentiable passes (`Gradient`), priced by what the target runs for them.
`qpu_circuits` lists, per circuit role, how many distinct circuits a QPU would run (hardware has no
statevectors: an exact kernel becomes N(N−1)/2 compute–uncompute circuits)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from qlang import catalog
from qlang.catalog.architect import HPO_SETTINGS, matched_units
from qlang.catalog.curate import DEDUP_SETTINGS
from qlang.catalog.deploy import SETTINGS as PRUNE_SETTINGS
from qlang.catalog.finetune import LOWRANK_RANKS
from qlang.catalog.monitor import DRIFT_SETTINGS
from qlang.catalog.registry import Derived
from qlang.catalog.train import SETTINGS as TRAIN_SETTINGS
from qlang.circuits.library import pruning_k


@dataclass
class Gradient:
    """The differentiable forward passes of a training loop through a circuit layer (qlang.runtime.methods.
    torch_layer): `calls` passes over `rows` rows in all, each row a circuit of `gates` gates on `qubits`
    qubits and `weights` weights. A target that differentiates inside torch (PennyLane's exact devices:
    backprop, adjoint) runs one forward and backward pass per call, whose cost grows with rows × gates; any
    other runs, per row, the forward circuit and both shifts of every weight (2P + 1 circuits) in one batched
    executor call (qlang.runtime.methods.parameter_shift), as a QPU would."""

    rows: float
    calls: float
    gates: int
    qubits: int
    weights: int
    density_matrix: float = 1.0  # on a noisy device, each shifted circuit's amplitude updates grow by this

    @property
    def shift_circuits(self) -> float:
        return self.rows * (2 * self.weights + 1)

    @property
    def gate_rows(self) -> float:
        return self.rows * self.gates


@dataclass
class Work:
    circuit_rows: float = 0.0
    amplitude_ops: float = 0.0
    executor_calls: float = 0.0
    flops: float = 0.0
    fits: float = 0.0
    kmeans_inits: float = 0.0  # scikit-learn k-means restarts (threaded; their overhead dwarfs their FLOPs)
    shots: int | None = None
    qpu_circuits: dict[str, float] = field(default_factory=dict)  # role → circuits on a QPU
    transpiles: float = 0.0  # Qiskit transpiles as its executor prepares each circuit (qlang.circuits.setup)
    angle_expressions: float = 0.0  # gate angles made numpy functions as it does so (one sympy lambdify each)
    segments: float = 0.0  # segments it cuts a circuit into for exact states, each transpiled for Aer's unitaries
    # a sampled overlap kernel on a noisy device where the Heisenberg path applies (qlang.runtime.heisenberg):
    # its amplitude ops (one compute and one uncompute half per state, statevector units) and the trace products
    heisenberg_ops: float | None = None
    heisenberg_flops: float = 0.0
    gradient: Gradient | None = None  # a training loop's differentiable passes, priced per target
    stat_tests: float = 0.0  # SciPy two-sample tests (ks_2samp): a fixed cost each, far below a fit's
    trees: float = 0.0  # ensemble trees fitted and scored (about 1.5 ms each on few rows, whatever their FLOPs)
    torch_steps: float = 0.0  # Adam steps of a small torch model (forward, backward, update: overhead-bound)
    # tuning candidates fitted and scored: an SVM on a precomputed kernel fitted, its decision values taken and
    # their AUC computed (qlang.runtime.methods.encode._tune), about twice a small fit's overhead on few rows
    scored_fits: float = 0.0
    # executor calls of one row each (a QAOA optimiser's evaluations): their gates, summed over the calls, and
    # those gates × 2^qubits. Such a call costs its simulator per gate, whatever the width, plus per amplitude
    # update (qlang/plan/overheads.py measures both per target); their rows carry no `amplitude_ops`
    call_gates: float = 0.0
    call_gate_amps: float = 0.0
    # how many of `executor_calls` are such one-row calls: their gates are priced in `call_gates`, so the per-gate
    # price of a batched call (`gates_per_call`) is not theirs
    row_calls: float = 0.0
    # gates of the circuit its batched calls run (None: as many as the calibration's, REFERENCE_GATES): PennyLane
    # applies each operation once per call to the whole batch, so a call costs it per gate (prices.py)
    gates_per_call: float | None = None

    @property
    def circuits(self) -> float:
        """Circuit executions on a simulator without native differentiation (a gradient as parameter shifts)."""
        return self.circuit_rows + (self.gradient.shift_circuits if self.gradient else 0.0)


# fixed work every method does around its algorithm: reducing features (PCA, scaling) counts as fits,
# and a quantum method's first executor calls build the simulator's circuits (counted as calls)
SETUP_FITS = 2
SETUP_CALLS = 5

# typical iterations to convergence, used where a method stops early (an assumption, not a bound)
KMEANS_ITERATIONS = 15
# COBYLA's evaluations per QAOA restart, per variational angle (2p of them): it stopped after 40 to 45 with
# 4 angles and rhobeg 0.3 in deploy_pruning's runs (maxiter 60)
COBYLA_ITERATIONS_PER_ANGLE = 10
LBFGS_ITERATIONS = 50


def _gates_reuploading(q: int, layers: int) -> int:
    ring = q if q > 2 else q - 1  # a CNOT ring on two wires is one CNOT, on one wire none
    return layers * (3 * q + ring)  # encode q + RY,RZ 2q + the ring


REFERENCE_GATES = _gates_reuploading(4, 2)  # the circuit `qlc calibrate` prices executor calls on


def _gates_feature_map(q: int, encoding: str, reps: int) -> int:
    if encoding == "zz":
        return reps * (2 * q + 3 * q * (q - 1) // 2)
    if encoding == "amplitude":
        return 2 ** (q + 1)  # state preparation: about 2^(q+1) elementary rotations and CNOTs
    return q


def _ops_feature_map(q: int, encoding: str, reps: int) -> int:
    """The operations a simulator applies for the feature map, one by one: an amplitude encoding is one state
    preparation (PennyLane's StatePrep), not the gates it decomposes into on hardware."""
    return 1 if encoding == "amplitude" else _gates_feature_map(q, encoding, reps)


def quantum_kmeans(p: dict, n: int, classes: int) -> Work:
    q, k = p["qubits"], p["clusters"] or classes
    gates = _gates_feature_map(q, p["encoding"], p["reps"])
    ops = _ops_feature_map(q, p["encoding"], p["reps"])
    pairs = n * (n - 1) / 2
    kmeans_flops = p["n_init"] * min(p["max_iter"], KMEANS_ITERATIONS) * n * n * k
    if p["shots"] is None:
        rows: float = n
        gram_flops = n * n * 2**q * 8
    else:
        rows = pairs
        gates, ops = 2 * gates, 2 * ops
        gram_flops = pairs * 2**q
    return Work(
        circuit_rows=rows,
        amplitude_ops=rows * gates * 2**q,
        executor_calls=SETUP_CALLS + math.ceil(rows / 50_000),
        gates_per_call=ops,
        flops=gram_flops + kmeans_flops + n * 384 * q * 2,
        fits=SETUP_FITS,
        shots=p["shots"],
        qpu_circuits={"overlap": pairs},
    )


def kmeans(p: dict, n: int, classes: int) -> Work:
    k, q = p["clusters"] or classes, p.get("qubits", 4)  # it sees the same reduced features as its method
    return Work(
        flops=p["n_init"] * min(p["max_iter"], KMEANS_ITERATIONS) * n * k * q * 3 + n * 384 * q * 2,
        fits=SETUP_FITS,
        kmeans_inits=p["n_init"],
    )


# what a cross-validated head scores on each test fold: accuracy and F1, each a scikit-learn call whose input
# validation costs about what a small fit does (3.5 ms of CPU the pair, 12 rows)
SCORES_PER_FOLD = 2


def _cv_fits(p: dict, trainings: list[float]) -> float:
    """Fitting calls of a cross-validated head: per training its reduction and its fit, per fold its scores."""
    return (SETUP_FITS + 1) * len(trainings) + SCORES_PER_FOLD * p["folds"]


def training_rows(p: dict, n: int, classes: int) -> list[float]:
    """Rows each head trains on: every fold's training part, then the refit on all rows; few-shot
    (`examples_per_class` k) keeps k rows per class of each (finetune._few_shot)."""
    folds, k = p["folds"], p.get("examples_per_class")
    sizes = [n * (folds - 1) / folds] * folds + ([n] if p.get("refit", True) else [])
    return [min(size, k * classes) for size in sizes] if k is not None else sizes


def hybrid_qnn_head(p: dict, n: int, classes: int) -> Work:
    """Every training's epochs of mini-batch steps, each a differentiable pass through the circuit layer
    (`Gradient`: inside torch on PennyLane's exact devices, parameter shifts elsewhere), then every row predicted
    once, in the fold that tests it, through plain calls."""
    q, layers, epochs, folds = p["qubits"], p["layers"], p["epochs"], p["folds"]
    weights = 2 * layers * q + p.get("encoder_layers", 0) * q
    trainings = training_rows(p, n, classes)
    batch = max(1, p["batch_size"] or max(trainings))
    trained = sum(epochs * n_train for n_train in trainings)
    passes = sum(epochs * math.ceil(n_train / batch) for n_train in trainings)
    gates = _gates_reuploading(q, layers) + (q + 2 * q * p.get("encoder_layers", 0) if p.get("encoder_layers") else 0)
    gradient = Gradient(rows=trained, calls=passes, gates=gates, qubits=q, weights=weights)
    readout = (q * classes + classes) * 6
    return Work(
        circuit_rows=n,
        amplitude_ops=n * gates * 2**q,
        executor_calls=folds + SETUP_CALLS,
        gates_per_call=gates,
        flops=(gradient.shift_circuits + n) * readout + n * 384 * q * 2 * (folds + 1),
        fits=SETUP_FITS * (folds + 1) + SCORES_PER_FOLD * folds,
        shots=None,
        qpu_circuits={"model": gradient.shift_circuits + n},
        gradient=gradient,
        torch_steps=passes,  # each pass ends in an Adam step
    )


EMBEDDING = 384  # MiniLM's sentence-embedding width


def logistic_regression(p: dict, n: int, classes: int) -> Work:
    """On `qubits` PCA features (compress), or on the whole z-scored embedding (the finetune reference row)."""
    q, trainings = p.get("qubits", 4), training_rows(p, n, classes)
    d, reduce = (q, EMBEDDING * q * 2) if p.get("compress", True) else (EMBEDDING, EMBEDDING * 2)
    return Work(
        flops=sum(LBFGS_ITERATIONS * m * (d + 1) * classes * 4 + m * reduce for m in trainings),
        fits=_cv_fits(p, trainings),
    )


def svm(p: dict, n: int, classes: int) -> Work:
    q, trainings = p.get("qubits", 4), training_rows(p, n, classes)
    # SMO touches about every kernel entry per class pair
    return Work(
        flops=sum(m * m * q * 3 * max(1, classes - 1) + m * 384 * q * 2 for m in trainings),
        fits=_cv_fits(p, trainings),
    )


def mlp(p: dict, n: int, classes: int) -> Work:
    q, hidden, epochs, trainings = p.get("qubits", 4), p["hidden"], p["epochs"], training_rows(p, n, classes)
    forward = q * hidden + hidden * classes
    batch = max(1, p.get("batch_size") or max(trainings))
    return Work(
        flops=sum(epochs * m * forward * 6 + m * 384 * q * 2 for m in trainings),
        fits=_cv_fits(p, trainings),
        # Adam steps of a small torch model cost their overhead; one more per training builds the model
        torch_steps=sum(epochs * math.ceil(m / batch) + 1 for m in trainings),
    )


def _fidelity_kernel(
    q: int,
    gates: int,
    states: float,
    pairs: float,
    shots,
    calls: float = 1.0,
    splits: bool = True,
    ops: int | None = None,
) -> Work:
    """An exact kernel: `states` statevectors and `pairs` inner products; with shots: `pairs` compute-uncompute
    circuits (twice the gates) instead, or on a noisy device where the Heisenberg path applies, a compute and
    an uncompute half per state and a trace product per pair (`heisenberg_ops`, `heisenberg_flops`), unless
    its circuit does not split into those halves (`splits` False: amplitude encodings). `ops`: the operations
    a simulator applies per feature map (`_ops_feature_map`; default: its gates)."""
    ops = gates if ops is None else ops
    if shots is None:
        return Work(
            circuit_rows=states,
            amplitude_ops=states * gates * 2**q,
            executor_calls=SETUP_CALLS + calls,
            gates_per_call=ops,
            flops=pairs * 2**q * 8,
            shots=None,
            qpu_circuits={"overlap": pairs},
        )
    return Work(
        circuit_rows=pairs,
        amplitude_ops=pairs * 2 * gates * 2**q,
        executor_calls=SETUP_CALLS + calls + pairs / 4096,
        gates_per_call=2 * ops,
        flops=pairs * 2**q,
        shots=shots,
        qpu_circuits={"overlap": pairs},
        heisenberg_ops=2 * states * gates * 2**q if splits else None,
        heisenberg_flops=pairs * 4**q * 2 if splits else 0.0,
    )


ENCODE_GATES = {"amplitude_encoding": "amplitude", "angle_encoding": "angle", "zz_feature_map": "zz"}
# the tuning budget (qlang.runtime.methods.encode): widths x C values, each scored by an inner 3-fold split
BANDWIDTHS_TUNED = 3  # encode.BANDWIDTH_FACTORS (amplitude encoding has no width: one)
C_VALUES = 3  # encode.C_FACTORS
INNER_FOLDS = 3


def svm_fits_per_fold(widths: int, c_values: int = C_VALUES) -> int:
    """Every candidate fitted on each inner fold, then the chosen one refitted on the training fold."""
    return widths * c_values * INNER_FOLDS + 1


def _encode(method: str):
    def cost(p: dict, n: int, classes: int) -> Work:
        q, folds = p["qubits"], p["folds"]
        widths = 1 if method == "amplitude_encoding" else BANDWIDTHS_TUNED  # a Gram matrix per bandwidth
        pairs = n * (n - 1) / 2  # a symmetric Gram's distinct pairs: the circuits sampled, or run on a QPU
        gates = _gates_feature_map(q, ENCODE_GATES[method], p.get("reps", 2))
        ops = _ops_feature_map(q, ENCODE_GATES[method], p.get("reps", 2))
        splits = method != "amplitude_encoding"  # a state preparation: no halves (qlang.runtime.heisenberg)
        w = _fidelity_kernel(q, gates, n * widths, pairs * widths, p["shots"], calls=widths, splits=splits, ops=ops)
        if p["shots"] is not None:
            w.executor_calls = SETUP_CALLS + widths * math.ceil(pairs / PAIRS_PER_CALL)
        fits = svm_fits_per_fold(widths, C_VALUES if p.get("classifier", "svm") == "svm" else 1)
        w.fits = SETUP_FITS + 1  # + transpiling onto the device model
        w.scored_fits = folds * fits
        w.flops += folds * fits * (n * (folds - 1) / folds) ** 2 * 20
        return w

    return cost


def _encode_dims(p: dict) -> int:
    q = p.get("qubits") or 3
    return q if "bandwidth" in p else 2**q


def rbf_svm(p: dict, n: int, classes: int) -> Work:
    d, folds = _encode_dims(p), p["folds"]
    return Work(  # a Gram matrix of every row per gamma and outer fold, then SVMs on its slices
        flops=folds * BANDWIDTHS_TUNED * n * n * (d * 3 + 20)
        + folds * svm_fits_per_fold(BANDWIDTHS_TUNED) * (n * (folds - 1) / folds) ** 2 * 20,
        fits=SETUP_FITS,
        scored_fits=folds * svm_fits_per_fold(BANDWIDTHS_TUNED),
    )


def knn(p: dict, n: int, classes: int) -> Work:
    d, folds = _encode_dims(p), p["folds"]
    return Work(flops=n * n * d * 3, fits=SETUP_FITS + folds)


def pca(p: dict, n: int, classes: int) -> Work:
    folds, k = p["folds"], p["components"]
    return Work(flops=folds * (n * 30 * 30 * 4 + LBFGS_ITERATIONS * n * (k + 1) * classes * 4), fits=folds * 3)


def _dedup_rows(n: int) -> float:
    return n * (1 + DEDUP_FRACTION)


DEDUP_FRACTION = DEDUP_SETTINGS["duplicates"]  # injected near-duplicates per row
MINILM_FLOPS_PER_TEXT = 3.5e8  # ≈ 2 × 22 M parameters × 8 tokens: each method embeds its injected text copies
# (a cost model sees no modality: numeric data, whose copies cost nothing, is overestimated)


def quantum_dedup(p: dict, n: int, classes: int) -> Work:
    q, m = p["qubits"], _dedup_rows(n)
    dims = 2**q if p["encoding"] == "amplitude" else q
    gates = _gates_feature_map(q, p["encoding"], p.get("reps", 2))
    ops = _ops_feature_map(q, p["encoding"], p.get("reps", 2))
    w = _fidelity_kernel(q, gates, m, m * m / 2, p["shots"], splits=p["encoding"] != "amplitude", ops=ops)
    w.fits, w.flops = SETUP_FITS, w.flops + m * m * 4 + m * 384 * dims * 2 + (m - n) * MINILM_FLOPS_PER_TEXT
    return w


def cosine_dedup(p: dict, n: int, classes: int) -> Work:
    m, q = _dedup_rows(n), p.get("qubits", 5)
    dims = 2**q if p.get("encoding", "amplitude") == "amplitude" else q
    return Work(
        flops=m * m * dims * 2 + m * m * 4 + m * 384 * dims * 2 + (m - n) * MINILM_FLOPS_PER_TEXT, fits=SETUP_FITS
    )


MMD_TRIALS = DRIFT_SETTINGS["trials"]  # null windows, and as many drifted ones
BANDWIDTHS = 5  # candidate bandwidths tried on reference data, quantum and RBF alike
TUNING_ROWS = 128  # at most this many reference rows pick the bandwidth (monitor._tuning_rows)


def _kernel_evaluations(q: int, gates: int, grams: list[tuple[int, int | None]], shots, states_only=()) -> Work:
    """Fidelity-kernel Gram matrices as qlang.runtime.methods.kernel computes them: `(rows, None)` a symmetric
    Gram of `rows` rows (exact: their states in one call; sampled: the upper triangle's rows(rows−1)/2
    circuits), `(rows, columns)` a rows × columns block (exact: both sides' states; sampled: every pair).
    `states_only` (exact only): (rows, pairs) for one states call whose Gram entries are formed afterwards.
    A QPU runs the sampled circuits either way."""
    pairs = [r * (r - 1) / 2 if c is None else r * c for r, c in grams] + [m for _, m in states_only]
    if shots is None:
        states = sum(r + (c or 0) for r, c in grams) + sum(r for r, _ in states_only)
        return Work(
            circuit_rows=states,
            amplitude_ops=states * gates * 2**q,
            executor_calls=SETUP_CALLS + len(grams) + len(states_only),
            gates_per_call=gates,
            flops=sum(pairs) * 2**q * 8,
            shots=None,
            qpu_circuits={"overlap": sum(pairs)},
        )
    return Work(
        circuit_rows=sum(pairs),
        amplitude_ops=sum(pairs) * 2 * gates * 2**q,
        executor_calls=SETUP_CALLS + sum(math.ceil(m / PAIRS_PER_CALL) for m in pairs),
        gates_per_call=2 * gates,
        flops=sum(pairs) * 2**q,
        shots=shots,
        qpu_circuits={"overlap": sum(pairs)},
    )


PAIRS_PER_CALL = 4096  # kernel.PAIRS_PER_CALL: sampled pairs per executor call


def _tuning(reference_rows: int) -> list[tuple[int, int | None]]:
    """BANDWIDTHS symmetric Gram matrices of the first TUNING_ROWS reference rows."""
    return [(min(TUNING_ROWS, reference_rows), None)] * BANDWIDTHS


def quantum_kernel_mmd(p: dict, n: int, classes: int) -> Work:
    """Tuning on the reference half (n // 2 rows), then 2 × trials pooled windows of 2 × window rows: exact,
    every window's states from one call; sampled, one Gram matrix per window."""
    q, w2, trials, shots = p["qubits"], 2 * p["window"], p.get("trials", MMD_TRIALS), p["shots"]
    if shots is None:
        work = _kernel_evaluations(q, q, _tuning(n // 2), None, [(2 * trials * w2, 2 * trials * w2 * (w2 - 1) / 2)])
    else:
        work = _kernel_evaluations(q, q, _tuning(n // 2) + [(w2, None)] * (2 * trials), shots)
    work.flops += 2 * trials * p["permutations"] * w2 * w2 * 2
    work.fits = SETUP_FITS
    return work


def rbf_mmd(p: dict, n: int, classes: int) -> Work:
    q, w2, perms = p.get("qubits", 4), 2 * p["window"], p.get("permutations", 200)
    trials, t = p.get("trials", MMD_TRIALS), min(TUNING_ROWS, n // 2)
    return Work(
        flops=2 * trials * (perms * w2 * w2 * 2 + w2 * w2 * (q * 3 + 20)) + BANDWIDTHS * t * t * 30,
        fits=SETUP_FITS,
    )


def ks_test(p: dict, n: int, classes: int) -> Work:
    """A KS test per feature of every null and drifted window."""
    q, w, trials = p.get("qubits", 4), p["window"], p.get("trials", MMD_TRIALS)
    return Work(flops=2 * trials * q * w * 40, fits=SETUP_FITS, stat_tests=2 * trials * q)


def anomaly_split(p: dict, n: int, classes: int) -> tuple[int, int]:
    """(training rows, test rows) of monitor._anomaly_split, assuming balanced classes: the normal (most
    frequent) class holds ceil(n / classes) rows, half of them train; the test holds the other half plus
    anomalies making up `contamination` of it."""
    normal = math.ceil(n / max(classes, 2))
    train, held_out = normal // 2, normal - normal // 2
    c = p.get("contamination", 0.1)
    anomalies = max(1, min(n - normal, round(c / (1.0 - c) * held_out)))
    return train, held_out + anomalies


def quantum_ocsvm(p: dict, n: int, classes: int) -> Work:
    """Tuning on the training rows, then the training Gram matrix and the test × training block (exact: the
    training rows' and the test rows' states, one call each)."""
    q, (train, test), shots = p["qubits"], anomaly_split(p, n, classes), p["shots"]
    if shots is None:
        work = _kernel_evaluations(q, q, _tuning(train), None, [(train, train * (train - 1) / 2), (test, test * train)])
    else:
        work = _kernel_evaluations(q, q, _tuning(train) + [(train, None), (test, train)], shots)
    work.flops += train * train * 50
    work.fits = SETUP_FITS + 1
    return work


def rbf_ocsvm(p: dict, n: int, classes: int) -> Work:
    q, (train, _) = p.get("qubits", 4), anomaly_split(p, n, classes)
    t = min(TUNING_ROWS, train)
    return Work(flops=train * train * (50 + q * 3) + BANDWIDTHS * t * t * 30, fits=SETUP_FITS + 1)


def isolation_forest(p: dict, n: int, classes: int) -> Work:
    """`n_estimators` trees, each fitted on up to 256 training rows and scoring the test rows."""
    return Work(flops=p["n_estimators"] * n * 256 * 10, fits=SETUP_FITS + 1, trees=p["n_estimators"])


def _train(p: dict, n: int, classes: int, metric_rows: int = 0) -> Work:
    """qlang.runtime.methods.train: full-batch steps on 75 % of the rows for all `iterations` (a method that
    reaches its target stops sooner). Each step is a differentiable pass over the training rows, and the loss
    after the last step one more (`Gradient`); qng adds, per step, metric_rows x (P + 1) states in one call;
    the test rows' predictions are one plain call. A QPU runs n_train x (2P + 1) circuits per step."""
    q, layers, iterations = p.get("qubits", 4), p.get("layers", 2), p["iterations"]
    weights, n_train = 2 * layers * q, math.ceil(0.75 * n)
    gates = _gates_reuploading(q, layers)
    metric = iterations * min(metric_rows, n_train) * (weights + 1)
    predicted = n - n_train
    rows = metric + predicted  # through the executor's plain (numpy) calls
    gradient = Gradient(rows=(iterations + 1) * n_train, calls=iterations + 1, gates=gates, qubits=q, weights=weights)
    qpu = iterations * (n_train * (2 * weights + 1) + min(metric_rows, n_train) * (weights + 1)) + n
    return Work(
        circuit_rows=rows,
        amplitude_ops=rows * gates * 2**q,
        executor_calls=SETUP_CALLS + 1 + (iterations if metric_rows else 0),
        gates_per_call=gates,
        flops=(gradient.rows + rows) * (q * classes + classes) * 6 + iterations * weights**3 + n * 384 * q * 2,
        fits=SETUP_FITS,
        qpu_circuits={"model": qpu},
        gradient=gradient,
    )


def qng(p: dict, n: int, classes: int) -> Work:
    return _train(p, n, classes, metric_rows=int(p.get("metric_rows") or TRAIN_SETTINGS["metric_rows"] or 0))


def parameter_shift(p: dict, n: int, classes: int) -> Work:
    return _train(p, n, classes)


def quantum_distillation(p: dict, n: int, classes: int) -> Work:
    work = hybrid_qnn_head({**p, "batch_size": p.get("batch_size", 32)}, n, classes)
    work.flops += (p["folds"] + 1) * LBFGS_ITERATIONS * n * 384 * classes * 4  # the teacher on full features
    work.fits += p["folds"] + 1
    return work


LOWRANK_HEAD_CALLS = 4  # the scaler's fit and the regression's; the score's transform and accuracy


def lowrank(p: dict, n: int, classes: int, rows: int | None = None) -> Work:
    """Decompositions at each rank reported (the method's and LOWRANK_RANKS that fit the data), each on all rows
    and on every training fold, plus the downstream head on each fold: a pipeline of a scaler and a logistic
    regression fitted, then scored (LOWRANK_HEAD_CALLS library calls; no PCA, the basis is the reduction).
    An SVD of an m x d matrix costs about 4 m d^2 + 8 d^3 flops (LAPACK's gesdd, m >= d)."""
    d, folds = 384, p.get("folds", 5)
    ranks = len({p.get("rank", 8), *(r for r in LOWRANK_RANKS if r <= min(n, d))})
    m = min(n, p.get("samples", n)) if rows is None else rows
    small, large = min(m, d), max(m, d)
    svd = 4 * large * small**2 + 8 * small**3
    return Work(
        flops=ranks * (folds + 1) * (svd + LBFGS_ITERATIONS * n * 16 * classes * 4),
        fits=ranks * folds * LOWRANK_HEAD_CALLS,
    )


def truncated_svd(p: dict, n: int, classes: int) -> Work:
    return lowrank(p, n, classes, rows=n)


# QAOA's classical loop (qlang/runtime/qubo/qaoa.py): random candidates in one call, then COBYLA restarts
QAOA_CANDIDATES, QAOA_RESTARTS, QAOA_MAXITER = (PRUNE_SETTINGS[k] for k in ("candidates", "restarts", "maxiter"))
PRUNE_REPEATS = PRUNE_SETTINGS[
    "repeats"
]  # inference passes (one row per call) over the evaluation rows when timing latency and energy
ROW_CALL_FLOPS = 20_000  # a one-row torch forward costs its call overhead, not its arithmetic


def _gates_dicke(n: int, k: int) -> int:
    """Gates of qlang.circuits.library.dicke_state(n, k): X on k wires, then split-and-cyclic-shift blocks."""
    if k in (0, n):
        return k
    return k + (n - k) * (6 + 10 * (k - 1)) + sum(6 + 10 * (size - 2) for size in range(2, k + 1))


def qaoa_ising_gates(n: int, p: int, mixer: str, k: int = 0) -> int:
    start = n if mixer == "x" else _gates_dicke(n, k)
    mixing = n if mixer == "x" else 2 * (n if n > 2 else n - 1)  # RXX and RYY on each pair of the ring
    return start + p * (n + n * (n - 1) // 2 + mixing)


def _cobyla(maxiter: int, layers: int) -> int:
    """COBYLA's typical evaluations for a QAOA of `layers` layers, at most `maxiter`."""
    return min(maxiter, COBYLA_ITERATIONS_PER_ANGLE * 2 * layers)


def one_row_calls(calls: float, gates: int, qubits: int) -> Work:
    """`calls` executor calls of one row each, of a circuit of `gates` gates on `qubits` qubits."""
    return Work(
        circuit_rows=calls,
        executor_calls=calls,
        row_calls=calls,
        call_gates=calls * gates,
        call_gate_amps=calls * gates * 2**qubits,
    )


def _qaoa_solve(n: int, gates: int, candidates: int, single: int, shots) -> Work:
    """A QAOA solve (qlang.runtime.qubo.qaoa): the `candidates` in one batched call, then `single` calls of one
    row (the optimiser's evaluations and the final read-out)."""
    batch = Work(
        circuit_rows=candidates, amplitude_ops=candidates * gates * 2**n, executor_calls=1, gates_per_call=gates
    )
    evaluations = candidates + single
    return replace(
        _plus(batch, one_row_calls(single, gates, n)),
        flops=evaluations * 2**n * 2,
        shots=shots,
        qpu_circuits={"qaoa": evaluations},
    )


def _qaoa_work(n: int, p: int, mixer: str, shots, k: int) -> Work:
    gates = qaoa_ising_gates(n, p, mixer, k)
    solve = _qaoa_solve(n, gates, QAOA_CANDIDATES, QAOA_RESTARTS * _cobyla(QAOA_MAXITER, p) + 1, shots)
    return replace(solve, executor_calls=solve.executor_calls + SETUP_CALLS, flops=solve.flops + 2**n * n * n)


def _pruning_evaluation(p: dict, n: int, classes: int, units: int) -> Work:
    """What every pruner does besides choosing: importance and similarity on the calibration half, accuracy,
    one epoch of recovery training, timed inference, and the exact optimum for the approximation ratio."""
    q = p.get("qubits", 4)
    forward = q * units + units * classes
    return Work(
        flops=n * forward * 6 * 3
        + PRUNE_REPEATS * n / 2 * (forward * 2 + ROW_CALL_FLOPS)
        + 2 ** min(units, 22) * units * units
        + n * 384 * q * 2,
        fits=SETUP_FITS + 1,
    )


def _plus(a: Work, b: Work) -> Work:
    return Work(
        a.circuit_rows + b.circuit_rows,
        a.amplitude_ops + b.amplitude_ops,
        a.executor_calls + b.executor_calls,
        a.flops + b.flops,
        a.fits + b.fits,
        a.kmeans_inits + b.kmeans_inits,
        a.shots or b.shots,
        {**a.qpu_circuits, **b.qpu_circuits},
        a.transpiles + b.transpiles,
        a.angle_expressions + b.angle_expressions,
        segments=a.segments + b.segments,
        stat_tests=a.stat_tests + b.stat_tests,
        trees=a.trees + b.trees,
        torch_steps=a.torch_steps + b.torch_steps,
        scored_fits=a.scored_fits + b.scored_fits,
        call_gates=a.call_gates + b.call_gates,
        call_gate_amps=a.call_gate_amps + b.call_gate_amps,
        row_calls=a.row_calls + b.row_calls,
        gates_per_call=_gates_per_batched_call(a, b),
    )


def _gates_per_batched_call(a: Work, b: Work) -> float | None:
    """The gates per batched call of a and b together: their mean over both works' batched calls, so that the
    per-gate price of every call is kept (a side without a count runs the calibration's circuit)."""
    if a.gates_per_call is None and b.gates_per_call is None:
        return None
    calls_a, calls_b = a.executor_calls - a.row_calls, b.executor_calls - b.row_calls
    if calls_a + calls_b <= 0:
        return a.gates_per_call if a.gates_per_call is not None else b.gates_per_call
    gates_a = REFERENCE_GATES if a.gates_per_call is None else a.gates_per_call
    gates_b = REFERENCE_GATES if b.gates_per_call is None else b.gates_per_call
    return (calls_a * gates_a + calls_b * gates_b) / (calls_a + calls_b)


def qaoa_pruning(p: dict, n: int, classes: int) -> Work:
    units = p["units"]
    k = pruning_k(p.get("keep", 0.5), units)
    return _plus(
        _qaoa_work(units, p["qaoa_layers"], p.get("mixer", "xy"), p["shots"], k),
        _pruning_evaluation(p, n, classes, units),
    )


def annealing_pruning(p: dict, n: int, classes: int) -> Work:
    units = p["units"]
    anneal = Work(flops=p["reads"] * 1000 * units * units * 2)  # 1000 sweeps per read
    return _plus(anneal, _pruning_evaluation(p, n, classes, units))


def magnitude_pruning(p: dict, n: int, classes: int) -> Work:
    return _pruning_evaluation(p, n, classes, p.get("units", 12))


def greedy_taylor(p: dict, n: int, classes: int) -> Work:
    units = p.get("units", 12)
    greedy = Work(flops=units * n / 2 * (p.get("qubits", 4) * units + units * classes) * 6)
    return _plus(greedy, _pruning_evaluation(p, n, classes, units))


def int8_quantization(p: dict, n: int, classes: int) -> Work:
    units = p.get("units", 12)
    return _pruning_evaluation(p, n, classes, units)


# FMQA's QAOA (the searchers' run-time settings): fewer candidates and iterations per solve than pruning
HPO_CANDIDATES, HPO_RESTARTS, HPO_MAXITER, HPO_FOLDS = (
    HPO_SETTINGS[k] for k in ("candidates", "restarts", "maxiter", "folds")
)
FM_STEPS = HPO_SETTINGS["fm_steps"]


def _objective_work(p: dict, n: int, classes: int) -> Work:
    """One evaluation: the objective model's cross-validation with HPO_FOLDS folds and no refit."""
    objective = p.get("objective", "logistic_regression")
    defaults = {q.name: q.default for q in catalog.METHODS[objective].params}
    one = COSTS[objective]({**defaults, "folds": HPO_FOLDS}, n, classes)
    return Work(flops=one.flops * HPO_FOLDS / (HPO_FOLDS + 1), fits=one.fits * HPO_FOLDS / (HPO_FOLDS + 1))


def _search_work(p: dict, n: int, classes: int, solve: Work | None = None) -> Work:
    from qlang.spaces import encoded_bits

    evaluations = p["evaluations"]
    solves = max(0, evaluations - max(2, evaluations // 4)) if solve is not None else 0
    bits = encoded_bits(p.get("space", "default"), p.get("objective", "logistic_regression"))
    one = _objective_work(p, n, classes)
    # each solve first fits the factorisation machine: FM_STEPS Adam steps on the evaluations so far
    fm = Work(flops=solves * FM_STEPS * evaluations * bits * 4 * 6, fits=solves, torch_steps=solves * FM_STEPS)
    total = _plus(Work(flops=one.flops * evaluations, fits=one.fits * evaluations), fm)
    if solve is not None:
        total = _plus(
            total,
            Work(
                solve.circuit_rows * solves,
                solve.amplitude_ops * solves,
                solve.executor_calls * solves,
                solve.flops * solves + solves * 2**bits * bits,
                solve.fits * solves,
                0.0,
                solve.shots,
                {k: v * solves for k, v in solve.qpu_circuits.items()},
                call_gates=solve.call_gates * solves,
                call_gate_amps=solve.call_gate_amps * solves,
                row_calls=solve.row_calls * solves,
                gates_per_call=solve.gates_per_call,
            ),
        )
    return total


def quantum_hpo(p: dict, n: int, classes: int) -> Work:
    from qlang.spaces import encoded_bits

    bits = encoded_bits(p.get("space", "default"), p.get("objective", "logistic_regression"))
    gates = qaoa_ising_gates(bits, p["qaoa_layers"], "x")
    solve = _qaoa_solve(
        bits, gates, HPO_CANDIDATES, HPO_RESTARTS * _cobyla(HPO_MAXITER, p["qaoa_layers"]) + 2, p["shots"]
    )
    return _search_work(p, n, classes, solve)


def random_search(p: dict, n: int, classes: int) -> Work:
    return _search_work(p, n, classes)


def tpe(p: dict, n: int, classes: int) -> Work:
    work = _search_work(p, n, classes)
    work.flops += p["evaluations"] ** 2 * 24 * 1000  # optuna's Parzen estimators, refitted per trial
    return work


def fmqa_exact(p: dict, n: int, classes: int) -> Work:
    return _search_work(p, n, classes, Work())


def fmqa_annealing(p: dict, n: int, classes: int) -> Work:
    from qlang.spaces import encoded_bits

    bits = encoded_bits(p.get("space", "default"), p.get("objective", "logistic_regression"))
    return _search_work(p, n, classes, Work(flops=100 * 1000 * bits * bits * 2))


def hybrid_layer(p: dict, n: int, classes: int) -> Work:
    return hybrid_qnn_head({"batch_size": 32, **p}, n, classes)


def dense_layer(p: dict, n: int, classes: int) -> Work:
    q, layers = p.get("qubits", 4), p.get("layers")
    units = p["units"] if layers is None else matched_units(q, layers, classes)
    return mlp({**p, "hidden": units, "qubits": q}, n, classes)


amplitude_encoding = _encode("amplitude_encoding")
angle_encoding = _encode("angle_encoding")
zz_feature_map = _encode("zz_feature_map")


# method name -> its cost model, as its catalog entry names it (`cost`)
COSTS = Derived(catalog.METHODS, "cost")

# rows and classes of the built-in data sets, so a plan needs no data loaded
BUILTIN_ROWS = {"breast_cancer": (569, 2), "wine": (178, 3), "digits": (1797, 10)}
VADER_ROWS_AT_1_5 = 3000  # about how many words of the VADER lexicon have |mean rating| ≥ 1.5


def data_rows(source: dict, spec_dir=None) -> tuple[int, int]:  # at least one row, so costs stay defined
    """(rows, classes) a data source will yield, from its parameters (files: counted lines)."""
    name, params = source["name"], source["params"]
    limit = params.get("limit")
    if name in BUILTIN_ROWS:
        rows, classes = BUILTIN_ROWS[name]
    elif name == "vader_lexicon":
        rows, classes = VADER_ROWS_AT_1_5, 2
    else:
        rows, classes = _count_file_rows(params, spec_dir), 2
    return max(1, min(rows, limit) if limit else rows), classes


def _non_blank_lines(path, chunk: int = 1 << 20) -> int:
    """Lines with something on them, read a chunk at a time (a file of one huge line stays in bounds)."""
    count, filled = 0, False
    with open(path, "rb") as f:
        while block := f.read(chunk):
            *ended, last = block.split(b"\n")
            for part in ended:
                count += filled or bool(part.strip())
                filled = False
            filled = filled or bool(last.strip())
    return count + filled


def _count_file_rows(params: dict, spec_dir) -> int:
    from pathlib import Path

    path = Path(spec_dir or ".") / params["path"]
    try:
        if not path.is_file():  # a device (/dev/zero) never ends and a FIFO blocks: the run refuses both
            return 0
        lines = _non_blank_lines(path)
    except (OSError, ValueError):
        return 0
    header = 0 if path.suffix.lower() in (".jsonl", ".ndjson") or params.get("format") == "jsonl" else 1
    return max(0, lines - header)


def used_roles(roles, params: dict) -> list[str]:
    """The circuit roles a method's run prepares: a kernel's `overlap` circuit when it samples, its
    `feature_map` when exact; every other role always."""
    sampled = params.get("shots") is not None and "overlap" in roles
    return [r for r in roles if (r == "overlap") == sampled] if "overlap" in roles else list(roles)


def with_circuit_setup(work: Work, method: str, params: dict, stage_method: str | None = None) -> Work:
    """`work` plus what the Qiskit executor of its task does once for each circuit the method uses (three Aer
    templates, segments, angle functions: qlang.circuits.setup), for a method that runs circuits: its own, or,
    for a baseline that asks for roles without circuits of its own (adam and sgd train their method's model),
    those of its stage's method `stage_method`, in a task of its own."""
    from qlang.circuits.library import stage_circuits
    from qlang.circuits.setup import qiskit_setup

    entry = catalog.METHODS[method]
    owner = method if entry.circuits else stage_method if entry.roles else None
    if not work.circuit_rows or owner is None or not catalog.METHODS[owner].circuits:
        return work
    circuits = stage_circuits(owner, params)
    roles = [r for r in used_roles(circuits, params) if owner == method or r in entry.roles]
    setups = [qiskit_setup(circuits[r], params.get("shots") is None) for r in roles]
    work.transpiles += sum(s.transpiles for s in setups)
    work.segments += sum(s.segments for s in setups)
    work.angle_expressions += sum(s.angle_expressions for s in setups)
    return work
