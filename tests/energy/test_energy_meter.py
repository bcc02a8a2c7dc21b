"""The meter: providers, the CPU-time model, and nested windows that add up."""

from __future__ import annotations

import os
import signal
import threading
import time
import types

import pytest

from qlang.energy import meter as m
from qlang.energy.meter import (
    DEFAULT_CPU_WATTS_PER_THREAD,
    DEFAULT_RAM_WATTS,
    MEASURED,
    MODELED,
    Meter,
    MeterError,
    NvmlProvider,
    ProviderUnavailable,
    RaplProvider,
    Reading,
)

W_CPU = 10.0
W_RAM = 2.0


def busy(cpu_seconds: float) -> None:
    """Spin until this process has used ``cpu_seconds`` more CPU time."""
    t0 = time.process_time()
    x = 0
    while time.process_time() - t0 < cpu_seconds:
        for i in range(2000):
            x += i * i


def model_meter() -> Meter:
    return Meter(provider="model", cpu_watts_per_thread=W_CPU, ram_watts=W_RAM)


# ---------------------------------------------------------------- the CPU-time model


def test_env_forces_the_model_and_defaults_apply():
    meter = Meter()
    assert meter.provider == "model"
    assert meter.provenance == MODELED
    assert meter.cpu_watts_per_thread == DEFAULT_CPU_WATTS_PER_THREAD
    assert meter.ram_watts == pytest.approx(DEFAULT_RAM_WATTS)
    assert DEFAULT_RAM_WATTS == pytest.approx(0.3725 * 4)


def test_busy_loop_costs_cpu_seconds_times_watts_plus_ram():
    meter = model_meter()
    c0, t0 = time.process_time(), time.perf_counter()
    with meter.window("busy") as w:
        busy(0.3)
    c1, t1 = time.process_time(), time.perf_counter()
    r = w.reading()
    assert r.provider == "model" and r.provenance == MODELED
    # the window's own clocks agree with independent ones taken just outside it
    assert r.cpu_s == pytest.approx(c1 - c0, rel=0.1, abs=0.02)
    assert r.wall_s <= (t1 - t0) + 1e-9
    assert r.cpu_s >= 0.29
    expected = (c1 - c0) * W_CPU + (t1 - t0) * W_RAM
    assert r.joules == pytest.approx(expected, rel=0.1)
    # and exactly the model's formula on its own clocks
    assert r.joules == pytest.approx(r.cpu_s * W_CPU + r.wall_s * W_RAM, rel=1e-9)


def test_idle_sleep_costs_only_the_ram_term():
    meter = model_meter()
    with meter.window("idle") as w:
        time.sleep(0.2)
    r = w.reading()
    assert r.wall_s >= 0.19
    assert r.cpu_s < 0.05  # sleeping uses (almost) no CPU
    ram_term = r.wall_s * W_RAM
    assert r.joules >= ram_term
    assert r.joules - ram_term == pytest.approx(r.cpu_s * W_CPU, abs=1e-9)
    assert r.joules == pytest.approx(ram_term, abs=0.05 * W_CPU)


def test_joules_is_cumulative_since_creation():
    meter = model_meter()
    a = meter.joules()
    busy(0.02)
    b = meter.joules()
    assert 0.0 <= a <= b
    total = meter.reading()
    assert total.joules >= b


# ---------------------------------------------------------------- windows


def test_windows_nest_and_add_up():
    meter = model_meter()
    with meter.window("pipeline") as top:
        busy(0.02)
        with meter.window("stage:a") as a:
            busy(0.05)
            with meter.window("method") as inner:
                busy(0.03)
        busy(0.01)
        with meter.window("stage:b") as b:
            time.sleep(0.02)
    assert meter.windows == [top]
    assert top.children == [a, b]
    assert a.children == [inner]
    assert inner.parent is a and a.parent is top and top.parent is None
    rt, ra, rb, ri = top.reading(), a.reading(), b.reading(), inner.reading()
    # children fit inside their parent, in energy, wall and CPU time
    assert ra.joules + rb.joules <= rt.joules
    assert ra.wall_s + rb.wall_s <= rt.wall_s
    assert ra.cpu_s + rb.cpu_s <= rt.cpu_s + 1e-9
    assert ri.joules <= ra.joules
    # the parent less its children is its own overhead, never negative
    own = top.overhead()
    assert own.joules >= 0 and own.wall_s >= 0 and own.cpu_s >= 0
    assert own.joules == pytest.approx(rt.joules - ra.joules - rb.joules, abs=1e-9)
    assert top.children_reading().joules == pytest.approx(ra.joules + rb.joules)
    assert [w.name for w in top.walk()] == ["pipeline", "stage:a", "method", "stage:b"]
    d = top.to_dict()
    assert d["name"] == "pipeline" and [c["name"] for c in d["children"]] == ["stage:a", "stage:b"]


