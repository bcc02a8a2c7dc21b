"""What a report page shows, computed from report.json so the templates stay free of logic.

The input is the report.json object (schema in docs/report.md), never the live run: `qlc report RUN_DIR`
re-renders a finished run from its file alone. Every string here is plain text with two inline marks
that both formats understand, `code` and **bold**; the Markdown template writes them as they are and
the HTML template turns them into elements after escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if any(len(row) != len(self.header) for row in self.rows):
            raise ValueError("every row of a table has one cell per column")

    def records(self) -> list[dict[str, str]]:
        """The rows as {column: cell}, in order (what pandas.DataFrame takes)."""
        return [dict(zip(self.header, row)) for row in self.rows]


@dataclass(frozen=True)
class Figure:
    """A plot: `key` names its kind (see plots.FIGURES), `data` is everything it draws (JSON-safe, and
    embedded beside the picture so a reader or a test can check it), `caption` says how to read it."""

    key: str
    title: str
    caption: str
    data: dict[str, Any]


@dataclass(frozen=True)
class StageView:
    heading: str
    message: str | None
    table: Table | None
    energy: str | None
    warnings: tuple[str, ...]
    verdict: str | None
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class ReportView:
    title: str
    intro: str
    energy: str
    stages: tuple[StageView, ...]
    figures: tuple[Figure, ...] = ()
    facts: tuple[tuple[str, str], ...] = field(default=())  # (label, value) pairs for the page's header


def cell(stat: dict) -> str:
    """`mean ± std` over seeds; a count that every seed agrees on prints as an integer."""
    if all(float(v).is_integer() for v in stat["per_seed"]) and stat["std"] == 0:  # counts: rows, parameters
        return f"{stat['mean']:.0f}"
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}" if len(stat["per_seed"]) > 1 else f"{stat['mean']:.3f}"


def runs_of(stage: dict) -> list[dict]:
    """The stage's method (when it ran) and then its baselines."""
    return [r for r in [stage["method"], *stage["baselines"]] if r is not None]


def results_table(stage: dict) -> Table | None:
    runs = runs_of(stage)
    if not runs:
        return None
    metrics = list(dict.fromkeys(m for r in runs for m in r["metrics"]))
    rows = []
    for r in runs:
        role = "method" if r is stage["method"] else "baseline"
        time_cell = cell(r["wall_time_s"]) if "wall_time_s" in r else "does not run in this version"
        energy_cell = cell(r["energy_j"]) if "energy_j" in r else "—"
        rows.append(
            (
                role,
                f"`{r['name']}`",
                r["family"],
                *(cell(r["metrics"][m]) if m in r["metrics"] else "—" for m in metrics),
                time_cell,
                energy_cell,
            )
        )
    return Table(("", "method", "family", *metrics, "time (s)", "energy (J)"), tuple(rows))


def energy_sentence(energy: dict) -> str | None:
    from qlang.units import format_energy as j

    if "measured_j" not in energy:
        return None
    parts = [
        f"measured {j(energy['measured_j'])} ({energy.get('provenance', 'modeled')})",
        f"estimated {j((energy.get('estimated_j') or 0) + (energy.get('estimated_baseline_j') or 0))}"
        + ("" if energy.get("calibrated") else " (uncalibrated)"),
    ]
    if energy.get("qpu_model_j") is not None:
        parts.append(f"the quantum method on the QPU model {j(energy['qpu_model_j'])} (modeled)")
    if energy.get("quantum_over_classical"):
        parts.append(f"quantum/classical energy here {energy['quantum_over_classical']:.3g}×")
    if energy.get("budget_j") is not None:
        parts.append(f"budget {j(energy['budget_j'])}, on_over_budget {energy['on_over_budget']}")
    return "Energy: " + "; ".join(parts) + "."


def stage_view(stage: dict, figures: tuple[Figure, ...] = ()) -> StageView:
    return StageView(
        heading=f"{stage['name']} ({stage['kind']}, from `{stage['input']}`) — {stage['status']}",
        message=stage.get("message"),
        table=results_table(stage),
        energy=energy_sentence(stage.get("energy") or {}),
        warnings=tuple(stage.get("warnings") or ()),
        verdict=stage.get("verdict"),
        figures=figures,
    )


def intro(report: dict) -> str:
    energy = report["energy"]
    return (
        f"Target **{report['target']}** on `{report['device']}`, seeds {', '.join(map(str, report['seeds']))}, "
        f"status **{report['status']}**, {report['wall_time_s']:.1f} s. Values are mean ± sample std over seeds. "
        f"Energy is {energy.get('provenance', 'modeled')} by the `{energy.get('provider', '?')}` meter."
    )


def report_view(report: dict, with_figures: bool = False) -> ReportView:
    """The page for one report.json; `with_figures` adds the plots' data (report.html draws them)."""
    from qlang.reporting import figures as fig

    stages = tuple(stage_view(s, fig.stage_figures(s) if with_figures else ()) for s in report["stages"])
    return ReportView(
        title=report["pipeline"],
        intro=intro(report),
        energy=report["energy"]["summary"],
        stages=stages,
        figures=fig.run_figures(report) if with_figures else (),
    )
