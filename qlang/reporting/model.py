"""What a report page shows, computed from report.json so the templates stay free of logic.

The input is the report.json object (schema in docs/report.md), never the live run: `qlc report RUN_DIR`
re-renders a finished run from its file alone. Every string here is plain text with two inline marks
that both formats understand, `code` and **bold**; the Markdown template writes them as they are and
the HTML template turns them into elements after escaping.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qlang.sweep import at_point, label


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
    image: str | None = None  # a data: URI of the drawn picture (report.html), None when not drawn

    @property
    def data_json(self) -> str:
        """`data` as JSON that is safe inside an HTML <script> element."""
        return json.dumps(self.data, sort_keys=True).replace("</", "<\\/")


@dataclass(frozen=True)
class StageView:
    name: str
    heading: str
    message: str | None
    table: Table | None
    energy: str | None
    warnings: tuple[str, ...]
    verdict: str | None
    roadmap: str | None = None
    figures: tuple[Figure, ...] = ()
    points: Table | None = None  # a sweep: every candidate at every point, the Pareto front marked
    choice: str | None = None  # `choose`: what later stages read, and why


@dataclass(frozen=True)
class ReportView:
    title: str
    intro: str
    energy: str
    stages: tuple[StageView, ...]
    summary: Table | None = None  # the table the page opens with: per stage and baseline, the verdict
    summary_note: str = ""
    figures: tuple[Figure, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) pairs for the page's header


def facts(report: dict) -> tuple[tuple[str, str], ...]:
    """What ran, where and when, as (label, value) pairs."""
    spec = report.get("spec") or {}
    energy = report["energy"]
    out = [
        ("spec", f"`{spec.get('file', '?')}` (sha256 `{str(spec.get('sha256', '?'))[:12]}`)"),
        ("target", f"{report['target']} on `{report['device']}`"),
        ("seeds", ", ".join(map(str, report["seeds"]))),
        ("status", f"**{report['status']}**"),
        ("time", f"{report['wall_time_s']:.1f} s"),
        ("meter", f"`{energy.get('provider', '?')}` ({energy.get('provenance', 'modeled')})"),
        ("qlang", report.get("qlang_version", "?")),
    ]
    return tuple(out + environment_facts(report.get("environment") or {}))


def environment_facts(env: dict) -> list[tuple[str, str]]:
    """report.json's environment block (runtime/environment.py) as (label, value) pairs; [] without one."""
    if not env:
        return []
    cpu, meter, cal = env.get("cpu") or {}, env.get("meter") or {}, env.get("calibration") or {}
    packages = ", ".join(f"{k} {v}" for k, v in (env.get("packages") or {}).items() if v and k != "qlang")
    settings = ", ".join(f"{k} {v}" for k, v in (meter.get("settings") or {}).items())
    gpus = ", ".join(g["name"] for g in env.get("gpus") or ()) or "none"
    return [
        ("python", f"{env.get('python', '?')} on {env.get('platform', '?')}"),
        ("packages", packages or "?"),
        ("cpu", f"{cpu.get('model') or '?'}, {cpu.get('usable_cores', '?')} of {cpu.get('logical_cores', '?')} cores"),
        ("gpu", gpus),
        (
            "meter settings",
            (settings or "none") + (f"; config `{meter['config_file']}`" if meter.get("config_file") else ""),
        ),
        (
            "calibration",
            f"`{cal['file']}` (sha256 `{cal['sha256'][:12]}`)" if cal.get("file") else "none (`qlc calibrate`)",
        ),
    ]


def cell(stat: dict) -> str:
    """`mean ± std` over seeds; a count that every seed agrees on prints as an integer."""
    if all(float(v).is_integer() for v in stat["per_seed"]) and stat["std"] == 0:  # counts: rows, parameters
        return f"{stat['mean']:.0f}"
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}" if len(stat["per_seed"]) > 1 else f"{stat['mean']:.3f}"


