"""Drawing the figures of figures.py with matplotlib (the optional `plots` extra) as self-contained SVG.

`svg(figure)` returns an SVG document, or None when matplotlib is not installed (report.html then shows the
figure's numbers as a table instead). Drawing is deterministic: no dates in the files, fixed element ids,
and only the numbers in `figure.data` are drawn. matplotlib is imported here only, never by `import qlang`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Literal

from qlang.reporting.model import Figure

MARKERS = {"quantum": "o", "classical": "s", "quantum-inspired": "D"}
WIDTH, HEIGHT = 7.2, 4.0  # inches at 100 dpi: 720 x 400 px, one column of the page


def _plain_log(ax, axis: str = "x", joules: bool = True) -> None:
    """A log axis labelled with energies (500 mJ, 2 J, 10 kJ) or plain numbers; minor ticks labelled only
    when the axis spans less than about a decade."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    from qlang.units import format_energy

    target = ax.xaxis if axis == "x" else ax.yaxis
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    plain = FuncFormatter(lambda v, _pos: format_energy(v) if joules else f"{v:.3g}")
    target.set_major_formatter(plain)
    target.set_minor_formatter(plain if high / max(low, 1e-300) < 20 else NullFormatter())


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _colours(labels: list[str]) -> dict[str, str]:
    """One colour per label, in order of first appearance (matplotlib's tab10 cycle)."""
    cycle = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]
    return {label: cycle[i % len(cycle)] for i, label in enumerate(dict.fromkeys(labels))}


def quality_energy(fig, data: dict) -> None:
    ax = fig.add_subplot()
    colours = _colours([p["label"] for p in data["points"]])
    for p in data["points"]:
        err = [[p["mean"] - p["ci_low"]], [p["ci_high"] - p["mean"]]]
        ax.errorbar([p["energy_j"]], [p["mean"]], yerr=err, fmt=MARKERS.get(p["family"], "o"), capsize=3,
                    color=colours[p["label"]], markersize=9 if p["role"] == "method" else 6,
                    markerfacecolor=colours[p["label"]] if p["family"] == "quantum" else "white",
                    label=p["label"] + (" (method)" if p["role"] == "method" else ""))  # fmt: skip
    front = [next(p for p in data["points"] if p["label"] == label) for label in data["pareto"]]
    if len(front) > 1:
        ax.step([p["energy_j"] for p in front], [p["mean"] for p in front], where="post", linestyle="--",
                color="#555555", linewidth=1, label="Pareto front")  # fmt: skip
    ax.set_xscale("log")
    _plain_log(ax)
    ax.set_xlabel("energy per seed (log scale)")
    ax.set_ylabel(f"{data['metric']} ({'higher' if data['higher_is_better'] else 'lower'} is better)")
    ax.legend(fontsize=8, loc="best")


def _curves(fig, data: dict, xlabel: str, ylabel: str) -> None:
    ax = fig.add_subplot()
    colours = _colours([s["label"] for s in data["series"]])
    seen = set()
    for s in data["series"]:
        steps = range(1, len(s["values"]) + 1)
        label = None if s["label"] in seen else s["label"]
        seen.add(s["label"])
        ax.plot(steps, s["values"], color=colours[s["label"]], alpha=0.8, linewidth=1.2, marker=".", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="best")


def loss_curves(fig, data: dict) -> None:
    _curves(fig, data, "epoch or iteration", "training loss")


def best_score(fig, data: dict) -> None:
    _curves(fig, data, "evaluations", "best score so far")


def gram(fig, data: dict) -> None:
    maps = data["maps"]
    axes = fig.subplots(1, len(maps), squeeze=False)[0]
    image = None
    for ax, m in zip(axes, maps):
        image = ax.imshow(m["values"], vmin=0.0, vmax=1.0, cmap="viridis", interpolation="nearest")
        ax.set_title(f"{m['label']} (seed {m['seed']})", fontsize=9)
        starts = [i for i, lab in enumerate(m["labels"] or []) if i == 0 or lab != m["labels"][i - 1]]
        ax.set_xticks(starts)
        ax.set_yticks(starts)
        ax.set_xticklabels([f"class {m['labels'][i]}" for i in starts], fontsize=7)
        ax.set_yticklabels([f"class {m['labels'][i]}" for i in starts], fontsize=7)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="kernel value")


