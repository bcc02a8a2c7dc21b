"""The Python API: the CLI's steps as objects, for notebooks and scripts (docs/api.md).

    import qlang
    spec = qlang.load("specs/quickstart.qlc")      # or qlang.loads(text)
    spec.check()                                   # [Diagnostic, ...]; empty when the spec is clean
    spec.plan()                                    # energy per stage before running
    source = spec.compile("qiskit")                # the generated module's source
    report = spec.run(out="runs/nb", smoke=True)   # a Report: tables, report.md / report.html
    report.results().to_pandas()

Nothing heavy is imported until a method needs it: `load`, `check` and `compile` stay on the light front
end, `plan` may import Qiskit for circuit durations, `run` imports the target's SDK. A spec with errors
raises `SpecError` (its diagnostics attached) from `plan`, `compile` and `run`; a run that fails at run
time still returns its Report (status `failed`, the message in the stage).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qlang.checks import Result
    from qlang.diagnostics import Diagnostic
    from qlang.plan.estimate import Plan


class SpecError(ValueError):
    """The spec has errors; `diagnostics` lists them (render each with `str(d)` or `Spec.render`)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]):
        super().__init__(message)
        self.diagnostics = diagnostics


def load(path: str | os.PathLike[str]) -> Spec:
    """A spec from a .qlc file (UTF-8); data paths in it start at the file's folder."""
    p = Path(path)
    return Spec(p.read_text(encoding="utf-8"), p)


def loads(text: str, name: str = "<string>", base_dir: str | os.PathLike[str] = ".") -> Spec:
    """A spec from text; `base_dir` is where its relative data paths start."""
    return Spec(text, Path(base_dir) / name if name != "<string>" else None, base_dir=Path(base_dir))


@dataclass
class Spec:
    text: str
    path: Path | None = None
    base_dir: Path | None = None

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else "<string>"

    @property
    def folder(self) -> Path:
        """Where the spec's relative data paths start."""
        return self.base_dir or (self.path.parent if self.path is not None else Path("."))

    def _result(self, target: str | None = None, smoke: bool = False) -> Result:
        from qlang.build import check_for_compile

        return check_for_compile(self.text, Path(self.name), target, smoke)

    def check(self, target: str | None = None) -> list[Diagnostic]:
        """Every problem, warnings included, as `Diagnostic` objects (code, severity, message, span, help)."""
        return list(self._result(target).diagnostics)

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not any(d.severity == "error" for d in self.check())

    def render(self, diagnostics: list[Diagnostic] | None = None) -> str:
        """Diagnostics as `qlc check` prints them (rustc-style, no colour)."""
        from qlang.diagnostics import Source, render

        source = Source(self.text, self.name)
        return "\n\n".join(render(d, source, False) for d in (self.check() if diagnostics is None else diagnostics))

    def _checked(self, target: str | None, smoke: bool = False) -> Result:
        result = self._result(target, smoke)
        if not result.ok:
            raise SpecError(f"{self.name} has {len(result.errors)} error(s):\n{self.render(result.errors)}",
                            result.errors)  # fmt: skip
        return result

    def plan(self, target: str | None = None, qpu: bool = True, pipeline: str | None = None) -> Plan:
        """The energy estimate of a pipeline (the first, or the one named) before it runs; `qpu` prices its
        circuits on the QPU model too (needs Qiskit; skipped without it)."""
        from qlang.plan.estimate import estimate, qiskit_durations
        from qlang.plan.prices import load_prices

        result = self._checked(target)
        chosen = _pipeline(result, pipeline)
        durations = None
        if qpu:
            try:
                import qiskit  # noqa: F401  (only for circuit durations)

                durations = qiskit_durations()
            except ImportError:
                durations = None
        return estimate(chosen, load_prices(), self.folder, durations)

    def compile(self, target: str | None = None, module_dir: str | os.PathLike[str] = "generated") -> str:
        """The generated module's source for `target` (default: the spec's), as if written to `module_dir`."""
        from qlang.build import module_source

        result = self._checked(target)
        return module_source(result, self.text, self.path or self.folder / "spec.qlc", Path(module_dir))

    def run(self, out: str | os.PathLike[str] | None = None, smoke: bool = False, executor: str = "local",
            target: str | None = None, verbosity: int = -1) -> Report:  # fmt: skip
        """Compile and run the (first) pipeline into `out` (default runs/<pipeline>/<n>/), writing report.json,
        report.md, report.html and the module beside them, as `qlc run` does. `executor` is where tasks run
        (`local`, this process: the only one in this version). `verbosity` -1 is silent; 0 prints progress."""
        import runpy

        from qlang.plan.estimate import run_plan
        from qlang.runtime.errors import RuntimeDiagnostic
        from qlang.runtime.main import new_report, run_one
        from qlang.runtime.rundir import claim, claim_next, write_atomic
        from qlang.smoke import smoke_sized

        if executor != "local":
            raise ValueError(f"executor {executor!r} is not available in this version; use 'local'")
        result = self._checked(target, smoke)
        assert result.spec is not None  # _checked raised on errors
        first = result.spec.pipelines[0]
        run_dir = claim(Path(out)) if out is not None else claim_next(Path("runs"), first.name)  # OUT-2… if taken
        folder = run_dir.path
        module_path = folder / f"pipeline.{first.target}.py"
        write_atomic(module_path, self.compile(target, folder))
        ns = runpy.run_path(str(module_path), run_name="qlang_generated")
        pipeline = ns["PIPELINES"][0]
        report = new_report(pipeline, ns["SPEC"])
        plan = run_plan(smoke_sized(pipeline) if smoke else pipeline, self.folder)
        write_atomic(folder / "plan.json", json.dumps(plan))
        try:
            run_one(pipeline, ns["make_executor"], report, self.folder, folder, smoke, verbosity, plan=plan)
        except RuntimeDiagnostic as e:
            report.finish("failed")
            if report.stages:
                report.stages[-1].message = report.stages[-1].message or str(e)
            report.write(folder, html=True)
            run_dir.release()
            return Report(report.to_json(), folder, error=str(e))
        report.write(folder, html=True)
        run_dir.release()
        return Report(report.to_json(), folder)


