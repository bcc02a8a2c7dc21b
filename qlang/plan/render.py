"""The plan as a text table."""

from __future__ import annotations

from qlang.plan.estimate import Plan
from qlang.units import format_energy as _j


def _n(value: float | None) -> str:
    return "—" if not value else f"{value:,.0f}"


def table(plan: Plan) -> str:
    head = [
        "stage",
        "method",
        "qubits",
        "circuits",
        "shots",
        "here (sim)",
        "QPU model",
        "baseline",
        "budget",
        "verdict",
    ]
    rows = []
    for s in plan.stages:
        rows.append(
            [
                f"{s.name} ({s.kind})",
                s.method,
                str(s.qubits or "—"),
                _n(s.circuits),
                "exact" if s.shots is None and s.circuits else _n(s.shots),
                _j(s.simulation_j),
                _j(s.qpu_j),
                _j(s.baseline_j),
                _j(s.budget_j),
                s.verdict,
            ]
        )
    rows.append(["total", "", "", "", "", _j(plan.simulation_j), _j(plan.qpu_j), "", _j(plan.budget_j), plan.verdict()])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    out = [
        f"plan for {plan.pipeline}: {plan.target} on {plan.device}, {plan.seeds} seed(s), QPU model {plan.qpu}",
        "",
        line(head),
        line(["-" * w for w in widths]),
    ]
    out += [line(r) for r in rows]
    out.append("")
    out.append(
        f"carbon here: {plan.carbon_g(plan.simulation_j):.3g} gCO2e at {plan.grid_g_per_kwh:g} gCO2e/kWh"
        + (f"; on the QPU model: {plan.carbon_g(plan.qpu_j):.3g} gCO2e" if plan.qpu_j else "")
    )
    out.append(
        "'here' is modeled energy on this machine: the method's counted work priced by "
        + (
            "`qlc calibrate`'s measurements."
            if plan.calibrated
            else "uncalibrated defaults — run `qlc calibrate` for this machine's numbers."
        )
    )
    notes = sorted({s.qpu_note for s in plan.stages if s.qpu_note} | {s.note for s in plan.stages if s.note})
    out += [f"note: {n}" for n in notes]
    return "\n".join(out)
