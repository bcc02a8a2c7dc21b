"""The formatter pinned by literal expected outputs (not only checked against itself): comments beside `{`
and `}`, after a unit, on their own line, before a closing brace; spacing, lists, strings and sums."""

from __future__ import annotations

import pytest

from qlang.syntax.printer import format_text

CASES = [
    (
        """// leading comment
pipeline   demo {   // beside the opening brace
  target pennylane
  budget 2   kJ   // a unit, then a comment
  seed 7

  data words = vader_lexicon(limit:160)
  stage curate clusters {  // stage opens
    method quantum_kmeans(clusters: 2, encoding: angle, qubits: 4)
    baseline [kmeans, kmeans(n_init: 5)]
    budget 500 J + 1 kJ
  }   // after the stage's closing brace
}  // after the pipeline
""",
        """// leading comment
pipeline demo { // beside the opening brace
  target pennylane
  budget 2 kJ // a unit, then a comment
  seed 7

  data words = vader_lexicon(limit: 160)
  stage curate clusters { // stage opens
    method quantum_kmeans(clusters: 2, encoding: angle, qubits: 4)
    baseline [kmeans, kmeans(n_init: 5)]
    budget 500 J + 1 kJ
  } // after the stage's closing brace
} // after the pipeline
""",
    ),
    (
        """pipeline p{
  // a comment on its own line, indented wrongly
      seed 1


  grid 380 gCO2e/kWh
  data d = file(path: "a\\tb.csv", features: ["x","y"], limit: 10)   // trailing
  stage deploy prune from d {
    method qaoa_pruning(keep: 50 %, units: 8, mixer: xy, shots: none)
    baseline [magnitude_pruning,greedy_taylor]
    on_over_budget   warn
    // before the closing brace
  }
}
""",
        """pipeline p {
  // a comment on its own line, indented wrongly
  seed 1

  grid 380 gCO2e/kWh
  data d = file(path: "a\\tb.csv", features: ["x", "y"], limit: 10) // trailing
  stage deploy prune from d {
    method qaoa_pruning(keep: 50 %, units: 8, mixer: xy, shots: none)
    baseline [magnitude_pruning, greedy_taylor]
    on_over_budget warn
    // before the closing brace
  }
}
""",
    ),
    (
        # blank lines: kept (one) between statements and before comments, dropped right after an opening brace
        """// header

pipeline p {

  // after a blank line right after the brace
  seed 1

  // a comment after a blank line
  target qiskit

  budget 1 kJ

  grid 380 gCO2e/kWh
  stage curate s {

    method kmeans

    baseline [kmeans]
  }

  // after the last statement, before the closing brace
}
// trailing the file
""",
        """// header

pipeline p {
  // after a blank line right after the brace
  seed 1

  // a comment after a blank line
  target qiskit

  budget 1 kJ

  grid 380 gCO2e/kWh
  stage curate s {
    method kmeans

    baseline [kmeans]
  }

  // after the last statement, before the closing brace
}

// trailing the file
""",
    ),
    (
        # sweeps, booleans, positional arguments; a comment inside a multi-line value moves above its statement;
        # pipelines one blank line apart; a last comment after them
        """pipeline a {
  stage encode e {
    method quantum_kernel_svm(qubits: sweep(2,4),   shots:none, reuse:true)
    baseline [rbf_svm(1),
      // inside a list
      logistic_regression(balanced:false)]
  }
}
pipeline b {
  seed 1 // one
}
// the end
""",
        """pipeline a {
  stage encode e {
    method quantum_kernel_svm(qubits: sweep(2, 4), shots: none, reuse: true)
    // inside a list
    baseline [rbf_svm(1), logistic_regression(balanced: false)]
  }
}

pipeline b {
  seed 1 // one
}

// the end
""",
    ),
]


@pytest.mark.parametrize(
    "source,expected", CASES, ids=["comments-beside-braces-and-units", "layout", "blank-lines", "values-and-pipelines"]
)
def test_the_formatter_writes_exactly_this(source, expected):
    _, formatted = format_text(source)
    assert formatted == expected
    assert format_text(formatted)[1] == expected  # and leaves its own output alone
