"""The Python API used the way a notebook uses it: a fresh interpreter, one cell after another."""

import json
import subprocess
import sys
import textwrap

SPEC = """pipeline nb {
  target pennylane
  seed 3
  data wines = wine(limit: 30)
  stage curate clusters {
    method quantum_kmeans(clusters: 3, encoding: angle, qubits: 3)
    baseline kmeans
  }
}
"""

CELLS = [
    # cell 1: importing qlang and checking a spec stays on the light front end
    """
    import sys, json
    import qlang
    spec = qlang.loads(SPEC)
    assert spec.check() == [] and spec.ok
    bad = qlang.loads(SPEC.replace("quantum_kmeans", "quantum_kmean"))
    [d] = [d for d in bad.check() if d.severity == "error"]
    assert d.code == "Q103" and "quantum_kmeans" in d.help and SPEC[d.span.start:d.span.end] == "quantum_kmean"
    heavy = sorted(m for m in ("torch", "numpy", "qiskit", "pennylane", "matplotlib", "pandas") if m in sys.modules)
    assert heavy == [], heavy
    """,
    # cell 2: compile for both targets; a spec with errors raises with its diagnostics
    """
    assert "qlang.runtime.targets.pennylane" in spec.compile() and "qlang.runtime.targets.qiskit" in spec.compile("qiskit")
    try:
        bad.compile()
    except qlang.SpecError as e:
        assert e.diagnostics[0].code == "Q103"
    else:
        raise AssertionError("a spec with errors compiled")
    """,
    # cell 3: plan, run, and the tables as pandas
    """
    plan = spec.plan(qpu=False)
    assert [s.name for s in plan.stages] == ["clusters"]
    report = spec.run(out=OUT, smoke=True)
    assert report.status == "ok", report.markdown()
    frame = report.results().to_pandas()
    ari = frame[(frame.metric == "ari")].set_index("name")["mean"].to_dict()
    on_disk = json.load(open(OUT + "/report.json"))["stages"][0]
    assert ari == {"quantum_kmeans": on_disk["method"]["metrics"]["ari"]["mean"],
                   "kmeans": on_disk["baselines"][0]["metrics"]["ari"]["mean"]}
    assert report._repr_markdown_().startswith("# nb")
    assert qlang.Report.open(OUT).energy().records()[0]["stage"] == "clusters"
    print(json.dumps({"cells": 3, "rows": len(frame)}))
    """,
]


def test_a_notebook_runs_a_spec(tmp_path):
    program = f"SPEC = {SPEC!r}\nOUT = {str(tmp_path / 'run')!r}\n" + "\n".join(textwrap.dedent(c) for c in CELLS)
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1])["cells"] == 3
    assert (tmp_path / "run" / "report.html").exists() and (tmp_path / "run" / "pipeline.pennylane.py").exists()
