"""Text for `qlc methods` and docs/methods.md, read from the catalog."""

from __future__ import annotations

from pathlib import Path

from qlang import catalog
from qlang.catalog.roadmap import ROADMAP
from qlang.catalog.schema import STAGE_KINDS, Entry

#: how `qlc methods` marks an entry the checks know but the runtime does not run yet (Q801 quotes it)
NOT_RUNNABLE = "(checked; runs in a later version)"

_FAMILY = {"quantum": "quantum", "classical": "classical", "quantum-inspired": "quantum-inspired (classical)"}


def listing(kind: str | None = None) -> str:
    lines = []
    for k, about in STAGE_KINDS.items():
        if kind and k != kind:
            continue
        lines.append(f"{k} — {about}; {ROADMAP[k].words()}")
        for m in catalog.methods_of(k):
            status = "" if m.runnable else f"  {NOT_RUNNABLE}"
            vs = f"  vs {', '.join(m.baselines)}" if m.baselines else ""
            origin = "" if m.origin == "qlang" else f"  [plug-in {m.origin}]"
            lines.append(f"  {m.name:<26} {_FAMILY[m.family]:<28}{vs}{status}{origin}")
        lines.append("")
    if catalog.PLUGIN_PROBLEMS and not kind:
        lines.append("plug-ins left out")
        lines += [f"  {p.origin} ({p.entry_point}): {p.message}" for p in catalog.PLUGIN_PROBLEMS]
        lines.append("")
    if not kind:
        for title, group in (("data sources", catalog.DATA), ("models", catalog.MODELS)):
            lines.append(title)
            for e in group.values():
                lines.append(f"  {e.name:<26} {e.summary}")
            lines.append("")
    lines.append("`qlc methods NAME` documents one entry.")
    return "\n".join(lines)


def _default(p) -> str:
    if p.required:
        return "required"
    if p.default is None:
        return "none"
    if isinstance(p.default, bool):
        return "true" if p.default else "false"
    if p.type == "quantity" and p.dimension is not None:
        return f"{p.default:g} {p.dimension.base}"
    return str(p.default)


def _value(v) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def settings_words(entry: Entry) -> str:
    """The run-time settings as `name = value` pairs (what the runtime uses and no spec sets)."""
    return ", ".join(f"{k} = {_value(v)}" for k, v in entry.settings.items())


def describe(name: str) -> str | None:
    entry: Entry | None = catalog.lookup(name)
    if entry is None:
        return None
    lines = [f"{entry.name} — {entry.group}" + (f" for `{entry.stage}` stages" if entry.stage else "")]
    if entry.group == "method":
        lines.append(f"family: {_FAMILY[entry.family]}")
        lines.append(f"from: {'qlang' if entry.origin == 'qlang' else 'the plug-in ' + entry.origin}")
        if entry.stage in ROADMAP:
            lines.append(f"roadmap: `{entry.stage}` stages are {ROADMAP[entry.stage].words()}")
    lines += ["", entry.summary, ""]
    if entry.params:
        lines.append("parameters:")
        for p in entry.params:
            rng = f"; {p.range_words()}" if p.range_words() else ""
            lines.append(f"  {p.name}: {p.type_words()} = {_default(p)}{rng}")
            if p.doc:
                lines.append(f"      {p.doc}")
    else:
        lines.append("parameters: none")
    if entry.group == "method":
        lines.append("")
        lines.append(f"reads: {' or '.join(entry.inputs)}; produces: {entry.output}")
        if entry.baselines:
            lines.append(f"baselines: {', '.join(entry.baselines)}")
        if entry.metrics:
            lines.append(f"metrics: {', '.join(entry.metrics)}")
        if entry.roles:
            lines.append(f"circuits: {', '.join(entry.roles)}")
        if entry.settings:
            lines.append(f"run-time settings (not set from a spec): {settings_words(entry)}")
        if entry.is_quantum:
            devices = "exact simulators only (it reads statevectors)" if entry.statevector_only else "exact and noisy"
            lines.append(f"devices: {devices}")
        lines.append(f"runs in this version: {'yes' if entry.runnable else 'no (the checks accept it)'}")
    return "\n".join(lines)


