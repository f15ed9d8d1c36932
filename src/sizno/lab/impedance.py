"""Small-signal impedance of the half-cell model at any state (frequency-domain linearisation).

What is linearised and what is added:

* **Linearised** (the model's own equations). The discretised `HalfCellModel` is an ODE
  system dy/dt = f(y, I) (identity mass matrix: no algebraic states) with output V(y, I). At a
  state y0 and DC current I0 (the galvanostatic bias of GEIS), with J = df/dy, B = df/dI,
  C = dV/dy, D = dV/dI, the model's impedance (positive current lithiates, so Z = -dV/dI) is

      Z_model(w) = -D - C (i w 1 - J)^-1 B.

  -D is the sum of the instantaneous resistances, each the derivative of one of the model's own
  variables with respect to the current: charge transfer R_ct (linearised Butler–Volmer/arcsinh
  with the active interface fraction), SEI R_SEI(delta), pellet R_pellet, electrode ohmic drop
  and the Li–In counter electrode R_CE. The state term is the solid-state response: MIEC
  transport through the electrode (ambipolar diffusion down the OCP gradient), the OCP's change
  with stored Li, and the side reactions (amorphisation, ZnO conversion, LiZn, trapping, SEI
  growth), all from J. C is split into the interface part C_int = d(U0 - eta_int)/dy (faradaic)
  and the rest (electrode ohmic / SEI / counter electrode changing with the state).

* **Added** (the model has no capacitance: its interface, SEI and pellet drops are algebraic in
  the current). From `data/eis/capacitances.toml`, each in PARALLEL with the model's resistance:

      Z = R_bulk || C_geo + R_gb || C_gb                          (pellet; R_bulk + R_gb = R_pellet)
        + R_SEI || C_SEI                                          (C_SEI = eps0 eps_r A / delta)
        + (R_ct + Z_state,int(w)) || C_dl                         (Randles: faradaic || double layer)
        + R_el + Z_state,rest(w)                                  (electrode ohmic, series)
        + R_CE || C_dl,CE                                         (Li–In counter electrode)

  The capacitances set where each arc sits (tau = R C), never its size; at w -> 0 every
  capacitor is open and Z -> Z_model, the model's own small-signal response. Each capacitance is
  a mechanism, so each tau follows from material properties, not from the cell's geometry:

  * pellet bulk: C_geo = eps0 eps_r A_pellet / L_pellet, so tau_bulk = eps0 eps_r / sigma (~1e-10 s);
  * grain boundaries (brick layer: L/d boundary layers of thickness delta in series), C_gb =
    eps0 eps_r A_pellet d / (L_pellet delta), so tau_gb = share eps0 eps_r (d / delta) / sigma;
  * SEI film: C_SEI = eps0 eps_r A / delta_SEI, so tau_SEI = eps0 eps_r / sigma_SEI, whatever its
    thickness (thickening raises R_SEI and C_SEI^-1 alike);
  * double layer on the electrochemically ACTIVE contact area only (the share of the interface
    the model's exchange current uses: electron supply x uncracked contact x contact area, as the
    model reports it), so tau_ct = c_dl (RT/F) / i0_eff per active area, at any active share.

  `MEASURED_BAND_HZ` is the band a CHI760E (the paper's potentiostat) sweeps at most: 1 MHz down;
  the paper gives no band, 0.1 Hz is the usual low end. An arc outside 1/(2 pi f) of that band
  is not seen by a DRT of the measured spectrum: it shows as a high-frequency intercept or a tail.

PyBaMM 26's `pybamm.EISSimulation` is not used: it linearises about the model's initial
conditions at zero current and wants a "surface form" option; GEIS here needs any state of a
protocol under a DC bias. The algebra is the same (casadi Jacobians, (i w M - J) x = b).
"""

from __future__ import annotations

from functools import lru_cache

import casadi
import numpy as np
import pybamm
from scipy.integrate import solve_ivp
from scipy.linalg import hessenberg, solve_banded

from sizno.cell import HalfCell, paper_half_cell
from sizno.errors import SiznoInputError
from sizno.lab.capacitances import Capacitances, load_capacitances
from sizno.lab.model_spectrum import ModelSpectrum, OperatingPoint, default_frequencies_Hz
from sizno.materials import named_material
from sizno.models.build import half_cell_parameter_values
from sizno.models.half_cell import HalfCellModel
from sizno.models.parameters import ParameterSet, load_parameter_set
from sizno.results.states import STATE_COLUMNS
from sizno.units import VACUUM_PERMITTIVITY_F_PER_M as EPS0_F_PER_M

