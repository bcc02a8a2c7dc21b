"""Semantic checks: syntax tree → validated model, with every problem collected as a diagnostic."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qlang.catalog import Entry
from qlang.checks import budgets, dataflow, resources
from qlang.checks.lower import DraftBinding, DraftPipeline, lower_pipeline
from qlang.diagnostics import Diagnostic, Label, Source
from qlang.ir import model as ir
from qlang.syntax import ast
from qlang.syntax.parser import SYNTAX_CODES, parse


@dataclass
class Result:
    source: Source
    spec: ir.Spec | None = None
    tree: ast.Spec | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def checked(self) -> ir.Spec:
        """The checked spec; only for a result that is `ok`."""
        if self.spec is None:
            raise ValueError(f"{self.source.path} did not check: {len(self.errors)} error(s)")
        return self.spec

    @property
    def parsed(self) -> ast.Spec:
        """The syntax tree; only for a result that parsed."""
        if self.tree is None:
            raise ValueError(f"{self.source.path} did not parse")
        return self.tree


def plugin_warnings() -> list[Diagnostic]:
    """Q802 for each installed plug-in (or plug-in entry) the catalog left out: the spec is still checked,
    against the methods that did load."""
    from qlang import catalog

    return [
        Diagnostic(
            "Q802",
            f"the plug-in `{p.origin}` was left out of the catalog: {p.message}",
            None,
            severity="warning",
            help=f"its entry point `{p.entry_point}` (group `qlang.methods`) needs fixing; `qlc methods` lists it",
        )
        for p in catalog.PLUGIN_PROBLEMS
    ]


def check_text(
    text: str,
    path: str = "<input>",
    target: str | None = None,
    parsed: tuple[ast.Spec | None, list[Diagnostic]] | None = None,
    smoke: bool = False,
) -> Result:
    """Parse and check a spec. `target` overrides every pipeline's `target` setting. `parsed`, when given,
    is what `parse(text)` answers, found another way (the language server's re-parse of an edit). `smoke`:
    the budgets are checked against the estimate of the smoke-sized run (`qlc run --smoke`)."""
    result = Result(Source(text, path))
    tree, diags = parsed if parsed is not None else parse(text)
    diags = list(diags)
    result.tree = tree
    diags += plugin_warnings()
    result.diagnostics = diags
    if tree is None or any(d.code in SYNTAX_CODES for d in diags):  # a recovered tree misses statements:
        return result  # checking it would report what the syntax errors already explain
    if not tree.pipelines:
        diags.append(
            Diagnostic("Q100", "this file declares no pipeline", None, help="a spec starts with `pipeline NAME { … }`")
        )
        return result
    pipelines = []
    seen: dict[str, ast.Pipeline] = {}
    for node in tree.pipelines:
        if node.name in seen:
            diags.append(
                Diagnostic(
                    "Q301",
                    f"the pipeline name `{node.name}` is used twice",
                    node.name_span,
                    label="defined again here",
                    notes=(Label(seen[node.name].name_span, "first defined here"),),
                )
            )
        seen.setdefault(node.name, node)
        pipelines.append(check_pipeline(node, diags, target, Path(path).parent, smoke))
    result.diagnostics = sorted(diags, key=lambda d: (d.span.start if d.span else -1, d.code))
    checked = [p for p in pipelines if p is not None]
    if result.ok and len(checked) == len(pipelines):
        result.spec = ir.Spec(pipelines=checked)
    return result


def check_pipeline(
    node: ast.Pipeline,
    diags: list[Diagnostic],
    target: str | None,
    spec_dir: Path | None = None,
    smoke: bool = False,
) -> ir.Pipeline | None:
    draft = lower_pipeline(node, diags)
    dataflow.duplicate_names(draft, diags)
    inputs = dataflow.resolve_inputs(draft, diags)
    ordered = dataflow.order(draft, inputs, diags)
    dataflow.artifact_types(draft, inputs, diags)
    dataflow.unused(draft, inputs, diags)
    chosen_target = target or draft.settings.get("target") or "pennylane"
    devs = resources.devices(draft, chosen_target, diags)
    qubits = resources.qubits(draft, devs, diags)
    resources.mitigation(draft, devs, diags)
    budgets.stage_budgets_fit(draft, diags)
    no_baseline(draft, diags)
    if any(d.severity == "error" for d in diags) or ordered is None:
        return None
    dataflow.data_files_exist(draft, spec_dir, diags)  # only for a spec that is otherwise sound
    pipeline = build(draft, ordered, inputs, chosen_target, devs, qubits)
    budgets.estimates_fit(draft, pipeline, spec_dir, diags, smoke)
    resources.memory_fits(draft, pipeline, spec_dir, diags)
    return pipeline


def no_baseline(draft: DraftPipeline, diags: list[Diagnostic]) -> None:
    for s in draft.stages:
        if s.method is not None and s.method.entry.is_quantum and not s.baselines and "baseline" not in s.setting_nodes:
            diags.append(
                Diagnostic(
                    "Q602",
                    f"quantum stage `{s.name}` has no classical baseline",
                    s.node.name_span,
                    label="nothing to compare with",
                    severity="warning",
                    help=f"add `baseline {s.method.entry.baselines[0]}`, or `baseline none` to say it is deliberate"
                    if s.method.entry.baselines
                    else "add `baseline none` to say it is deliberate",
                )
            )


def _entry(b: DraftBinding) -> Entry:
    """A binding's catalog entry: known once the pipeline checked (an unknown name is an error)."""
    if b.entry is None:
        raise ValueError(f"`{b.node.name}` has no catalog entry; build() runs only on a pipeline without errors")
    return b.entry


def build(draft: DraftPipeline, ordered, inputs, target, devs: list[resources.Device], qubits) -> ir.Pipeline:
    s = draft.settings
    dev = devs[0]  # the first point of a sweep of `device`/`shots` is also the pipeline's own
    points = [
        ir.DevicePoint(coords=d.coords, device=d.name, device_qubits=d.qubits, noise=d.noise, shots=d.shots)
        for d in devs
    ]
    return ir.Pipeline(
        points=points if len(devs) > 1 or devs[0].coords else [],
        name=draft.node.name,
        target=target,
        device=dev.name,
        noise=dev.noise,
        shots=dev.shots,
        device_qubits=dev.qubits,
        seed=s["seed"],
        repeat=s["repeat"],
        budget_j=s["budget"],
        qpu=s["qpu"],
        grid_g_per_kwh=s["grid"],
        executor=s["executor"],
        workers=s["workers"],
        address=s["address"],
        data=[
            ir.DataSource(
                name=b.node.name,
                source=ir.Call(name=_entry(b).name, params=b.params),
                modality=_entry(b).modality or "any",
            )
            for b in draft.data
        ],
        models=[
            ir.ModelDecl(name=b.node.name, model=ir.Call(name=_entry(b).name, params=b.params)) for b in draft.models
        ],
        stages=[
            ir.Stage(
                name=st.name,
                kind=st.node.kind,
                input=inputs[st.name],
                method=_method(st.method),
                baselines=[_method(b) for b in st.baselines],
                budget_j=st.settings["budget"],
                on_over_budget=st.settings["on_over_budget"],
                qubits=qubits.get(st.name),
                mitigation=st.settings["mitigation"],
                zne=ir.Zne(**st.settings["zne"]) if st.settings["zne"] else None,
                choose=ir.Call(name=st.choose[0].name, params=st.choose[1]) if st.choose else None,
            )
            for st in ordered
        ],
    )


def _method(m) -> ir.Method:
    return ir.Method(name=m.entry.name, family=m.entry.family, params=m.params, sweep=m.sweep)
