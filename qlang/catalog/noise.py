"""The parametric noise channels a spec may compose with `+` in its `noise` setting.

Every channel acts after every gate of every circuit, on each qubit the gate touches, in the order
written; `readout` flips each measured bit. Probabilities are plain numbers or percentages.
The same description drives both targets (qlang.runtime.noise).
"""

from qlang.catalog.schema import Entry, p_float

READOUT = p_float("readout", 0.0, 0.0, 0.5, "probability that a measured bit reads flipped")

NOISE: dict[str, Entry] = {
    e.name: e
    for e in (
        Entry(
            "depolarizing",
            "noise",
            "Depolarizing after every gate: ρ → (1 − p)ρ + p·I/2ⁿ on the gate's n qubits.",
            (
                p_float("p1", 0.0, 0.0, 1.0, "depolarizing probability after a one-qubit gate"),
                p_float("p2", 0.0, 0.0, 1.0, "depolarizing probability after a two-qubit gate"),
                READOUT,
            ),
        ),
        Entry(
            "amplitude_damping",
            "noise",
            "Energy relaxation (T1) after every gate, on each qubit it touches.",
            (p_float("gamma", doc="probability that |1⟩ decays to |0⟩ per gate", lo=0.0, hi=1.0),),
        ),
        Entry(
            "phase_damping",
            "noise",
            "Dephasing (T2) after every gate, on each qubit it touches.",
            (
                p_float(
                    "gamma", doc="phase-damping parameter per gate: coherences shrink by √(1 − gamma)", lo=0.0, hi=1.0
                ),
            ),
        ),
        Entry(
            "readout",
            "noise",
            "Readout error: each measured bit reads flipped.",
            (p_float("error", doc="probability that a measured bit reads flipped", lo=0.0, hi=0.5),),
        ),
    )
}
