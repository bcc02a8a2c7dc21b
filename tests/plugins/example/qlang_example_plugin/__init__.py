"""An example qlang plug-in: the catalog entry, its circuits and its cost model (light: no numpy here).

The implementation lives in `run.py`, named by the entry's `run` and imported only when a stage runs."""

from qlang.catalog.schema import KERNEL_ROLES, QUBITS, Entry, p_int

ENTRIES = [
    Entry(
        "example_x_kernel",
        "method",
        "An example plug-in: the fidelity kernel of an RX angle map, scored by leave-one-out nearest class mean.",
        (QUBITS, p_int("folds", 5, 2, 20, "kept for the baselines, which cross-validate")),
        stage="encode",
        family="quantum",
        inputs=("dataset",),
        output="dataset",
        baselines=("knn",),
        metrics=("accuracy",),
        qubits=lambda params: params.get("qubits"),
        run="qlang_example_plugin.run:x_kernel",
        roles=KERNEL_ROLES,
        circuits="qlang_example_plugin:circuits",
        cost="qlang_example_plugin:cost",
        settings={"limit": None},
    )
]


def circuits(params):
    from qlang.circuits.library import angle_map, kernel_circuits

    return kernel_circuits(angle_map(params["qubits"], rotation="x"))


def cost(params, rows, classes):
    from qlang.catalog.costs import Work

    q = params["qubits"]
    return Work(circuit_rows=rows, amplitude_ops=rows * q * 2**q, executor_calls=6, flops=rows * rows * 2**q * 8,
                fits=2, qpu_circuits={"overlap": rows * (rows - 1) / 2})