def builtin_methods_of(kind: str) -> list[Entry]:
    """The kind's methods that ship with qlang (generated docs never depend on installed plug-ins)."""
    return [m for m in catalog.methods_of(kind) if m.origin == "qlang"]


def stage_kinds_table() -> str:
    """The table of stage kinds and their methods in docs/language.md ("Stage kinds")."""
    rows = ["| kind | lifecycle step | quantum methods | classical methods and baselines |", "|---|---|---|---|"]
    for kind, about in STAGE_KINDS.items():
        methods = builtin_methods_of(kind)
        quantum = ", ".join(f"`{m.name}`" for m in methods if m.is_quantum)
        classical = ", ".join(
            f"`{m.name}`" + (" (quantum-inspired, runs classically)" if m.family == "quantum-inspired" else "")
            for m in methods
            if not m.is_quantum
        )
        rows.append(f"| `{kind}` | {about} | {quantum} | {classical} |")
    return "\n".join(rows) + "\n"


def language_md(text: str) -> str:
    """docs/language.md with its stage-kinds table replaced by `stage_kinds_table()`."""
    start = text.index("| kind | lifecycle step |")
    end = text.index("\n\n", start) + 1
    return text[:start] + stage_kinds_table() + text[end:]


def markdown() -> str:
    """docs/methods.md."""
    out = [
        "# Methods catalog",
        "",
        "Generated from `qlang/catalog` by `python -m qlang.catalog.docs`; do not edit.",
        "",
        (
            "A method is its catalog entry (`qlang.catalog.Entry`): parameters, roles, the circuits it needs, its cost "
            "model, its run-time settings and a `module:function` reference to its implementation, imported only when "
            "a stage runs. A new method is one module or folder under `qlang/methods/` (see "
            "`qlang/methods/projected_quantum_kernel/`) plus its test. Third-party packages add methods through the "
            "entry-point group `qlang.methods` (an object that is a list of entries); `qlc methods` names each "
            "method's origin, and a plug-in that cannot load is warning Q802."
        ),
        "",
    ]
    for kind, about in STAGE_KINDS.items():
        out += [f"## `{kind}` — {about}", "", f"Roadmap: {ROADMAP[kind].words()}.", ""]
        for m in builtin_methods_of(kind):
            out += [f"### `{m.name}` ({_FAMILY[m.family]})", "", m.summary, ""]
            out += _param_table(m)
            out.append(
                f"Reads {' or '.join(m.inputs)}, produces {m.output}."
                + (f" Baselines: {', '.join(f'`{b}`' for b in m.baselines)}." if m.baselines else "")
                + (f" Metrics: {', '.join(m.metrics)}." if m.metrics else "")
                + ("" if m.runnable else " *Checked, not yet runnable in this version.*")
            )
            out.append("")
            if m.roles:
                out += [f"Circuits: {', '.join(f'`{r}`' for r in m.roles)}.", ""]
            if m.settings:
                out += [f"Run-time settings (not set from a spec): {settings_words(m)}.", ""]
    for title, group in (("Data sources", catalog.DATA), ("Models", catalog.MODELS)):
        out += [f"## {title}", ""]
        for e in group.values():
            out += [f"### `{e.name}`", "", e.summary, ""] + _param_table(e)
    return "\n".join(out).rstrip() + "\n"


def _param_table(e: Entry) -> list[str]:
    if not e.params:
        return ["No parameters.", ""]
    rows = ["| parameter | type | default | range | meaning |", "|---|---|---|---|---|"]
    for p in e.params:
        cells = [f"`{p.name}`", p.type_words(), _default(p), p.range_words(), p.doc]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return rows + [""]


def write_docs(root: Path) -> list[Path]:
    """Regenerate docs/methods.md and the stage-kinds table of docs/language.md; the files that changed."""
    changed = []
    for path, render in (("docs/methods.md", lambda old: markdown()), ("docs/language.md", language_md)):
        file = root / path
        old = file.read_text(encoding="utf-8")
        new = render(old)
        if new != old:
            file.write_text(new, encoding="utf-8")
            changed.append(file)
    return changed


if __name__ == "__main__":  # python -m qlang.catalog.docs [ROOT]: rewrite both generated parts of the docs
    import sys

    for changed in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"rewrote {changed}")
