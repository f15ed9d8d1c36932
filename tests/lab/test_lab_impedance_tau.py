"""Where the model's arcs sit: each tau follows from its capacitance MECHANISM and the model's own R,
and the DRT of the simulated spectrum (measured band only) puts its peaks at those R·C."""

import numpy as np
import pytest

from sizno.lab.geis import GEISSimulator
from sizno.lab.capacitances import load_capacitances
from sizno.lab.model_spectrum import MEASURED_BAND_HZ, default_frequencies_Hz
from sizno.units import VACUUM_PERMITTIVITY_F_PER_M as EPS0_F_PER_M
from test_lab_impedance import _pset

MESH = 15
F = default_frequencies_Hz()
DRT_RESOLUTION_DECADES = 0.15  # the DRT grid has 10 points per decade; 1.5 bins


@pytest.fixture(scope="module")
def zno4():
    return GEISSimulator("si-zno4", pset=_pset(), mesh_points=MESH)


@pytest.fixture(scope="module")
def lith(zno4):
    return zno4.series("lithiation", 3, 1, F, first=0.3, last=0.9)


def _decades(a, b):
    return abs(np.log10(a / b))


def test_measured_band_is_the_default_sweep():
    assert F[0] == pytest.approx(MEASURED_BAND_HZ[0]) and F[-1] == pytest.approx(MEASURED_BAND_HZ[1])


def test_each_tau_follows_from_material_properties_not_geometry(zno4, lith):
    c, cell, lin = load_capacitances(), zno4.cell, zno4.lin
    sigma_pellet = cell.pellet_thickness_um * 1e-6 / (lin.pellet_resistance_ohm * cell.pellet_area_m2)
    sigma_sei = float(lin.parameter_values["SEI ionic conductivity [S.m-1]"])
    for spec in lith.spectra:
        tau = spec.time_constants_s()
        # bulk: dielectric relaxation of LPSCl; grain boundaries: brick layer, share x eps (d/delta) / sigma
        assert tau["pellet_bulk"] == pytest.approx((1 - c.grain_boundary_share) * EPS0_F_PER_M * c.electrolyte_relative_permittivity / sigma_pellet, rel=1e-9)
        assert tau["pellet_grain_boundary"] == pytest.approx(
            c.grain_boundary_share * EPS0_F_PER_M * c.electrolyte_relative_permittivity
            * (c.grain_size_um * 1e-6) / (c.grain_boundary_thickness_nm * 1e-9) / sigma_pellet, rel=1e-9)
        # SEI film: eps0 eps_r / sigma_SEI, whatever its thickness
        assert tau["sei"] == pytest.approx(EPS0_F_PER_M * c.sei_relative_permittivity / sigma_sei, rel=1e-6)
        # double layer on the active area only
        assert spec.capacitance_F["double_layer"] == pytest.approx(
            c.double_layer_F_per_m2 * cell.area_m2 * spec.point.active_area_fraction, rel=1e-12)
    # the SEI thickens along the lithiation: R_SEI grows, its tau does not
    r_sei = [s.point.resistances_ohm["sei"] for s in lith.spectra]
    assert r_sei[-1] > 1.2 * r_sei[0]
    assert np.ptp([s.time_constants_s()["sei"] for s in lith.spectra]) < 1e-6 * lith.spectra[0].time_constants_s()["sei"]


def test_double_layer_only_on_the_active_interface():
    """The double layer covers only the interface share that supplies electrons, so
    tau_ct = c_dl (dEta/dI A_active) stays per active area (pure Si early in its first lithiation)."""
    si = GEISSimulator("si", pset=_pset(), mesh_points=MESH)
    spec = si.at_state_of_charge(0.02, "lithiation", 1, F)
    assert 0 < spec.point.active_area_fraction <= 1
    c = load_capacitances()
    assert spec.capacitance_F["double_layer"] == pytest.approx(c.double_layer_F_per_m2 * si.cell.area_m2 * spec.point.active_area_fraction)


