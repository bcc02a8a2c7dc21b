"""Energy: a meter with measured or modeled providers, the QPU energy model, calibration, references.

Submodules import only the standard library at import time; ``qpu`` imports Qiskit and
qiskit-ibm-runtime inside its functions, ``calibrate`` imports numpy inside its functions.
"""

from qlang.energy.meter import MEASURED, MODELED, Meter, MeterError, Reading, Window

__all__ = ["MEASURED", "MODELED", "Meter", "MeterError", "Reading", "Window"]
