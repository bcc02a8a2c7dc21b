"""The error-mitigation techniques a stage may join with `+` in its `mitigation` setting
(`mitigation readout + zne`). Each acts on a noisy device only; the report shows the method without them.
readout: qlang.runtime.mitigation; zne: qlang.runtime.zne."""

from qlang.catalog.schema import Entry, p_enum, p_list

DEFAULT_SCALES = (1, 3, 5)
EXTRAPOLATIONS = ("richardson", "linear")  # qlang.runtime.zne.extrapolation_weights
MAX_SCALE = 21  # a fold deeper than this drowns any circuit in its own noise
MITIGATIONS: dict[str, Entry] = {
    e.name: e
    for e in (
        Entry(
            "readout",
            "mitigation",
            "Readout-error mitigation: two calibration circuits per circuit width, each qubit's confusion matrix "
            "inverted (tensored model).",
        ),
        Entry(
            "zne",
            "mitigation",
            "Zero-noise extrapolation: every circuit also runs folded to U (U† U)^k at each odd scale, and the "
            "results are extrapolated to zero noise; costs one run of every circuit per scale.",
            (
                p_list(
                    "scales",
                    "int",
                    list(DEFAULT_SCALES),
                    "odd noise scale factors 2k + 1: 1 (the circuit as it is) and at least one more",
                ),
                p_enum("extrapolation", EXTRAPOLATIONS, "richardson", "the fit read at zero noise"),
            ),
        ),
    )
}
