"""Names and data flow: duplicates, `from` references, cycles, artifact types, execution order."""

from __future__ import annotations

from qlang.checks.lower import DraftPipeline, DraftStage
from qlang.checks.values import Diags
from qlang.diagnostics import Diagnostic, Label, Span, did_you_mean, one_of


def duplicate_names(draft: DraftPipeline, diags: Diags) -> None:
    seen: dict[str, Span] = {}
    named = [(b.node.name, b.node.name_span) for b in draft.data + draft.models]
    named += [(s.node.name, s.node.name_span) for s in draft.stages]
    for name, span in sorted(named, key=lambda n: n[1].start):
        if name in seen:
            diags.append(
                Diagnostic(
                    "Q301",
                    f"the name `{name}` is defined twice",
                    span,
                    label="defined again here",
                    notes=(Label(seen[name], "first defined here"),),
                    help="data sources, models and stages share one namespace; rename one",
                )
            )
        else:
            seen[name] = span


def resolve_inputs(draft: DraftPipeline, diags: Diags) -> dict[str, str]:
    """Each stage's input name (a data source or a stage); reports bad or missing references."""
    data = {b.node.name for b in draft.data}
    stages = {s.name: s for s in draft.stages}
    inputs: dict[str, str] = {}
    for s in draft.stages:
        src, span = s.node.source, s.node.source_span
        if src is None:
            if len(draft.data) == 1:
                inputs[s.name] = draft.data[0].node.name
            else:
                diags.append(
                    Diagnostic(
                        "Q305",
                        f"stage `{s.name}` does not say where its input comes from",
                        s.node.name_span,
                        label="add `from INPUT`",
                        help="without `from`, a stage reads the pipeline's only data source; this pipeline has "
                        + (
                            "none: declare one with `data NAME = …`"
                            if not draft.data
                            else f"{len(draft.data)}, so name one: {one_of(b.node.name for b in draft.data)}"
                        ),
                    )
                )
            continue
        if src not in data and src not in stages:
            readable = sorted((data | set(stages)) - {s.name})
            if src in {b.node.name for b in draft.models}:
                diags.append(
                    Diagnostic(
                        "Q302",
                        f"`{src}` is a model, not something a stage can read",
                        span,
                        label="a model",
                        help="models encode a pipeline's text data; a stage reads "
                        f"a data source or a stage: {one_of(readable) or 'none defined'}",
                    )
                )
            else:
                diags.append(
                    Diagnostic(
                        "Q302",
                        f"`{src}` is not defined",
                        span,
                        label="no data source or stage has this name",
                        help=did_you_mean(src, readable) or f"defined names: {one_of(readable)}",
                    )
                )
            continue
        if src == s.name and src not in data:
            diags.append(Diagnostic("Q303", f"stage `{s.name}` reads its own output", span, label="a cycle"))
            continue
        inputs[s.name] = src
    return inputs


def order(draft: DraftPipeline, inputs: dict[str, str], diags: Diags) -> list[DraftStage] | None:
    """The stages with every stage after its input, or None after reporting each cycle once."""
    by_name = {s.name: s for s in draft.stages}
    data = {b.node.name for b in draft.data}
    state: dict[str, str] = {}
    out: list[DraftStage] = []
    ok = True
    for s in draft.stages:
        path: list[str] = []
        name: str | None = s.name
        while name in by_name and name not in state:
            state[name] = "visiting"
            path.append(name)
            name = inputs.get(name)
            if name in data:  # a data source, even where a stage has the same name (Q301)
                name = None
        if name in by_name and state[name] == "visiting":
            cycle = path[path.index(name) :]
            first = by_name[cycle[-1]]
            diags.append(
                Diagnostic(
                    "Q303",
                    "stages read each other in a cycle: " + " → ".join(cycle + [cycle[0]]),
                    first.node.source_span,
                    label="this `from` closes the cycle",
                    notes=tuple(
                        Label(span, f"`{c}` reads `{inputs[c]}`")
                        for c in cycle[:-1]
                        if (span := by_name[c].node.source_span) is not None
                    ),
                    help="a stage can only read data sources and stages that do not depend on it",
                )
            )
            ok = False
        for n in reversed(path):
            state[n] = "done"
            out.append(by_name[n])
    return out if ok else None


def artifact_types(draft: DraftPipeline, inputs: dict[str, str], diags: Diags) -> None:
    produced: dict[str, str] = {b.node.name: "dataset" for b in draft.data}
    for s in draft.stages:
        if s.method is not None and s.method.entry.output:
            produced[s.name] = s.method.entry.output
    for s in draft.stages:
        src = inputs.get(s.name)
        if s.method is None or src not in produced:
            continue
        got, want = produced[src], s.method.entry.inputs
        if want and got not in want:
            span = s.node.source_span or s.node.name_span
            diags.append(
                Diagnostic(
                    "Q304",
                    f"`{s.method.entry.name}` reads {one_of(want)}, but `{src}` produces a {got}",
                    span,
                    label=f"a {got}",
                    help=f"`{s.method.entry.name}` reads {' or '.join(want)}; data sources produce "
                    "datasets, and `qlc methods` says what each method produces",
                )
            )


def unused(draft: DraftPipeline, inputs: dict[str, str], diags: Diags) -> None:
    if len(inputs) < len(draft.stages):  # a stage whose input is unknown may have meant any data source
        return
    used = set(inputs.values())
    for b in draft.data:
        if b.node.name not in used:
            diags.append(
                Diagnostic(
                    "Q601",
                    f"data source `{b.node.name}` is never used",
                    b.node.name_span,
                    label="no stage reads it",
                    severity="warning",
                    help=f"read it with `stage KIND NAME from {b.node.name} {{ … }}`, or remove it",
                )
            )


def data_files_exist(draft: DraftPipeline, spec_dir, diags: Diags) -> None:
    """A `file(...)` source whose file is not there: a warning now, rather than an error mid-run."""
    from pathlib import Path

    for b in draft.data:
        path = b.params.get("path") if b.entry is not None and b.entry.name == "file" else None
        if not path:
            continue
        try:
            file = Path(spec_dir or ".") / path
            found, other = file.is_file(), file.exists() and not file.is_file()
        except (OSError, ValueError):  # a path the system cannot even look up
            found = other = False
        if other:  # /dev/zero, a FIFO, a folder
            diags.append(
                Diagnostic(
                    "Q603",
                    f"data file `{path}` is not a regular file",
                    b.node.value.span,
                    label="not a regular file",
                    severity="warning",
                    help="qlang reads data from regular files (`qlc run` will stop at this "
                    "source); save the data as a .jsonl, .csv or .tsv file",
                )
            )
        elif not found:
            diags.append(
                Diagnostic(
                    "Q603",
                    f"data file `{path}` is not there",
                    b.node.value.span,
                    label="no such file",
                    severity="warning",
                    help="paths start at the spec's folder; `qlc run` will stop at this source "
                    "and `qlc plan` counts it as empty",
                )
            )