def test_reading_is_live_while_open_and_final_after_close():
    meter = model_meter()
    w = meter.window("x")
    assert w.reading().joules == 0.0 and not w.open
    with w:
        assert w.open and meter.current() is w
        first = w.reading()
        busy(0.02)
        second = w.reading()
        assert second.joules > first.joules
        assert second.cpu_s > first.cpu_s
    assert w.closed and meter.current() is None
    final = w.reading()
    busy(0.02)
    assert w.reading() == final
    assert final.joules >= second.joules


def test_explicit_parent_and_child_windows():
    meter = model_meter()
    with meter.window("stage") as stage:
        pass
    with stage.window("late child") as child:
        pass
    with meter.window("other", parent=stage) as other:
        pass
    assert stage.children == [child, other]
    assert meter.windows == [stage]


def test_windows_in_another_thread_are_top_level_there():
    meter = model_meter()
    seen = {}

    def worker():
        with meter.window("thread") as w:
            seen["current"] = meter.current()
        seen["window"] = w

    with meter.window("main") as main:
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert meter.current() is main
    assert seen["current"] is seen["window"]
    assert seen["window"].parent is None
    assert main.children == []


def test_a_signal_handler_can_poll_an_open_window():
    if not hasattr(signal, "SIGUSR1"):
        pytest.skip("no SIGUSR1 here")
    meter = model_meter()
    polled: list[Reading] = []

    def handler(signum, frame):
        polled.append(meter.current().reading())
        meter.joules()

    old = signal.signal(signal.SIGUSR1, handler)
    try:
        with meter.window("stage") as w:
            busy(0.01)
            signal.raise_signal(signal.SIGUSR1)
            busy(0.01)
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert len(polled) == 1
    assert 0 < polled[0].joules <= w.reading().joules


def test_reading_arithmetic():
    a = Reading(3.0, 2.0, 1.0, "model", MODELED)
    b = Reading(1.0, 1.0, 0.5, "model", MODELED)
    assert (a - b).joules == 2.0 and (a + b).wall_s == 3.0
    assert a.watts == 1.5 and a.wh == pytest.approx(3.0 / 3600)
    assert Reading(1.0, 0.0, 0.0, "model", MODELED).watts == 0.0


# ---------------------------------------------------------------- configuration


def test_watts_from_env_and_config_and_arguments(monkeypatch, tmp_path):
    cfg = tmp_path / "energy.toml"
    cfg.write_text("[meter]\ncpu_watts_per_thread = 7.5\nram_watts = 0.5\n")
    monkeypatch.setenv("QLANG_ENERGY_CONFIG", str(cfg))
    meter = Meter()
    assert (meter.cpu_watts_per_thread, meter.ram_watts) == (7.5, 0.5)
    monkeypatch.setenv("QLANG_CPU_WATTS_PER_THREAD", "9")
    meter = Meter()
    assert (meter.cpu_watts_per_thread, meter.ram_watts) == (9.0, 0.5)
    monkeypatch.setenv("QLANG_RAM_WATTS", "1.25")
    assert Meter().ram_watts == 1.25
    meter = Meter(cpu_watts_per_thread=3.0, ram_watts=0.0)
    assert (meter.cpu_watts_per_thread, meter.ram_watts) == (3.0, 0.0)