CURRENT_INPUT = "Current function [A]"
DOMAIN_NAME = "negative electrode"
# the model's share of the interface that takes part in charge transfer: the newest name first
# the share of the interface where charge transfer happens (the double layer forms there only)
ACTIVE_AREA_VARIABLE = "Interface active fraction [-]"

# the model's variables whose partial derivative with respect to the current is a resistance
_RESISTANCE_VARIABLES = {
    "charge_transfer": "Interface overpotential [V]",
    "sei": "SEI overpotential [V]",
    "electrode_ohmic": "Electrode ohmic drop [V]",
    "pellet": "Electrolyte pellet resistance [Ohm]",  # a parameter, read from the parameter values
    "counter_electrode": "Counter electrode overpotential [V]",
}


_STATE_VARIABLES = ("SEI thickness [nm]", STATE_COLUMNS["amorphous_fraction"], "Amorphous Li filling [-]",
                    "Interface active fraction [-]", STATE_COLUMNS["zno_conversion"], "Charge passed [A.h]")


class LinearisedHalfCell:
    """The discretised half-cell model with the current as an input, ready to linearise at any state."""

    def __init__(self, cell: HalfCell, pset: ParameterSet | None = None, mesh_points: int = 30,
                 capacitances: Capacitances | None = None):
        self.cell = cell
        self.mesh_points = int(mesh_points)
        if self.mesh_points < 3:
            raise SiznoInputError("mesh_points", f"{mesh_points}", ">= 3")
        self.capacitances = capacitances or load_capacitances()
        pv = half_cell_parameter_values(cell, pset)
        self._pset = pset
        self.parameter_values = pv
        pv = pv.copy()
        pv.update({"Current function [A]": pybamm.InputParameter(CURRENT_INPUT)})
        # one column: the electrode's median sheet population carrying the whole current (the
        # populations' parallel admittances are not summed; see README, "Sheet populations");
        # sizno.lab.geis runs the same one-column model in time
        model = HalfCellModel(populations=1)
        geometry = model.default_geometry
        pv.process_geometry(geometry)
        built = pv.process_model(model, inplace=False)
        mesh = pybamm.Mesh(geometry, model.default_submesh_types, {"x_n": self.mesh_points})
        disc = pybamm.Discretisation(mesh, model.default_spatial_methods)
        disc.process_model(built)
        if built.concatenated_algebraic.size:
            raise RuntimeError("the half-cell model gained algebraic states; model_impedance expects an ODE system")
        self.built_model = built
        self.y_slices = {k.name: v[0] for k, v in built.y_slices.items()}
        self.n_states = int(built.concatenated_rhs.size)
        self.x_nodes_m = mesh[DOMAIN_NAME].nodes

        y = casadi.MX.sym("y", self.n_states)
        cur = casadi.MX.sym("I")
        inputs = {CURRENT_INPUT: cur}

        def cas(name_or_symbol):
            sym = (self.built_model.get_processed_variable(name_or_symbol) if isinstance(name_or_symbol, str)
                   else name_or_symbol)
            return sym.to_casadi(t=casadi.MX(0.0), y=y, inputs=inputs)

        f = cas(built.concatenated_rhs)
        V = cas("Voltage [V]")
        faradaic = cas("Interface open-circuit potential [V]") - cas("Interface overpotential [V]")
        drops = casadi.vertcat(*[cas(v) for k, v in _RESISTANCE_VARIABLES.items() if k != "pellet"])
        self._lin = casadi.Function(
            "lin", [y, cur],
            [f, casadi.jacobian(f, y), casadi.jacobian(f, cur), V, casadi.jacobian(V, y), casadi.jacobian(V, cur),
             casadi.jacobian(faradaic, y), casadi.jacobian(drops, cur)],
        )
        self._rhs = casadi.Function("rhs", [y, cur], [f])
        self._voltage = casadi.Function("V", [y, cur], [V])
        self._state_vars = {
            n: casadi.Function(f"state{i}", [y, cur], [cas(n)])
            for i, n in enumerate(_STATE_VARIABLES)
        }
        self.active_area_variable = ACTIVE_AREA_VARIABLE
        self._active_area = casadi.Function("active_area", [y, cur], [cas(ACTIVE_AREA_VARIABLE)])
        self.temperature_K = float(pv["Temperature [K]"])
        self._y0 = np.asarray(built.concatenated_initial_conditions.evaluate(0, inputs={CURRENT_INPUT: 0.0})).ravel()
        self.pellet_resistance_ohm = float(pv["Electrolyte pellet resistance [Ohm]"])

    # ---------------------------------------------------------------- states
    def initial_state(self) -> np.ndarray:
        return self._y0.copy()

    def state_from_solution(self, solution: pybamm.Solution, time_s: float | None = None) -> np.ndarray:
        """The state vector at `time_s` (default: the end) of a PyBaMM solution of the same model on the
        same mesh, mapped by variable name and interpolated linearly in time."""
        models = getattr(solution, "all_models", None) or []
        src_model = models[-1] if models else None
        if src_model is None:
            raise SiznoInputError("solution", "has no model", "a PyBaMM solution of HalfCellModel")
        src = {k.name: v[0] for k, v in src_model.y_slices.items()}
        t = np.asarray(solution.t)
        Y = np.asarray(solution.y)
        if Y.ndim == 1:
            Y = Y[:, None]
        if time_s is None:
            yy = Y[:, -1]
        else:
            if not (t[0] - 1e-9 <= time_s <= t[-1] + 1e-9):
                raise SiznoInputError("time_s", f"{time_s:g} s", f"within the solution, {t[0]:g}–{t[-1]:g} s")
            k = int(np.clip(np.searchsorted(t, time_s), 1, len(t) - 1))
            w = 0.0 if t[k] == t[k - 1] else (time_s - t[k - 1]) / (t[k] - t[k - 1])
            yy = (1 - w) * Y[:, k - 1] + w * Y[:, k]
        out = np.empty(self.n_states)
        for name, sl in self.y_slices.items():
            if name not in src:
                raise SiznoInputError("solution", f"lacks state '{name}'", "a solution of HalfCellModel")
            s = src[name]
            if (s.stop - s.start) != (sl.stop - sl.start):
                raise SiznoInputError("solution", f"mesh of '{name}' has {s.stop - s.start} points, this linearisation {sl.stop - sl.start}", "the same mesh_points")
            out[sl] = yy[s]
        return out

    # ---------------------------------------------------------------- linearisation
    def operating_point(self, y: np.ndarray, current_A: float = 0.0) -> OperatingPoint:
        y = np.asarray(y, dtype=float).ravel()
        if y.shape != (self.n_states,) or not np.all(np.isfinite(y)):
            raise SiznoInputError("state", f"shape {y.shape}", f"{self.n_states} finite values")
        I = float(current_A)
        _, J, B, V, Cv, Dv, Cf, Ddrops = (np.asarray(casadi.DM(o).full()) for o in self._lin(y, I))
        names = [k for k in _RESISTANCE_VARIABLES if k != "pellet"]
        res = {k: float(v) for k, v in zip(names, Ddrops.ravel())}
        res["pellet"] = self.pellet_resistance_ohm
        share = self.capacitances.grain_boundary_share
        res["pellet_grain_boundary"] = share * res["pellet"]
        res["pellet_bulk"] = (1 - share) * res["pellet"]
        C_int = Cf.ravel()
        state = {n.replace(" [-]", "").replace(" [nm]", "_nm").replace(" [A.h]", "_Ah"): float(np.asarray(fn(y, I)).ravel().mean())
                 for n, fn in self._state_vars.items()}
        active = float(np.asarray(self._active_area(y, I)).ravel()[0])
        return OperatingPoint(
            y=y, current_A=I, J=J, B=B.ravel(), C_interface=C_int, C_rest=Cv.ravel() - C_int, D=float(Dv.ravel()[0]),
            resistances_ohm=res, voltage_V=float(V.ravel()[0]), sei_thickness_nm=state["SEI thickness_nm"], state=state,
            active_area_fraction=min(max(active, 0.0), 1.0),
        )

    @staticmethod
    def state_response(op: OperatingPoint, frequency_Hz: np.ndarray) -> np.ndarray:
        """x(w) = (i w 1 - J)^-1 B for each frequency, shape (n_f, n_y).

        J = Q H Q^T once (orthogonal Hessenberg reduction), then per frequency a banded solve of the
        upper-Hessenberg (i w 1 - H): O(n^2) each instead of a dense O(n^3) solve (~10x faster at
        the quick mesh; the same x to ~1e-8 relative)."""
        w = 2 * np.pi * np.asarray(frequency_Hz, dtype=float)
        n = op.J.shape[0]
        H, Q = hessenberg(op.J, calc_q=True)
        b = (Q.T @ op.B).astype(complex)
        band = np.zeros((n + 1, n), dtype=complex)  # LAPACK band storage: row n-1-d holds diagonal d
        for d in range(n):
            band[n - 1 - d, d:] = -np.diagonal(H, d)
        band[n, :n - 1] = -np.diagonal(H, -1)
        out = np.empty((len(w), n), dtype=complex)
        for k, wk in enumerate(w):
            a = band.copy()
            a[n - 1] += 1j * wk
            out[k] = solve_banded((1, n - 1), a, b, check_finite=False)
        return out @ Q.T

    def model_impedance(self, op: OperatingPoint, frequency_Hz) -> np.ndarray:
        """The model alone, no added capacitance: Z = -D - C (i w - J)^-1 B [ohm]."""
        x = self.state_response(op, frequency_Hz)
        return -op.D - x @ (op.C_interface + op.C_rest)

    def capacitances_F(self, op: OperatingPoint) -> dict[str, float]:
        """Each added capacitance [F] from its mechanism (module docstring) at the state `op`."""
        c, cell = self.capacitances, self.cell
        delta_m = max(op.sei_thickness_nm, 1e-3) * 1e-9
        c_geo = EPS0_F_PER_M * c.electrolyte_relative_permittivity * cell.pellet_area_m2 / (cell.pellet_thickness_um * 1e-6)
        return {
            "pellet_geometric": c_geo,
            # brick layer: L/d boundary layers of thickness delta in series, same permittivity
            "grain_boundary": c_geo * (c.grain_size_um * 1e-6) / (c.grain_boundary_thickness_nm * 1e-9),
            "sei": EPS0_F_PER_M * c.sei_relative_permittivity * cell.area_m2 / delta_m,
            # the double layer forms only where charge transfer can happen (electron supply, contact)
            "double_layer": c.double_layer_F_per_m2 * cell.area_m2 * op.active_area_fraction,
            "counter_double_layer": c.counter_double_layer_F_per_m2 * cell.counter_area_m2,
        }

    def tau_reach_s(self, op: OperatingPoint) -> dict[str, tuple[float, float]]:
        """(lowest, highest) tau [s] of each arc at the state `op` when every capacitance mechanism's
        input takes any value within its literature bounds (data/eis/capacitances.toml), the model's
        resistances held (the SEI conductivity also over its literature range). Where a paper window
        lies outside this range, no literature value within the bounds puts the arc there."""
        c, b = self.capacitances, self.capacitances.bounds
        tau = ModelSpectrum(np.array([1.0]), np.zeros(1, complex), {}, op, self.capacitances_F(op)).time_constants_s()

        def span(name, v):
            lo, hi = b.get(name, (v, v))
            return lo / v, hi / v

        out = {}
        eps = span("electrolyte_relative_permittivity", c.electrolyte_relative_permittivity)
        out["pellet_bulk"] = (tau["pellet_bulk"] * eps[0], tau["pellet_bulk"] * eps[1])
        # tau_gb = share eps (d / delta) R_pellet C_geo-ish: each factor at its own end
        sh = span("grain_boundary_share", c.grain_boundary_share)
        d = span("grain_size_um", c.grain_size_um)
        dl = span("grain_boundary_thickness_nm", c.grain_boundary_thickness_nm)
        g = tau["pellet_grain_boundary"]
        out["pellet_grain_boundary"] = (g * sh[0] * eps[0] * d[0] / dl[1], g * sh[1] * eps[1] * d[1] / dl[0])
        # tau_SEI = eps0 eps_r / sigma_SEI(T): permittivity and conductivity over their ranges
        e_s = span("sei_relative_permittivity", c.sei_relative_permittivity)
        sig = self.sei_conductivity_25C_S_per_m
        s_lo, s_hi = b.get("sei_conductivity_25C_S_per_m", (sig, sig))
        out["sei"] = (tau["sei"] * e_s[0] * sig / s_hi, tau["sei"] * e_s[1] * sig / s_lo)
        dl_ = span("double_layer_F_per_m2", c.double_layer_F_per_m2)
        out["charge_transfer"] = (tau["charge_transfer"] * dl_[0], tau["charge_transfer"] * dl_[1])
        ce = span("counter_double_layer_F_per_m2", c.counter_double_layer_F_per_m2)
        out["counter_electrode"] = (tau["counter_electrode"] * ce[0], tau["counter_electrode"] * ce[1])
        return out

    @property
    def sei_conductivity_25C_S_per_m(self) -> float:
        """The model's SEI conductivity at the parameter file's reference temperature."""
        return float((self._pset or load_parameter_set()).value("SEI ionic conductivity [S.m-1]"))

    def impedance(self, op: OperatingPoint, frequency_Hz=None, metadata: dict | None = None) -> ModelSpectrum:
        """The full spectrum: linearised model + parallel capacitances (module docstring)."""
        f = default_frequencies_Hz() if frequency_Hz is None else np.asarray(frequency_Hz, dtype=float)
        if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)) or np.any(f <= 0):
            raise SiznoInputError("frequency_Hz", "must be positive and finite", "1-D array of frequencies > 0")
        w = 2 * np.pi * f
        jw = 1j * w
        r = op.resistances_ohm
        cap = self.capacitances_F(op)
        x = self.state_response(op, f)
        z_state_int = -(x @ op.C_interface)
        z_state_rest = -(x @ op.C_rest)

        def par(R, C):
            return R / (1 + jw * R * C) if R > 0 else np.zeros_like(jw)

        z_faradaic = r["charge_transfer"] + z_state_int
        parts = {
            "pellet_bulk": par(r["pellet_bulk"], cap["pellet_geometric"]),
            "pellet_grain_boundary": par(r["pellet_grain_boundary"], cap["grain_boundary"]),
            "sei": par(r["sei"], cap["sei"]),
            "interface": z_faradaic / (1 + jw * cap["double_layer"] * z_faradaic),
            "electrode": r["electrode_ohmic"] + z_state_rest,
            "counter_electrode": par(r["counter_electrode"], cap["counter_double_layer"]),
        }
        z = sum(parts.values())
        parts["faradaic_state"] = z_state_int
        return ModelSpectrum(f, z, parts, op, cap, dict(metadata or {}))

    # ---------------------------------------------------------------- the nonlinear model, for checks
    def voltage(self, y: np.ndarray, current_A: float) -> float:
        return float(np.asarray(self._voltage(y, float(current_A))).ravel()[0])

    def step_response(self, y0: np.ndarray, current_A: float, delta_current_A: float, times_s,
                      rtol: float = 1e-9, atol: float = 1e-12) -> np.ndarray:
        """-(V(I0 + dI) - V(I0)) / dI along `times_s` on the NONLINEAR discretised model from y0
        (both runs integrated, so the state's own drift cancels). At t = 0+ this is -D."""
        times_s = np.asarray(times_s, dtype=float)

        def run(I):
            jac = lambda t, y: np.asarray(self._lin(y, I)[1].full())  # noqa: E731
            fun = lambda t, y: np.asarray(self._rhs(y, I).full()).ravel()  # noqa: E731
            sol = solve_ivp(fun, (0.0, float(times_s[-1])), y0, method="BDF", t_eval=times_s, jac=jac, rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError(sol.message)
            return np.array([self.voltage(sol.y[:, k], I) for k in range(sol.y.shape[1])])

        return -(run(current_A + delta_current_A) - run(current_A)) / delta_current_A



@lru_cache(maxsize=8)
def _cached_linearisation(material: str, temperature_C: float | None, mesh_points: int) -> LinearisedHalfCell:
    return LinearisedHalfCell(paper_half_cell(named_material(material), temperature_C=temperature_C), mesh_points=mesh_points)


def linearisation_for(material: str, temperature_C: float | None = None, mesh_points: int = 30) -> LinearisedHalfCell:
    """A (cached) LinearisedHalfCell for the paper's half cell with `material` and the default parameters."""
    return _cached_linearisation(material, temperature_C, int(mesh_points))
