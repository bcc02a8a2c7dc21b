"""report.html of every example spec's smoke run, opened in headless Chromium (Debian's `chromium`).

Each page must load with no console message (the page has no script of its own, and its Content Security
Policy turns any attempt to fetch something into one), every image must decode, a screenshot must show
something, and every plot's numbers (the JSON block beside it) must be what report.json says.
`QLANG_SCREENSHOTS=DIR` keeps the screenshots.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from qlang import catalog

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.qlc"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]  # fmt: skip

# Added to a copy of the page (the CSP lets this one inline script run): what the browser made of it.
PROBE = """<script>window.addEventListener("load", () => {
  const images = [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, width: i.naturalWidth}));
  const figures = [...document.querySelectorAll("figure.plot")].map(f => ({
    key: f.dataset.key, stage: f.closest("section") ? f.closest("section").id.replace(/^stage-/, "") : null,
    drawn: !!f.querySelector("img"), data: JSON.parse(f.querySelector("script.plot-data").textContent)}));
  const out = document.createElement("pre");
  out.id = "qlang-probe";
  out.textContent = JSON.stringify({images, figures});
  document.body.appendChild(out);
});</script>"""


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; .ci/run installs it with apt-get")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    return path


def _browse(page: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=300)  # fmt: skip


def open_page(page: Path, work: Path) -> tuple[dict, list[str]]:
    """What the probe saw, and the console messages Chromium logged."""
    text = page.read_text(encoding="utf-8")
    assert "script-src 'none'" in text  # the report itself runs no script
    probed = work / "probed.html"
    probed.write_text(text.replace("script-src 'none'", "script-src 'unsafe-inline'").replace(
        "</body>", PROBE + "</body>"), encoding="utf-8")  # fmt: skip
    proc = _browse(probed, "--dump-dom")
    found = re.search(r'<pre id="qlang-probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, proc.stderr[-3000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(html.unescape(found.group(1))), console


def screenshot(page: Path, work: Path) -> Path:
    shot = work / f"{page.parent.name}.png"
    proc = _browse(page, f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars")
    assert shot.exists(), proc.stderr[-3000:]
    keep = os.environ.get("QLANG_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    return shot


def _runs(stage: dict) -> dict[str, dict]:
    runs = [stage["method"], stage.get("unmitigated"), stage.get("ideal"), *stage["baselines"]]  # noisy device only
    return {r.get("label", r["name"]): r for r in runs if r and r.get("metrics")}


def _info(run: dict, seed: int) -> dict:
    return run["info"][run["seeds"].index(seed)]


def check_quality_energy(data: dict, stage: dict, report: dict) -> None:
    entry = catalog.METHODS[stage["method"]["name"]]
    assert (data["metric"], data["higher_is_better"]) == (entry.primary_metric, entry.higher_is_better)
    runs = {k: r for k, r in _runs(stage).items() if not r.get("point")}
    for r in stage.get("points") or ():  # a sweep: each point once, named by its coordinates
        if r.get("point") and r.get("metrics"):
            where = ", ".join(f"{k}={'none' if v is None else v}" for k, v in r["point"].items())
            runs[f"{r.get('label') or r['name']} [{where}]"] = r
    assert {p["label"] for p in data["points"]} == {k for k, r in runs.items() if data["metric"] in r["metrics"]}
    for p in data["points"]:
        run = runs[p["label"]]
        assert p["energy_j"] == run["energy_j"]["mean"]
        assert p["mean"] == run["metrics"][data["metric"]]["mean"]
        assert p["ci_low"] <= p["mean"] <= p["ci_high"]
        assert p["role"] == ("method" if run is stage["method"] or run.get("role") == "method" else "baseline")
    if stage.get("points") and any(r.get("point") for r in stage["points"]):
        assert len(data["points"]) > len(stage["baselines"]) + 1  # every point, not only the first
    assert data["pareto"], "the cheapest point is always on the front"
    cheapest = min(data["points"], key=lambda p: p["energy_j"])
    assert data["pareto"][0] == cheapest["label"]


def check_curves(key: str, data: dict, stage: dict, report: dict) -> None:
    runs = _runs(stage)
    for s in data["series"]:
        assert s["values"] == _info(runs[s["label"]], s["seed"])[key]


def check_gram(data: dict, stage: dict, report: dict) -> None:
    runs = _runs(stage)
    for m in data["maps"]:
        run = runs[m["label"]]
        preview = _info(run, m["seed"])["gram_preview"]
        assert m["values"] == preview["values"] and len(m["values"]) <= 32
        # a state with itself; a readout-mitigated kernel's PSD projection moves the diagonal by up to ~1%
        tol = 0.05 if "calibration_shots" in run["metrics"] else 1e-3
        assert all(abs(m["values"][i][i] - 1) < tol for i in range(len(m["values"])))


def check_p_values(data: dict, stage: dict, report: dict) -> None:
    runs = _runs(stage)
    for s in data["series"]:
        info = _info(runs[s["label"]], s["seed"])
        assert (s["null"], s["drifted"], s["alpha"]) == (info["p_values"]["null"], info["p_values"]["drifted"],
                                                         info["alpha"])  # fmt: skip


def check_energy_by_stage(data: dict, stage: None, report: dict) -> None:
    metered = [s for s in report["stages"] if s["energy"].get("measured_j") is not None]
    assert data["stages"] == [s["name"] for s in metered]
    method = next(s for s in data["series"] if s["label"].startswith("quantum method"))
    assert method["values"] == [s["energy"].get("method_j") for s in metered]
    for s in data["series"]:
        if s["label"].startswith("QPU model: "):
            platform = s["label"].removeprefix("QPU model: ").replace(" ", "_")
            assert s["values"] == [(m["energy"].get("qpu_by_platform_j") or {}).get(platform) for m in metered]


def check_plan_vs_measured(data: dict, stage: None, report: dict) -> None:
    by_name = {s["name"]: s["energy"] for s in report["stages"]}
    for p in data["points"]:
        assert p["measured_j"] == by_name[p["stage"]]["measured_j"]
        assert p["estimated_j"] == pytest.approx(by_name[p["stage"]]["estimated_j"]
                                                 + (by_name[p["stage"]].get("estimated_baseline_j") or 0))  # fmt: skip


CHECKS = {
    "quality_energy": check_quality_energy,
    "loss_curves": lambda d, s, r: check_curves("loss_curve", d, s, r),
    "best_score": lambda d, s, r: check_curves("curve", d, s, r),
    "gram": check_gram,
    "p_values": check_p_values,
    "energy_by_stage": check_energy_by_stage,
    "plan_vs_measured": check_plan_vs_measured,
}

# what report.json must expose for a stage kind's plots, and the plot it feeds
EXPECTED = {"train": ("loss_curve", "loss_curves"), "architect": ("curve", "best_score"),
            "encode": ("gram_preview", "gram")}  # fmt: skip


def expected_figures(stage: dict) -> set[str]:
    if stage["status"] != "ok" or not stage["method"]:
        return set()
    keys = {"quality_energy"}
    infos = [i for r in _runs(stage).values() for i in r.get("info") or ()]
    for info_key, figure in (("loss_curve", "loss_curves"), ("curve", "best_score"), ("gram_preview", "gram"),
                             ("p_values", "p_values")):  # fmt: skip
        if any(info_key in i for i in infos):
            keys.add(figure)
    if stage["kind"] in EXPECTED and stage["method"]["name"] != "hybrid_layer":  # a layer search draws no curve
        info_key, figure = EXPECTED[stage["kind"]]
        assert any(info_key in i for i in stage["method"]["info"]), f"{stage['kind']} runs report {info_key}"
    if stage["method"]["name"] in ("hybrid_qnn_head", "quantum_distillation", "quantum_kernel_mmd"):
        keys.add("loss_curves" if stage["kind"] == "finetune" else "p_values")
    return keys


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_report_html_in_chromium(spec, smoke_runs, tmp_path):
    out, _status = smoke_runs(spec)
    page = out / "report.html"
    assert page.exists(), "every run writes report.html"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    probe, console = open_page(page, tmp_path)
    assert console == [], "the page logs nothing and fetches nothing"
    assert probe["images"] and all(i["ok"] for i in probe["images"]), probe["images"]
    figures = probe["figures"]
    assert all(f["drawn"] for f in figures)
    assert {"energy_by_stage", "plan_vs_measured"} <= {f["key"] for f in figures if f["stage"] is None}
    stages = {s["name"]: s for s in report["stages"]}
    for name, stage in stages.items():
        assert expected_figures(stage) <= {f["key"] for f in figures if f["stage"] == name}, name
    for f in figures:
        CHECKS[f["key"]](f["data"], stages.get(f["stage"]), report)

    from PIL import Image

    with Image.open(screenshot(page, tmp_path)) as shot:
        assert shot.size == (1200, 2400)
        colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50, "the screenshot shows a page, not a blank"