def runs_of(stage: dict) -> list[dict]:
    """The stage's method (when it ran), without its mitigation (when it has one), its ideal run on an exact
    simulator (on a noisy device), then its baselines."""
    return [
        r for r in [stage["method"], stage.get("unmitigated"), stage.get("ideal"), *stage["baselines"]] if r is not None
    ]


def points_table(stage: dict) -> Table | None:
    """One row per candidate and sweep point, with the stage's primary metric and energy per seed; ★ marks
    the quality-against-energy Pareto front. None when nothing is swept."""
    points = stage.get("points") or []
    if not any(p.get("point") for p in points):
        return None
    from qlang.runtime.report import primary

    metric, _higher = primary(stage["method"]["name"]) if stage.get("method") else (None, True)
    front = set(stage.get("pareto") or ())
    rows = []
    for i, p in enumerate(points):
        where = ", ".join(f"{k}: {'none' if v is None else v}" for k, v in (p.get("point") or {}).items())
        quality = cell(p["metrics"][metric]) if metric in p.get("metrics", {}) else "—"
        energy = cell(p["energy_j"]) if "energy_j" in p else "—"
        rows.append((f"`{p['label']}`", where or "—", quality, energy, "★" if i in front else ""))
    return Table(("candidate", "point", metric or "quality", "energy per seed (J)", "front"), tuple(rows))


def results_table(stage: dict) -> Table | None:
    runs = runs_of(stage)
    if not runs:
        return None
    metrics = list(dict.fromkeys(m for r in runs for m in r["metrics"]))
    rows = []
    for r in runs:
        role = "method" if r is stage["method"] else ("reference" if r.get("reference") else "baseline")
        role = "ideal (exact)" if r is stage.get("ideal") else role
        role = "unmitigated" if r is stage.get("unmitigated") else role
        time_cell = cell(r["wall_time_s"]) if "wall_time_s" in r else "does not run in this version"
        energy_cell = cell(r["energy_j"]) if "energy_j" in r else "—"
        rows.append(
            (
                role,
                f"`{r.get('label', r['name'])}`",
                r["family"],
                *(cell(r["metrics"][m]) if m in r["metrics"] else "—" for m in metrics),
                time_cell,
                energy_cell,
            )
        )
    return Table(("", "method", "family", *metrics, "time (s)", "energy (J)"), tuple(rows))


def energy_sentence(energy: dict, comparisons: Sequence[dict] = (), method: str = "the method") -> str | None:
    """What the stage's energy was, what the plan expected, the QPU model's figure, and the method's energy
    against each baseline's (a ratio per baseline with its interval, never over their sum)."""
    from qlang.units import format_energy as j

    if "measured_j" not in energy:
        return None
    how = "measured" if energy.get("provenance") == "measured" else "modeled from CPU time"
    parts = [
        f"the stage here {j(energy['measured_j'])} ({how}, `{energy.get('provider', '?')}` meter)",
        f"the plan's estimate {j((energy.get('estimated_j') or 0) + (energy.get('estimated_baseline_j') or 0))}"
        + ("" if energy.get("calibrated") else " (uncalibrated)"),
    ]
    if energy.get("qpu_model_j") is not None:
        parts.append(f"the quantum method on the QPU model {j(energy['qpu_model_j'])} (modeled)")
    ran = energy.get("qpu_ran") or {}
    if ran.get("usage_s"):
        parts.append(
            f"what ran on the QPU {j(ran['joules'])} (its {ran['usage_s']:,.1f} s of QPU time measured, as the jobs "
            f"reported it, × modeled power; the model's figure {j(ran['modeled_j'])})"
        )
    elif ran.get("joules") is not None:
        parts.append(
            f"what the noisy device measured, on the QPU model {j(ran['joules'])} (modeled: {ran['circuits']:,.0f} "
            f"circuits and {ran['shots']:,.0f} shots transpiled onto `{ran['backend']}`" + mitigation_words(ran) + ")"
        )
    elif ran.get("note"):
        parts.append(ran["note"])
    parts += [f"{at_point(method, c.get('point'))} used {energy_words(c)}" for c in comparisons]
    if energy.get("budget_j") is not None:
        parts.append(f"budget {j(energy['budget_j'])}, on_over_budget {energy['on_over_budget']}")
    return "Energy: " + "; ".join(parts) + "."


