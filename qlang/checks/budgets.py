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
    spent = sum(b for _, b in staged if b is not None)
    if spent > total * (1 + 1e-12):
        node = draft.setting_nodes["budget"]
        diags.append(
            Diagnostic(
                "Q501",
                f"stage budgets add up to {format_quantity(spent, ENERGY)}, more than the pipeline's "
                f"{format_quantity(total, ENERGY)}",
                node.value.span,
                label="the pipeline budget",
                notes=tuple(Label(s.setting_nodes["budget"].value.span, f"`{s.name}`") for s, _ in staged),
                help="raise the pipeline budget or lower the stage budgets",
            )
        )


def estimates_fit(draft: DraftPipeline, pipeline, spec_dir, diags: Diags, smoke: bool = False) -> None:
    """The plan's energy estimate of each stage (method and baselines, every seed) against its budget; with
    `smoke`, the estimate of the smoke-sized pipeline, which is what `--smoke` runs."""
    if pipeline.budget_j is None and all(s.budget_j is None for s in pipeline.stages):
        return
    from qlang.plan.estimate import estimate
    from qlang.plan.prices import load_prices

    if smoke:
        from qlang.smoke import smoke_sized

        pipeline = type(pipeline).model_validate(smoke_sized(pipeline.model_dump(mode="json")))
    plan = estimate(pipeline, load_prices(), spec_dir)
    nodes = {s.name: s for s in draft.stages}
    for est in plan.stages:
        spent = (est.simulation_j or 0) + (est.baseline_j or 0)
        if est.budget_j is None or est.simulation_j is None or spent <= est.budget_j:
            continue
        node = nodes[est.name].setting_nodes["budget"]
        abort = est.on_over_budget == "abort"
        diags.append(
            Diagnostic(
                "Q502" if abort else "Q503",
                f"stage `{est.name}` is estimated to use {format_quantity(spent, ENERGY)}, over its "
                f"{format_quantity(est.budget_j, ENERGY)} budget",
                node.value.span,
                label="the budget",
                severity="error" if abort else "warning",
                help=(
                    "raise the budget, shrink the stage, or set `on_over_budget warn` or `fallback`; "
                    if abort
                    else f"at run time the stage will {est.on_over_budget} when it overruns; "
                )
                + "`qlc plan` shows the estimate"
                + ("" if plan.calibrated else " (run `qlc calibrate` to measure this machine)"),
            )
        )
    if pipeline.budget_j is not None and plan.simulation_j > pipeline.budget_j:
        diags.append(
            Diagnostic(
                "Q502",
                f"the pipeline is estimated to use {format_quantity(plan.simulation_j, ENERGY)}, over its "
                f"{format_quantity(pipeline.budget_j, ENERGY)} budget",
                draft.setting_nodes["budget"].value.span,
                label="the budget",
                help="raise the budget or shrink the stages; `qlc plan` shows each estimate",
            )
        )