def test_config_in_xdg_home_top_level_keys(monkeypatch, tmp_path):
    monkeypatch.delenv("QLANG_ENERGY_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "qlang").mkdir()
    (tmp_path / "qlang" / "energy.toml").write_text("cpu_watts_per_thread = 15\n")
    assert m.config_path() == tmp_path / "qlang" / "energy.toml"
    assert Meter().cpu_watts_per_thread == 15.0


def test_bad_configuration_is_a_meter_error(monkeypatch, tmp_path):
    cfg = tmp_path / "energy.toml"
    cfg.write_text("cpu_watts_per_thread = \n")
    monkeypatch.setenv("QLANG_ENERGY_CONFIG", str(cfg))
    with pytest.raises(MeterError, match="TOML"):
        Meter()
    cfg.write_text("cpu_watts_per_thread = -1\n")
    with pytest.raises(MeterError, match="non-negative"):
        Meter()
    cfg.write_text("")
    monkeypatch.setenv("QLANG_RAM_WATTS", "lots")
    with pytest.raises(MeterError, match="QLANG_RAM_WATTS"):
        Meter()
    with pytest.raises(MeterError, match="unknown energy meter provider"):
        Meter(provider="joulemeter")


def test_forced_counter_that_is_missing_raises(monkeypatch, tmp_path):
    with pytest.raises(ProviderUnavailable):
        Meter(provider="rapl", rapl_root=tmp_path)
    monkeypatch.setenv("QLANG_METER", "rapl")
    with pytest.raises(ProviderUnavailable):
        Meter(rapl_root=tmp_path)


def test_auto_falls_back_to_the_model(monkeypatch, tmp_path):
    monkeypatch.delenv("QLANG_METER")
    monkeypatch.setitem(__import__("sys").modules, "pynvml", None)  # import fails
    meter = Meter(rapl_root=tmp_path)
    assert meter.provider == "model" and meter.provenance == MODELED


# ---------------------------------------------------------------- RAPL on a fake powercap tree


def _domain(root, name, label, energy, max_range=1000, readable=True):
    d = root / name
    d.mkdir()
    (d / "name").write_text(label + "\n")
    (d / "energy_uj").write_text(f"{energy}\n")
    (d / "max_energy_range_uj").write_text(f"{max_range}\n")
    if not readable:
        os.chmod(d / "energy_uj", 0)
    return d / "energy_uj"


def test_rapl_sums_packages_and_handles_wrap_around(tmp_path):
    pkg0 = _domain(tmp_path, "intel-rapl:0", "package-0", 900_000, max_range=1_000_000)
    pkg1 = _domain(tmp_path, "intel-rapl:1", "package-1", 100)
    _domain(tmp_path, "intel-rapl:0:0", "core", 5)  # a sub-domain: not counted
    _domain(tmp_path, "intel-rapl:2", "psys", 7)  # platform domain: would double count
    prov = RaplProvider(tmp_path)
    assert len(prov.domains) == 2
    assert prov.energy_j() == 0.0
    pkg0.write_text("950000\n")  # +50 000 µJ
    pkg1.write_text("300\n")  # +200 µJ
    assert prov.energy_j() == pytest.approx(0.0502)
    pkg0.write_text("50000\n")  # wrapped: +50 000 to the top, +50 000 after
    assert prov.energy_j() == pytest.approx(0.1502)
    meter = Meter(provider="rapl", rapl_root=tmp_path)
    assert meter.provider == "rapl" and meter.provenance == MEASURED
    with meter.window("w") as w:
        pkg0.write_text("250000\n")
    assert w.reading().joules == pytest.approx(0.2)
    assert w.reading().provenance == MEASURED


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_rapl_skips_unreadable_counters(tmp_path):
    _domain(tmp_path, "intel-rapl:0", "package-0", 1, readable=False)
    with pytest.raises(ProviderUnavailable):
        RaplProvider(tmp_path)


# ---------------------------------------------------------------- NVML with a stand-in library


def _fake_nvml(counters):
    mod = types.SimpleNamespace()
    mod.nvmlInit = lambda: None
    mod.nvmlDeviceGetCount = lambda: len(counters)
    mod.nvmlDeviceGetHandleByIndex = lambda i: i
    mod.nvmlDeviceGetTotalEnergyConsumption = lambda h: counters[h]
    return mod


def test_nvml_sums_gpus_in_millijoules(monkeypatch):
    counters = [10_000, 20_000]
    nvml = _fake_nvml(counters)
    prov = NvmlProvider(nvml)
    assert prov.gpus == 2 and prov.energy_j() == 0.0
    counters[0] += 1500
    counters[1] += 500
    assert prov.energy_j() == pytest.approx(2.0)
    monkeypatch.setitem(__import__("sys").modules, "pynvml", nvml)
    meter = Meter(provider="nvml")
    assert meter.provider == "nvml" and meter.provenance == MEASURED
    with meter.window("gpu") as w:
        counters[1] += 3000
    assert w.reading().joules == pytest.approx(3.0)
    both = Meter(provider="nvml+model")
    assert both.provider == "nvml+model" and both.provenance == MODELED


def test_nvml_without_gpus_or_library_is_unavailable(monkeypatch):
    with pytest.raises(ProviderUnavailable):
        NvmlProvider(_fake_nvml([]))

    def broken():
        raise RuntimeError("NVML Shared Library Not Found")

    nvml = _fake_nvml([1])
    nvml.nvmlInit = broken
    with pytest.raises(ProviderUnavailable):
        NvmlProvider(nvml)
    monkeypatch.setitem(__import__("sys").modules, "pynvml", None)
    with pytest.raises(ProviderUnavailable):
        Meter(provider="nvml")
