"""What a run shows while it runs: plain lines off a terminal, the live display on one, nothing with -q."""

import io

from qlang.runtime.progress import PlainProgress, QuietProgress, RichProgress, make_progress

EVENT = {"stage": "clusters", "method": "quantum_kmeans", "role": "method", "seed": 7, "done": 2, "total": 6,
         "joules": 12.5, "budget_j": 2000.0}  # fmt: skip


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_kind_follows_the_stream_and_verbosity():
    assert isinstance(make_progress(-1, Terminal()), QuietProgress)
    assert isinstance(make_progress(0, io.StringIO()), PlainProgress)
    live = make_progress(0, Terminal())
    assert isinstance(live, RichProgress)
    live.task(EVENT)
    live.message("fold 1/2")
    task = live.progress.tasks[0]
    assert (task.completed, task.total) == (2, 6) and "clusters · quantum_kmeans · seed 7" in task.description
    assert task.fields["energy"] == "12.5 J of 2 kJ" and task.fields["detail"] == "fold 1/2"
    live.close()


def test_plain_lines_show_each_task_and_details_only_when_verbose(capsys):
    plain = PlainProgress(0)
    plain.message("data wines: loading wine")
    plain.task(EVENT)
    plain.message("fold 1/2")
    err = capsys.readouterr().err
    assert err == "  · data wines: loading wine\n  · [3/6] clusters: quantum_kmeans (seed 7, 12.5 J of 2 kJ)\n"
    verbose = PlainProgress(1)
    verbose.task(EVENT)
    verbose.message("fold 1/2")
    assert capsys.readouterr().err.endswith("  · fold 1/2\n")