def mitigation_words(ran: dict) -> str:
    """`, of which readout calibration 2 circuits, 8,192 shots, 51 kJ and zero-noise extrapolation's folded
    circuits …`: what the stage's error mitigation measured on top (empty without mitigation)."""
    from qlang.units import format_energy

    parts = [
        f"{what} {ran[f'{key}_circuits']:,.0f} circuits, {ran[f'{key}_shots']:,.0f} shots, {format_energy(ran[f'{key}_j'])}"
        for key, what in (("calibration", "readout calibration"), ("zne", "zero-noise extrapolation's folded circuits"))
        if ran.get(f"{key}_circuits")
    ]
    return ", of which " + " and ".join(parts) if parts else ""


def energy_words(c: dict) -> str:
    """`34.1× the energy of logistic_regression (30.2–38.5×, more energy, Holm p = 0.001)`."""
    e = c["energy"]
    if e["estimate"] is None:
        return f"no metered energy to set beside {c['baseline']}'s"
    text = f"{e['estimate']:.3g}× the energy of {c['baseline']}"
    if e["p"] is None:
        return text + f" ({e['n']} seed{'s' if e['n'] != 1 else ''}: untested)"
    low, high = e["ci"]
    side = {"better": "less energy", "worse": "more energy"}.get(e["word"], e["word"])
    return f"{text} ({low:.3g}–{high:.3g}×, {side}, Holm p = {e['p_adjusted']:.2g})"


def _signed(x: float) -> str:
    return f"{x:+.3g}".replace("-", "−")


SUMMARY_HEADER = (
    "stage",
    "method vs baseline",
    "metric",
    "difference (95% CI)",
    "energy ratio here",
    "energy ratio, QPU model",
    "QPU break-even",
    "verdict",
    "expected (literature)",
)


def summary_table(report: dict) -> Table | None:
    """report.json's `summary` as the table a page opens with: one row per stage and baseline."""
    rows = []
    for r in report.get("summary") or ():
        stage = f"{r['stage']} ({r['kind']})"
        if r["method"] is None:
            rows.append((stage, "—", "—", "—", "—", "—", "—", r["status"], "—"))
            continue
        diff = "—" if r["difference"] is None else _signed(r["difference"])
        if r["ci"]:
            diff += f" ({_signed(r['ci'][0])} to {_signed(r['ci'][1])})"
        ratio = "—" if r["energy_ratio"] is None else f"{r['energy_ratio']:.3g}×"
        if r["energy_ratio_ci"]:
            ratio += f" ({r['energy_ratio_ci'][0]:.3g}–{r['energy_ratio_ci'][1]:.3g})"
        qpu = "—" if r["qpu_ratio"] is None else f"{r['qpu_ratio']:.3g}×"
        versus = f"`{at_point(r['method'], r.get('point'))}` vs `{r['baseline']}`" + (
            " (reference)" if r.get("reference") else ""
        )
        expected = f"{r['expected']['horizon']}, {r['expected']['impact']} impact" if r.get("expected") else "—"
        rows.append(
            (
                stage,
                versus,
                r["metric"],
                diff,
                ratio,
                qpu,
                break_even_words(r.get("break_even"), r.get("growth")),
                f"**{r['verdict']}**",
                expected,
            )
        )
    return Table(SUMMARY_HEADER, tuple(rows)) if rows else None


