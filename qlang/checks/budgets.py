"""Budgets: the stages' budgets fit inside the pipeline's."""

from __future__ import annotations

from qlang.checks.lower import DraftPipeline
from qlang.checks.values import Diags
from qlang.diagnostics import Diagnostic, Label
from qlang.units import ENERGY, format_quantity


def stage_budgets_fit(draft: DraftPipeline, diags: Diags) -> None:
    total = draft.settings.get("budget")
    if total is None:
        return
    staged = [(s, s.settings.get("budget")) for s in draft.stages if s.settings.get("budget") is not None]
    spent = sum(b for _, b in staged)
    if spent > total * (1 + 1e-12):
        node = draft.setting_nodes["budget"]
        diags.append(Diagnostic(
            "Q501", f"stage budgets add up to {format_quantity(spent, ENERGY)}, more than the pipeline's "
            f"{format_quantity(total, ENERGY)}", node.value.span, label="the pipeline budget",
            notes=tuple(Label(s.setting_nodes["budget"].value.span, f"`{s.name}`") for s, _ in staged),
            help="raise the pipeline budget or lower the stage budgets"))