def p_values(fig, data: dict) -> None:
    ax = fig.add_subplot()
    colours = _colours([s["label"] for s in data["series"]])
    seen = set()
    for s in data["series"]:
        first = s["label"] not in seen
        seen.add(s["label"])
        null = [max(p, 1e-4) for p in s["null"]]
        drifted = [max(p, 1e-4) for p in s["drifted"]]
        ax.scatter(range(1, len(null) + 1), null, marker="o", facecolors="none", edgecolors=colours[s["label"]],
                   label=f"{s['label']}: no drift" if first else None)  # fmt: skip
        ax.scatter(range(1, len(drifted) + 1), drifted, marker="x", color=colours[s["label"]],
                   label=f"{s['label']}: drift" if first else None)  # fmt: skip
    ax.axhline(data["series"][0]["alpha"], color="#555555", linestyle="--", linewidth=1, label="alpha")
    ax.set_yscale("log")
    _plain_log(ax, "y", joules=False)
    ax.set_xlabel("test window")
    ax.set_ylabel("p-value (log scale)")
    ax.legend(fontsize=7, loc="best", ncol=2)


def energy_by_stage(fig, data: dict) -> None:
    ax = fig.add_subplot()
    stages, series = data["stages"], data["series"]
    height = 0.8 / len(series)
    colours = _colours([s["label"] for s in series])
    for i, s in enumerate(series):
        rows = [(k, v) for k, v in enumerate(s["values"]) if v is not None and v > 0]
        ax.barh([k + (i - (len(series) - 1) / 2) * height for k, _ in rows], [v for _, v in rows], height=height,
                color=colours[s["label"]], label=s["label"])  # fmt: skip
    ax.set_xscale("log")
    _plain_log(ax)
    ax.set_yticks(range(len(stages)))
    ax.set_yticklabels(stages)
    ax.invert_yaxis()
    ax.set_xlabel("energy per seed (log scale)")
    ax.grid(axis="x", which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")


def plan_vs_measured(fig, data: dict) -> None:
    ax = fig.add_subplot()
    points = data["points"]
    xs, ys = [p["estimated_j"] for p in points], [p["measured_j"] for p in points]
    ax.scatter(xs, ys, color="#1f77b4", zorder=3)
    for p in points:
        ax.annotate(p["stage"], (p["estimated_j"], p["measured_j"]), textcoords="offset points", xytext=(5, 4),
                    fontsize=8)  # fmt: skip
    low = 10 ** math.floor(math.log10(min(xs + ys)))
    high = 10 ** math.ceil(math.log10(max(xs + ys)))
    ax.plot([low, high], [low, high], color="#555555", linewidth=1, label="as planned")
    ax.plot([low, high], [10 * low, 10 * high], color="#999999", linewidth=1, linestyle=":", label="10x")
    ax.plot([low, high], [low / 10, high / 10], color="#999999", linewidth=1, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    _plain_log(ax)
    _plain_log(ax, "y")
    ax.set_xlabel("planned (log scale)")
    ax.set_ylabel("measured (log scale)")
    ax.legend(fontsize=8, loc="upper left")


DRAW: dict[str, Callable] = {
    "quality_energy": quality_energy,
    "loss_curves": loss_curves,
    "best_score": best_score,
    "gram": gram,
    "p_values": p_values,
    "energy_by_stage": energy_by_stage,
    "plan_vs_measured": plan_vs_measured,
}


def svg(figure: Figure) -> str | None:
    """The figure as an SVG document, or None without matplotlib."""
    if not available():
        return None
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    wide = figure.key == "gram" and len(figure.data["maps"]) > 2
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "qlang", "font.size": 9}):
        # constrained layout costs about 0.5 s a figure here; only the heat maps with their colour bar need it
        layout: Literal["constrained", "tight"] = "constrained" if figure.key == "gram" else "tight"
        fig = MplFigure(figsize=(WIDTH, HEIGHT * (0.8 if wide else 1)), dpi=100, layout=layout)
        DRAW[figure.key](fig, figure.data)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()