def _si(value: float, unit: str) -> str:
    """1.2 kW, 340 mW, 20 µs: three significant figures and an SI prefix."""
    for factor, prefix in ((1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def break_even_words(b: dict | None, g: dict | None = None) -> str:
    """`P_sys 1.2 W, or t_rep none, or shots none (trapped_ion); N^1 vs N^2, cross at N = 2,700,000`: the
    hardware at which the QPU model costs what the baseline did, and how both grow with the data size N."""
    if not b:
        return "—"
    t_rep = _si(b["t_rep_s"], "s") if b["t_rep_s"] is not None else "none"
    shots = f"{b['shots']:.3g}" if b["shots"] is not None else "none"
    words = f"P_sys {_si(b['power_w'], 'W')}, or t_rep {t_rep}, or shots {shots} ({b['platform']})"
    if not g:
        return words
    return f"{words}; N^{g['quantum_slope']:.2g} vs N^{g['classical_slope']:.2g}, {crossing_words(g)}"


def crossing_words(g: dict) -> str:
    """`cross at N = 2,700,000`, or why not (the plan's wording, qlang.plan.render)."""
    from qlang.plan.render import crossing_words as words

    return words(g)


def summary_note(report: dict) -> str:
    compared = sum(r["method"] is not None for r in report.get("summary") or ())
    return (
        "Difference: method − baseline on the stage's primary metric, paired over seeds (two-sided paired "
        f"t-test, Holm-corrected over the {compared} comparisons of this spec, α = {report.get('alpha', 0.05)}). "
        "Energy ratio here: the method's energy over that baseline's, both metered on this machine (geometric "
        "mean over seeds, with its interval). QPU model: the method's modeled energy on the QPU platform per "
        "seed over the baseline's energy here. (reference): not parameter-matched but what one would do anyway "
        "(logistic regression on the whole, uncompressed embedding); the other rows are at equal parameters and "
        "inputs. QPU break-even: the system power, or else the repetition time, or "
        "else the shots per circuit (one at a time, the others at the spec's platform preset) at which the QPU "
        "model's energy per seed equals the baseline's here; none: no value gets there. N^a vs N^b: how the QPU "
        "model's energy and the baseline's grow with the data size N (the plan's cost models, the baseline's scaled to "
        "what it used here), and the N from which the QPU side costs less, if any up to 10^7 rows. Expected: the horizon and impact the literature assigns the stage "
        "kind (Flöther, Mikolon and Longobardi 2025)."
    )


def roadmap_sentence(stage: dict) -> str | None:
    """`Roadmap: finetune stages are expected near-term (1–3 years), high impact (…); measured here: …`."""
    r = stage.get("roadmap")
    if not r:
        return None
    text = (
        f"**Roadmap:** `{stage['kind']}` stages are expected {r['horizon']} ({r['years']}), {r['impact']} impact "
        f"({r['source']})"
    )
    measured = []
    for c in stage.get("comparisons") or ():
        q, e = c["quality"], c["energy"]
        if q["estimate"] is None:
            continue
        ci = f" (95% CI {_signed(q['ci'][0])} to {_signed(q['ci'][1])})" if q["ci"] else ""
        at = f" at {e['estimate']:.3g}× its energy" if e["estimate"] is not None else ""
        where = label(c.get("point") or {})
        measured.append(
            f"{f'[{where}] ' if where else ''}against `{c['baseline']}` {q['word']}, {_signed(q['estimate'])}{ci}{at}"
        )
    return text + ("; measured here: " + "; ".join(measured) if measured else "") + "."


def stage_view(stage: dict, figures: tuple[Figure, ...] = ()) -> StageView:
    return StageView(
        name=stage["name"],
        heading=f"{stage['name']} ({stage['kind']}, from `{stage['input']}`) — {stage['status']}",
        message=stage.get("message"),
        table=results_table(stage),
        energy=energy_sentence(
            stage.get("energy") or {},
            stage.get("comparisons") or [],
            stage["method"]["name"] if stage.get("method") else "the method",
        ),
        warnings=tuple(stage.get("warnings") or ()),
        verdict=stage.get("verdict"),
        roadmap=roadmap_sentence(stage),
        figures=figures,
        points=points_table(stage),
        choice=(stage.get("choice") or {}).get("why"),
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
        summary=summary_table(report),
        summary_note=summary_note(report),
        figures=fig.run_figures(report) if with_figures else (),
        facts=facts(report),
    )