def test_drt_peaks_sit_at_r_times_c(zno4, lith):
    """Every arc inside the measured band gives a DRT peak at its R·C (within the DRT's resolution);
    arcs outside the band give none of their own."""
    d = lith.drt()
    tau_band_lo = 1 / (2 * np.pi * MEASURED_BAND_HZ[0])
    for spec, res in zip(lith.spectra, d.results):
        tau = spec.time_constants_s()
        checked = []
        for part in ("charge_transfer", "counter_electrode", "sei"):
            if tau[part] < tau_band_lo:  # outside the measured band: no peak of its own is expected
                continue
            checked.append(part)
            near = [p for p in res.peaks if _decades(p.tau_s, tau[part]) < DRT_RESOLUTION_DECADES]
            assert near, f"{part}: no DRT peak near R·C = {tau[part]:.3g} s ({[p.tau_s for p in res.peaks]})"
        assert {"charge_transfer", "counter_electrode"} <= set(checked)
        assert tau["pellet_bulk"] < tau_band_lo  # LPSCl bulk: the high-frequency intercept only
        # the charge-transfer peak holds about the model's R_ct (the faradaic state adds a little)
        p_ct = min(res.peaks, key=lambda p: _decades(p.tau_s, tau["charge_transfer"]))
        assert p_ct.resistance_ohm == pytest.approx(spec.point.resistances_ohm["charge_transfer"], rel=0.25)


def test_peak_moves_with_its_capacitance(zno4, lith):
    """tau = R C: ten times the double-layer capacitance moves the charge-transfer peak one decade."""
    spec = lith.spectra[1]
    lin10 = GEISSimulator("si-zno4", pset=_pset(), mesh_points=MESH,
                          capacitances=load_capacitances().with_(double_layer_F_per_m2=2.0)).lin
    s10 = lin10.impedance(spec.point, F)
    from sizno.eis.drt import drt

    r1 = drt(spec.spectrum())
    r10 = drt(s10.spectrum())
    t1, t10 = spec.time_constants_s()["charge_transfer"], s10.time_constants_s()["charge_transfer"]
    assert t10 / t1 == pytest.approx(10.0, rel=1e-9)
    p1 = min(r1.peaks, key=lambda p: _decades(p.tau_s, t1))
    p10 = min(r10.peaks, key=lambda p: _decades(p.tau_s, t10))
    assert _decades(p1.tau_s, t1) < DRT_RESOLUTION_DECADES and _decades(p10.tau_s, t10) < DRT_RESOLUTION_DECADES
    assert _decades(p10.tau_s / p1.tau_s, 10.0) < DRT_RESOLUTION_DECADES


def test_tau_reach_brackets_the_model_and_widens_with_bounds(zno4, lith):
    op = lith.spectra[1].point
    tau = lith.spectra[1].time_constants_s()
    reach = zno4.lin.tau_reach_s(op)
    for part, (lo, hi) in reach.items():
        assert lo <= tau[part] * (1 + 1e-9) and hi >= tau[part] * (1 - 1e-9), part
    # the SEI film's tau is eps/sigma: no literature value lifts it to the paper's SEI window (1e-4 s)
    assert reach["sei"][1] < 1e-4
    # no bounds -> no reach
    narrow = zno4.lin.capacitances.with_(bounds={})
    lin = GEISSimulator("si-zno4", pset=_pset(), mesh_points=MESH, capacitances=narrow).lin
    r0 = lin.tau_reach_s(op)
    assert r0["charge_transfer"][0] == pytest.approx(r0["charge_transfer"][1])


def test_bad_capacitance_file_is_rejected(tmp_path):
    from importlib import resources

    from sizno.errors import SiznoInputError

    text = resources.files("sizno.data").joinpath("eis/capacitances.toml").read_text()
    assert "value = 2.0" in text
    bad = tmp_path / "caps.toml"
    bad.write_text(text.replace("value = 2.0", "value = 0.0", 1))  # the grain-boundary thickness
    with pytest.raises(SiznoInputError, match="Grain-boundary thickness"):
        load_capacitances(bad)
    assert load_capacitances().grain_boundary_thickness_nm == 2.0
