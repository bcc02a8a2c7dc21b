"""Syntax tree → draft model: settings, data, models and stages typed against the catalog.

A draft keeps the syntax nodes beside the typed values so that later passes can point at spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qlang import catalog
from qlang.catalog.schema import STAGE_KINDS, Entry
from qlang.catalog.settings import CHOICES, PIPELINE, STAGE
from qlang.checks.values import Diags, Swept, arguments, call, coerce, not_sweepable, swept
from qlang.diagnostics import Diagnostic, Label, article, did_you_mean, one_of
from qlang.syntax import ast


@dataclass
class DraftMethod:
    entry: Entry
    params: dict[str, Any]  # a swept parameter at its first point
    node: ast.Value
    sweep: dict[str, list[Any]] = field(default_factory=dict)  # swept parameter → its points


@dataclass
class DraftStage:
    node: ast.Stage
    method: DraftMethod | None = None
    baselines: list[DraftMethod] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    setting_nodes: dict[str, ast.Setting] = field(default_factory=dict)
    choose: tuple[Entry, dict[str, Any]] | None = None

    @property
    def name(self) -> str:
        return self.node.name


@dataclass
class DraftBinding:
    node: ast.Binding
    entry: Entry | None
    params: dict[str, Any]


@dataclass
class DraftPipeline:
    node: ast.Pipeline
    settings: dict[str, Any] = field(default_factory=dict)
    setting_nodes: dict[str, ast.Setting] = field(default_factory=dict)
    data: list[DraftBinding] = field(default_factory=list)
    models: list[DraftBinding] = field(default_factory=list)
    stages: list[DraftStage] = field(default_factory=list)


# the pipeline settings `sweep(…)` may take: each point runs every quantum candidate (checks/resources.py)
SWEEPABLE = frozenset({"device", "shots"})


def _settings(
    items: list[ast.Setting], schema: Entry, where: str, skip: set[str], diags: Diags, sweepable=frozenset()
) -> tuple[dict[str, Any], dict[str, ast.Setting]]:
    """Each setting typed against `schema`; one in `sweepable` written `sweep(…)` becomes a `Swept`."""
    values: dict[str, Any] = {}
    nodes: dict[str, ast.Setting] = {}
    keys = [p.name for p in schema.params]
    for s in items:
        p = schema.param(s.key)
        if p is None:
            diags.append(
                Diagnostic(
                    "Q101",
                    f"unknown {where} setting `{s.key}`",
                    s.key_span,
                    label="not a setting",
                    help=did_you_mean(s.key, keys) or f"{where} settings: {one_of(keys)}",
                )
            )
            continue
        if s.key in nodes:
            diags.append(
                Diagnostic(
                    "Q206",
                    f"`{s.key}` is set twice",
                    s.key_span,
                    label="set again here",
                    notes=(Label(nodes[s.key].key_span, "first set here"),),
                    help="keep one of them",
                )
            )
            continue
        if s.key in skip and isinstance(s.value, ast.Sweep) and s.key not in sweepable | {"method", "baseline"}:
            diags.append(not_sweepable(s.value, s.key))  # and the pass that reads it never sees it
            continue
        nodes[s.key] = s
        if s.key in skip:  # read by a later pass
            continue
        if s.key in sweepable and isinstance(s.value, ast.Sweep):
            values[s.key] = swept(s.value, p, diags)
        else:
            values[s.key] = coerce(s.value, p, s.key, diags)
    for p in schema.params:
        if p.name not in nodes and p.name not in skip:
            values[p.name] = p.default
    return values, nodes


def lower_pipeline(node: ast.Pipeline, diags: Diags) -> DraftPipeline:
    draft = DraftPipeline(node)
    settings = [s for s in node.statements if isinstance(s, ast.Setting)]
    # device and noise are names, strings or calls: checks/resources.py reads them
    draft.settings, draft.setting_nodes = _settings(
        settings, PIPELINE, "pipeline", {"device", "noise"}, diags, SWEEPABLE
    )
    for st in node.statements:
        if isinstance(st, ast.Binding):
            group = catalog.DATA if st.keyword == "data" else catalog.MODELS
            got = call(st.value, group, "data source" if st.keyword == "data" else "model", diags)
            binding = DraftBinding(st, got[0] if got else None, got[1] if got else {})
            if got and got[0].name == "file" and not got[1].get("text") and not got[1].get("features"):
                diags.append(
                    Diagnostic(
                        "Q204",
                        "`file` needs `text` or `features`: which columns are the data?",
                        st.value.span,
                        label="no input columns named",
                        help='add `text: "COLUMN"` for text, or `features: ["a", "b"]` for numbers',
                    )
                )
            (draft.data if st.keyword == "data" else draft.models).append(binding)
        elif isinstance(st, ast.Stage):
            draft.stages.append(lower_stage(st, diags))
    return draft


def lower_stage(node: ast.Stage, diags: Diags) -> DraftStage:
    draft = DraftStage(node)
    draft.settings, draft.setting_nodes = _settings(
        node.items, STAGE, "stage", {"method", "baseline", "choose", "mitigation"}, diags
    )  # `mitigation` is techniques joined by `+`: checks/resources.py reads it
    choose_node = draft.setting_nodes.get("choose")
    if choose_node is not None and not isinstance(choose_node.value, ast.NoneValue):
        draft.choose = call(choose_node.value, CHOICES, "choice rule", diags, unknown_code="Q109")
    kind_ok = node.kind in STAGE_KINDS
    if not kind_ok:
        diags.append(
            Diagnostic(
                "Q102",
                f"unknown stage kind `{node.kind}`",
                node.kind_span,
                label="not a stage kind",
                help=did_you_mean(node.kind, STAGE_KINDS) or f"stage kinds: {one_of(STAGE_KINDS)}",
            )
        )
    method_node = draft.setting_nodes.get("method")
    if method_node is None:
        diags.append(
            Diagnostic(
                "Q207",
                f"stage `{node.name}` has no method",
                node.name_span,
                label="this stage needs a `method`",
                help="add a line such as `method quantum_kmeans(clusters: 4)`",
            )
        )
    elif kind_ok:
        draft.method = _method(method_node.value, node.kind, None, diags)
    baseline_node = draft.setting_nodes.get("baseline")
    if baseline_node is not None and kind_ok:
        items = baseline_node.value.items if isinstance(baseline_node.value, ast.List) else [baseline_node.value]
        for item in items:
            if isinstance(item, ast.NoneValue):
                continue
            b = _method(item, node.kind, draft.method, diags, baseline=True)
            if b is not None:
                draft.baselines.append(b)
    return draft


def _method(
    v: ast.Value, kind: str, of: DraftMethod | None, diags: Diags, baseline: bool = False
) -> DraftMethod | None:
    """A stage's method, or a baseline of the method `of` (None when the method itself is wrong)."""
    role = "baseline" if baseline else "method"
    name = v.name if isinstance(v, (ast.Word, ast.Call)) else None
    if name is not None and name in catalog.METHODS and catalog.METHODS[name].stage != kind:
        other = catalog.METHODS[name].stage or "?"
        diags.append(
            Diagnostic(
                "Q306",
                f"`{name}` is {article(other)} method, not {article(kind)} method",
                v.name_span if isinstance(v, ast.Call) else v.span,
                label=f"belongs to `{other}`",
                help=f"{kind} methods: {one_of(m.name for m in catalog.methods_of(kind))}",
            )
        )
        return None
    pool = [m.name for m in catalog.methods_of(kind)]
    if of is not None:  # the method's own baselines first: the example in a help comes from them
        pool = [*of.entry.baselines, *(n for n in pool if n not in of.entry.baselines)]
    got = call(
        v, catalog.METHODS, role, diags, unknown_code="Q104" if baseline else "Q103", choices=pool, sweepable=True
    )
    if got is None:
        return None
    entry, params = got
    sweep = {k: list(p.points) for k, p in params.items() if isinstance(p, Swept)}
    params = {k: (p.points[0] if p.points else None) if isinstance(p, Swept) else p for k, p in params.items()}
    if of is not None and entry.name not in of.entry.baselines:
        allowed = of.entry.baselines
        diags.append(
            Diagnostic(
                "Q307",
                f"`{entry.name}` is not a baseline for `{of.entry.name}`",
                v.name_span if isinstance(v, ast.Call) else v.span,
                label="not comparable with this method",
                help=f"baselines for `{of.entry.name}`: {one_of(allowed)}"
                if allowed
                else f"`{of.entry.name}` is itself classical and takes no baseline",
            )
        )
        return None
    if of is not None:  # a baseline inherits what it shares with its method unless it sets it: same budget
        explicit = {a.name for a in v.args} if isinstance(v, ast.Call) else set()
        for p in entry.params:
            if p.name not in explicit and p.name in of.params:
                params[p.name] = of.params[p.name]
                if p.name in of.sweep:  # the same points as the method: compared point by point
                    sweep[p.name] = of.sweep[p.name]
    return DraftMethod(entry, params, v, sweep)


__all__ = ["DraftBinding", "DraftMethod", "DraftPipeline", "DraftStage", "arguments", "lower_pipeline"]
