"""The QPU model's energy for what a noisy stage actually measured (imports Qiskit).

Input: the method's noisy executors, one per seed (qlang.runtime.noise.NoisyExecutor): `ran` maps
(circuit name, shots) → rows measured, `folded` (circuit name, shots, scale) → rows of the circuits
zero-noise extrapolation folded, `calibrated_widths` the widths whose readout calibration ran. A folded
circuit is timed as the stage's circuit folded with barriers between the folds
(qlang.runtime.zne.fold), so that the transpile keeps every U† U a device would run.
Each of the stage's circuits is transpiled once onto the device (a fake backend names itself; a
parametric noise model uses the platform's device model), and its depth, two-qubit gates and one shot's
duration come from that transpiled circuit (qlang.energy.qpu.circuit_timing). The energy is
qlang.energy.qpu's model over the circuits and shots that ran, calibration circuits included, one job
per seed. Modeled, not measured, where no QPU ran. Where IBM jobs reported their QPU usage (`usage_s` on
the executors of the `ibm:` path), that measured time replaces the modeled one: the energy is the usage
times the platform's system power, the model's figure kept beside it as `modeled_j`.
"""

from __future__ import annotations

from qlang.catalog.devices import HARDWARE, hardware_model
from qlang.energy.qpu import circuit_timing, get_platform, qpu_energy_breakdown
from qlang.energy.qpu_circuits import calibration_circuit, stage_circuits
from qlang.ir import model as ir
from qlang.runtime.zne import fold


def ran_energy(pipeline: dict, stage: dict, executors: list) -> dict:
    """{joules, calibration_j, circuits, shots, calibration_shots, calibration_circuits, zne_j, zne_circuits,
    zne_shots, backend, transpiled: {role: {depth, two_qubit_gates, duration_s}}, provenance}, and with
    measured QPU usage {usage_s, modeled_j} (see the module docstring)."""
    platform = get_platform(pipeline["qpu"])
    device = pipeline["device"]
    if device.startswith(HARDWARE):  # IBM hardware: its fake twin's durations (ibm:ibm_fez → fake_fez)
        device = hardware_model(device) or platform.duration_backend
    backend = device if pipeline.get("device_qubits") is not None else platform.duration_backend
    circuits = stage_circuits(ir.Stage.model_validate(stage))
    timings = {role: circuit_timing(qc, backend) for role, qc in circuits.items()}
    work, calibration, folded = [], [], []
    for executor in executors:
        for (name, shots), rows in executor.ran.items():
            work.append((timings[name.rsplit(".", 1)[1]].duration_s, int(shots), rows))
        for (name, shots, scale), rows in getattr(executor, "folded", {}).items():
            qc = circuits[name.rsplit(".", 1)[1]]
            folded.append((circuit_timing(fold(qc, scale, barriers=True), backend).duration_s, int(shots), rows))
        for n in getattr(executor, "calibrated_widths", ()):
            for flip in (0, 1):
                calibration.append((circuit_timing(calibration_circuit(n, flip), backend).duration_s, executor.shots))
    energy = qpu_energy_breakdown([*work, *calibration, *folded], platform, jobs=len(executors))
    calibration_energy = qpu_energy_breakdown(calibration, platform, jobs=0)
    zne_energy = qpu_energy_breakdown(folded, platform, jobs=0)
    out = {
        "joules": energy.joules,
        "calibration_j": calibration_energy.joules,
        "circuits": energy.circuits,
        "shots": energy.shots,
        "calibration_circuits": calibration_energy.circuits,
        "calibration_shots": calibration_energy.shots,
        "zne_j": zne_energy.joules,
        "zne_circuits": zne_energy.circuits,
        "zne_shots": zne_energy.shots,
        "backend": next(iter(timings.values())).backend if timings else backend,
        "platform": platform.name,
        "transpiled": {
            role: {"depth": t.depth, "two_qubit_gates": t.two_qubit_gates, "duration_s": t.duration_s}
            for role, t in timings.items()
        },
        "provenance": "modeled from the transpiled circuits and the shots that ran",
    }
    usage_s = sum(getattr(e, "usage_s", None) or 0.0 for e in executors)
    if usage_s > 0:
        out |= {
            "modeled_j": out["joules"],
            "usage_s": usage_s,
            "joules": usage_s * platform.p_sys_w,
            "provenance": f"QPU time measured (the usage the jobs reported) × the {platform.name} platform's "
            f"modeled system power, {platform.p_sys_w:,.0f} W",
        }
    return out
