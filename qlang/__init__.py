"""qlang: a declarative language for quantum-vs-classical, energy-aware language-model pipelines."""

__version__ = "0.1.0"
