"""Finished runs as data: listing run folders (`qlc runs`) and what changed between two (`qlc diff`).

Both read report.json files only. A change in a metric is tested when both runs have several seeds: paired
(Student's t on the per-seed differences) when they ran the same seeds, else Welch's t; scipy gives the
p-value, and without it (or with one seed) the change is shown untested, and said so.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from qlang.sweep import label as point_label
from qlang.units import format_energy


class RunError(Exception):
    """A folder that is not a finished run's, with what to do about it."""


def load_run(folder: Path) -> dict:
    """report.json of a run folder (or the file itself)."""
    path = folder / "report.json" if folder.is_dir() else folder
    if not path.exists():
        raise RunError(f"no report.json in {folder}: is it a run folder (runs/<pipeline>/<n>/)?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunError(f"{path} cannot be read as a report: {e}") from None
    if not isinstance(data, dict) or "stages" not in data:
        raise RunError(f"{path} is not a qlang report (no stages)")
    if data.get("status") == "running":  # a run whose process died reads as such (see runtime/rundir.py)
        from qlang.runtime.rundir import run_status

        data["status"] = run_status(path.parent)[0]
    return data


# ---------------------------------------------------------------- qlc runs


@dataclass(frozen=True)
class RunRow:
    path: str
    spec: str
    when: str
    status: str
    duration: str
    energy: str
    verdicts: str


def outcome(stage: dict) -> str:
    """A stage's verdict in a word or two: quantum better, classical better, no clear difference, or its status."""
    if stage.get("status") not in ("ok", "fallback"):
        return stage.get("status", "?")
    verdict = stage.get("verdict") or ""
    if not verdict:
        return "no baseline"
    said = {"quantum better": " beats " in verdict, "classical better": " wins " in verdict}
    found = [k for k, v in said.items() if v]
    return " / ".join(found) if found else "no clear difference"


def stage_verdicts(report: dict, stage: dict) -> str:
    """The stage's tested verdict against each baseline (report.json's summary rows), or, for a report written
    before verdicts were tested, the sentence's gist."""
    rows = [r for r in report.get("summary") or () if r.get("stage") == stage["name"] and r.get("verdict")]
    if stage.get("status") not in ("ok", "fallback") or not rows:
        return outcome(stage)
    return "; ".join(
        f"{r['verdict']} vs {r['baseline']}" + (f" [{point_label(r['point'])}]" if r.get("point") else "") for r in rows
    )


def run_row(folder: Path, root: Path) -> RunRow:
    report = load_run(folder)
    stamp = datetime.fromtimestamp((folder / "report.json").stat().st_mtime, UTC)
    verdicts = ", ".join(f"{s['name']}: {stage_verdicts(report, s)}" for s in report["stages"])
    return RunRow(
        path=str(folder.relative_to(root)) if folder.is_relative_to(root) else str(folder),
        spec=(report.get("spec") or {}).get("file", report.get("pipeline", "?")),
        when=stamp.strftime("%Y-%m-%d %H:%M"),
        status=report.get("status", "?"),
        duration=f"{report.get('wall_time_s', 0):.1f} s",
        energy=format_energy((report.get("energy") or {}).get("measured_j")),
        verdicts=verdicts,
    )


def run_folders(root: Path) -> list[Path]:
    """Every folder under `root` (itself included) that holds a report.json, oldest first."""
    found = [p.parent for p in root.rglob("report.json")]
    return sorted(found, key=lambda p: ((p / "report.json").stat().st_mtime, str(p)))


def runs_table(root: Path) -> tuple[list[RunRow], list[str]]:
    """The rows, and a line for each folder whose report.json cannot be read."""
    rows, problems = [], []
    for folder in run_folders(root):
        try:
            rows.append(run_row(folder, root))
        except RunError as e:
            problems.append(str(e))
    return rows, problems


HEADER = RunRow("run", "spec", "when (UTC)", "status", "duration", "energy", "verdicts")


def format_runs(rows: list[RunRow]) -> str:
    """A fixed-width table; the verdicts column is last and not padded."""
    table = [HEADER, *rows]
    fields = list(RunRow.__dataclass_fields__)[:-1]
    widths = {f: max(len(getattr(r, f)) for r in table) for f in fields}
    return "\n".join("  ".join(getattr(r, f).ljust(widths[f]) for f in fields) + "  " + r.verdicts for r in table)


# ---------------------------------------------------------------- qlc diff


def significance(a: dict, b: dict) -> str:
    """How sure the change from `a` to `b` (two `{mean, std, per_seed}` with `seeds`) is."""
    xa, xb = a["per_seed"], b["per_seed"]
    if xa == xb:
        return "same values"
    if len(xa) < 2 or len(xb) < 2:
        return "untested (one seed)"
    try:
        from scipy import stats
    except ImportError:
        return "untested (needs scipy)"
    with warnings.catch_warnings():  # a constant shift has no spread: scipy warns, and p is 0, which is right
        warnings.simplefilter("ignore", RuntimeWarning)
        if a.get("seeds") is not None and a.get("seeds") == b.get("seeds"):
            result, test = stats.ttest_rel(xb, xa), f"paired t, {len(xa)} seeds"
        else:
            result, test = stats.ttest_ind(xb, xa, equal_var=False), f"Welch t, {len(xa)} and {len(xb)} seeds"
    p = float(result.pvalue)
    if math.isnan(p):
        return f"untested (no spread; {test})"
    shown = "p < 0.001" if p < 0.001 else f"p = {p:.2g}"
    return f"{shown} ({test})" + (", significant at 0.05" if p < 0.05 else ", not significant at 0.05")


def _value(stat: dict) -> str:
    return f"{stat['mean']:.4g}" + (f" ± {stat['std']:.2g}" if len(stat["per_seed"]) > 1 else "")


def _with_seeds(stat: dict, run: dict) -> dict:
    return {**stat, "seeds": run.get("seeds")}


def _runs_by_label(stage: dict) -> dict[str, tuple[str, dict]]:
    out = {}
    if stage.get("method"):
        out[stage["method"].get("label", stage["method"]["name"])] = ("method", stage["method"])
    for b in stage.get("baselines") or ():
        out[b.get("label", b["name"])] = ("baseline", b)
    return out


def _params_lines(ra: dict, rb: dict) -> list[str]:
    pa, pb = ra.get("params") or {}, rb.get("params") or {}
    return [f"    param {k}: {pa.get(k, '—')!r} → {pb.get(k, '—')!r}"
            for k in dict.fromkeys([*pa, *pb]) if pa.get(k) != pb.get(k)]  # fmt: skip


def _metric_lines(ra: dict, rb: dict) -> list[str]:
    lines = []
    metrics = dict.fromkeys([*(ra.get("metrics") or {}), *(rb.get("metrics") or {})])
    for m in [*metrics, "energy_j"]:
        sa = ra.get(m) if m == "energy_j" else (ra.get("metrics") or {}).get(m)
        sb = rb.get(m) if m == "energy_j" else (rb.get("metrics") or {}).get(m)
        if sa is None or sb is None:
            lines.append(f"    {m}: {'—' if sa is None else _value(sa)} → {'—' if sb is None else _value(sb)}")
            continue
        if sa["per_seed"] == sb["per_seed"]:
            continue
        name = "energy (J)" if m == "energy_j" else m
        change = sb["mean"] - sa["mean"]
        lines.append(f"    {name}: {_value(sa)} → {_value(sb)} ({change:+.3g}; "
                     f"{significance(_with_seeds(sa, ra), _with_seeds(sb, rb))})")  # fmt: skip
    return lines


def diff(a: dict, b: dict, name_a: str = "A", name_b: str = "B") -> str:
    """What changed from run A to run B: the spec, the set-up, each stage's parameters and metrics."""
    lines = [f"A: {name_a}", f"B: {name_b}"]
    spec_a, spec_b = a.get("spec") or {}, b.get("spec") or {}
    if spec_a.get("sha256") == spec_b.get("sha256"):
        lines.append(f"spec: same text ({spec_a.get('file', '?')}, sha256 {str(spec_a.get('sha256'))[:12]})")
    else:
        lines.append(f"spec: changed — {spec_a.get('file', '?')} sha256 {str(spec_a.get('sha256'))[:12]} → "
                     f"{spec_b.get('file', '?')} sha256 {str(spec_b.get('sha256'))[:12]}")  # fmt: skip
    for key in ("pipeline", "qlang_version", "target", "device", "seeds", "status"):
        if a.get(key) != b.get(key):
            lines.append(f"{key}: {a.get(key)} → {b.get(key)}")
    ea, eb = (a.get("energy") or {}).get("measured_j"), (b.get("energy") or {}).get("measured_j")
    lines.append(f"energy (whole run, one measurement each): {format_energy(ea)} → {format_energy(eb)}")
    stages_a = {s["name"]: s for s in a["stages"]}
    stages_b = {s["name"]: s for s in b["stages"]}
    for name in dict.fromkeys([*stages_a, *stages_b]):
        sa, sb = stages_a.get(name), stages_b.get(name)
        if sa is None or sb is None:
            lines.append(f"stage {name}: only in {'B' if sa is None else 'A'}")
            continue
        head = f"stage {name} ({sa['kind']})" + (f": {sa['status']} → {sb['status']}" if sa["status"] != sb[
            "status"] else "")  # fmt: skip
        body = []
        runs_a, runs_b = _runs_by_label(sa), _runs_by_label(sb)
        for label in dict.fromkeys([*runs_a, *runs_b]):
            if label not in runs_a or label not in runs_b:
                body.append(f"  {label}: only in {'B' if label not in runs_a else 'A'}")
                continue
            (role, ra), (_, rb) = runs_a[label], runs_b[label]
            changes = _params_lines(ra, rb) + _metric_lines(ra, rb)
            if changes:
                body += [f"  {role} {label}:", *changes]
        lines += [head, *(body or ["  no change in parameters or metrics"])]
    return "\n".join(lines)