def _pipeline(result: Result, name: str | None):
    assert result.spec is not None  # checked: no errors
    pipelines = result.spec.pipelines
    if name is None:
        return pipelines[0]
    for p in pipelines:
        if p.name == name:
            return p
    raise ValueError(f"no pipeline `{name}`; the spec has {', '.join(p.name for p in pipelines)}")


@dataclass(frozen=True)
class Table:
    """Rows of plain values under named columns; `to_pandas()` when pandas is installed."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_pandas(self):
        """A pandas.DataFrame of the rows (raises ImportError with the install hint without pandas)."""
        try:
            import pandas as pd  # type: ignore[import-untyped]
        except ImportError as e:
            raise ImportError("Table.to_pandas needs pandas: pip install pandas") from e
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Report:
    """A finished run: report.json's content (`data`, schema in docs/report.md), the folder it lives in, and
    tables of its numbers. Shown in a notebook as report.md."""

    data: dict[str, Any]
    folder: Path | None = None
    error: str | None = None  # the run-time diagnostic of a failed run
    _md: str | None = field(default=None, repr=False)

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> Report:
        """The report of a finished run folder (runs/<pipeline>/<n>/)."""
        path = Path(folder)
        return cls(json.loads((path / "report.json").read_text(encoding="utf-8")), path)

    @property
    def status(self) -> str:
        return self.data["status"]

    @property
    def stages(self) -> list[dict[str, Any]]:
        return self.data["stages"]

    def results(self) -> Table:
        """One row per stage, run and metric: stage, role, name, family, metric, mean, std, seeds."""
        rows = []
        for s in self.stages:
            runs = [("method", s["method"])] if s.get("method") else []
            runs += [("baseline", b) for b in s.get("baselines") or ()]
            for role, r in runs:
                for metric, stat in (r.get("metrics") or {}).items():
                    rows.append((s["name"], role, r.get("label", r["name"]), r["family"], metric, stat["mean"],
                                 stat["std"], len(stat["per_seed"])))  # fmt: skip
                if "energy_j" in r:
                    e = r["energy_j"]
                    rows.append((s["name"], role, r.get("label", r["name"]), r["family"], "energy_j", e["mean"],
                                 e["std"], len(e["per_seed"])))  # fmt: skip
        return Table(("stage", "role", "name", "family", "metric", "mean", "std", "seeds"), tuple(rows))

    def energy(self) -> Table:
        """One row per stage: measured, estimated and QPU-model joules, the budget and the stage's status."""
        rows = []
        for s in self.stages:
            e = s.get("energy") or {}
            rows.append((s["name"], s["kind"], s["status"], e.get("measured_j"), e.get("estimated_j"),
                         e.get("qpu_model_j"), e.get("budget_j"), e.get("provenance")))  # fmt: skip
        return Table(("stage", "kind", "status", "measured_j", "estimated_j", "qpu_model_j", "budget_j",
                      "provenance"), tuple(rows))  # fmt: skip

    def markdown(self) -> str:
        from qlang.reporting import markdown

        return markdown(self.data)

    def html(self) -> str:
        from qlang.reporting import html

        return html(self.data)

    def _repr_markdown_(self) -> str:
        return self.markdown()
