"""The settings a pipeline and a stage accept."""

from qlang.catalog.schema import Entry, p_enum, p_float, p_int, p_qty, p_str
from qlang.units import ENERGY, INTENSITY

# The targets, each with its exact local simulators (the first is the default). This is a target's
# registration: beside it, a target is qlang/circuits/emit_<target>.py (its Emitter), the executor
# qlang/runtime/targets/<target>.py and the template qlang/codegen/templates/<target>.py.j2.
DEVICES = {
    "pennylane": ("default.qubit", "lightning.qubit"),
    "qiskit": ("aer_simulator", "statevector"),
}
TARGETS = tuple(DEVICES)
EXECUTORS = ("local", "process", "ray")
QPU_PLATFORMS = ("superconducting", "trapped_ion", "neutral_atom")
# Average carbon intensity of electricity generation worldwide, ≈ 480 gCO2e/kWh (IEA, 2023): the default.
DEFAULT_GRID = 480.0

PIPELINE = Entry(
    "pipeline",
    "method",
    "Pipeline settings.",
    (
        p_enum("target", TARGETS, "pennylane", "the SDK the generated pipeline uses; `qlc compile --target` overrides"),
        p_str(
            "device",
            None,
            "the simulator (a string) or a device model such as `fake_fez` (a name); "
            "none = the target's exact default, or its density-matrix simulator with `noise`",
            nullable=True,
        ),
        p_str(
            "noise",
            None,
            "a parametric noise model: channels joined by `+`, such as "
            "`depolarizing(p1: 0.001, p2: 0.01, readout: 2%)`",
            nullable=True,
        ),
        p_int(
            "shots",
            None,
            1,
            10_000_000,
            "measurement shots per circuit; none = exact on an exact device, 4096 on a noisy one",
            nullable=True,
        ),
        p_int("seed", 0, 0, 2**31 - 1, "the first seed"),
        p_int("repeat", 1, 1, 1000, "runs with seeds seed, seed+1, …; the report gives mean ± std"),
        p_qty("budget", ENERGY, None, "energy the whole run may use", lo=0.0, nullable=True),
        p_enum("qpu", QPU_PLATFORMS, "superconducting", "platform model for the QPU energy estimate"),
        p_qty("grid", INTENSITY, DEFAULT_GRID, "carbon intensity of the electricity", lo=0.0),
        p_enum("executor", EXECUTORS, "local", "where tasks run: here one by one, a local process pool, or Ray"),
        p_int("workers", None, 1, 4096, "worker processes or Ray CPUs; none = every core", nullable=True),
        p_str("address", None, 'a running Ray cluster: "auto" or "HOST:PORT"; none = start a local one', nullable=True),
    ),
)

STAGE = Entry(
    "stage",
    "method",
    "Stage settings.",
    (
        p_str("method", doc="the method: a name or a call with named parameters"),
        p_str("baseline", None, "classical baseline(s): a name, a call, or a list of them", nullable=True),
        p_qty("budget", ENERGY, None, "energy this stage may use", lo=0.0, nullable=True),
        p_enum(
            "on_over_budget",
            ("abort", "warn", "fallback"),
            "abort",
            "when the stage overruns: abort it, warn, or run the baseline instead",
        ),
        p_str(
            "mitigation",
            None,
            "error mitigation on a noisy device, techniques joined by `+`: `readout` (two calibration circuits per "
            "circuit width, each qubit's confusion matrix inverted), `zne` or `zne(scales: [1, 3, 5], "
            "extrapolation: richardson)` (every circuit also run folded, extrapolated to zero noise); the report "
            "shows the result without it too",
            nullable=True,
        ),
        p_str(
            "choose",
            None,
            "which candidate later stages read: `cheapest(within: 0.01)`; none = the method",
            nullable=True,
        ),
    ),
)

# `choose RULE(...)` on a stage: which of its candidates (the method and the baselines, at every sweep point)
# later stages read. qlang.runtime.choice applies it once the stage has run.
CHOICES = {
    "cheapest": Entry(
        "cheapest",
        "choice",
        "the candidate with the least energy whose quality is not significantly worse than the best's by more "
        "than `within` (a one-sided paired t-test over seeds on the method's primary metric)",
        (
            p_float(
                "within", 0.0, 0.0, None, "the quality a cheaper candidate may give up, in the primary metric's units"
            ),
        ),
    ),
}
