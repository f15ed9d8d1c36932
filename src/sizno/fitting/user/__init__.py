"""`sizno fit`: fit the half-cell model's free parameters to a user's cycler file.

One module per job: :mod:`.protocol` (the file → protocol and measured observables),
:mod:`.parameters` (which parameters a fit may free), :mod:`.residuals` (model vs file on one
scale), :mod:`.statistics` (uncertainties beyond the core's), :mod:`.driver` (the fit) and
:mod:`.output` (the parameter TOML, through :mod:`sizno.fitting.parameter_file`).

The same mechanism as `sizno calibrate` (one mechanism, not two): this package only builds a
:class:`sizno.fitting.core.FitProblem` — a map from a ParameterSet to weighted residuals — and
hands it to :func:`sizno.fitting.core.fit` (scipy trust-region least squares in log/linear scaled
coordinates within the parameter bounds, 1-sigma uncertainties from the Jacobian).

What happens, in order:

1. **Read** the file with :func:`sizno.io.read` (any supported tester, BDF columns, positive
   current charges the cell). Half cell: the tester's *discharge* lithiates the working
   electrode, *charge* delithiates it (:func:`sizno.io.metrics.half_cell_mapping`).
2. **Infer the protocol** from the file: every step from the file's first cycle up to the last
   selected cycle becomes a :class:`~sizno.experiments.protocols.Step` — lithiate/delithiate at
   the step's constant current (median |I| of its CC part) as a specific current on the user's
   composite mass and current basis (so the model's current in A equals the measured one), or a
   rest of the measured duration. The voltage window is the lowest lithiation end voltage and
   the highest delithiation end voltage in the file (or ``--lower/upper-cutoff-V``); a step that
   ended within ``cutoff_tolerance_V`` of the window is voltage-terminated in the model (with a
   time cap of 2 × its measured duration), any other step is time-terminated at its measured
   duration (capacity-limited cycling). Constant-voltage tails are not modelled: the model runs
   the CC part, the residuals use the CC part, and a note says how much charge the tail held.
   The model always starts from the pristine electrode, so earlier cycles are simulated even
   when only later ones are fitted.
3. **Residuals**, both kinds by default (``target``):
   * *curves*: each selected CC step's voltage, model and measured, interpolated on a common
     normalised-capacity grid (``grid_points`` points on 0.02…0.98 of each curve's own step
     capacity, the ends left out because of the IR jumps there); residual
     (V_model − V_meas) / (voltage_tolerance · √grid_points), so a step whose RMS error equals
     ``voltage_tolerance_mV`` contributes 1 to the sum of squares;
   * *capacities*: per selected cycle, lithiation and delithiation capacity (the file's from
     :func:`sizno.io.metrics.compute_metrics`, i.e. the tester's counters when it has them),
     residual (Q_model / Q_meas − 1) / capacity_tolerance.
   A model run that stops early leaves the missing residuals non-finite; the core counts them
   as far off.
4. **Uncertainties**: 1-sigma relative, from (JᵀJ)⁻¹·s² at the optimum (core); then the same
   formula with a central-difference Jacobian over a wide step (±0.05 in log10), because the
   core's 1e-3 step sees the solver's noise where a parameter barely matters and then reports a
   far too small 1-sigma; a parameter whose two estimates disagree (> 2x), whose 1-sigma is
   above 100 %, or that sits at a bound is listed as *poorly determined*; optionally a
   residual bootstrap (``bootstrap=N``): N refits, from the optimum, to the best model's
   observables plus the optimum's residuals resampled in circular blocks within each step's
   curve (and among the capacity residuals).
5. **Output**: a parameter TOML with ``[values]`` (every free parameter: the fitted ones and
   the values the others were held at) and ``[fit]`` metadata, read by
   ``sizno simulate --parameters FILE`` through :func:`sizno.models.parameters.load_parameter_set`.

Why not PyBOP. PyBOP 26.3 (the PyBaMM team's optimisation package) would install next to
pybamm 26.10.1.1 on Python 3.11 without changing pybamm, but it pins ``numpy < 2.4`` (this
environment has numpy 2.4.6, so it would downgrade numpy under every other area) and brings
pints, SALib, cma, multiprocess, dill and threadpoolctl. It fits PyBaMM models to time series
driven by a current input; sizno's runs are PyBaMM *Experiments* with voltage-terminated steps
whose per-cycle results are extracted by :mod:`sizno.experiments.runner`, and the issue asks for
one fitting mechanism shared with `sizno calibrate`. PyBOP's gain here would be its optimiser
zoo (CMA-ES, PSO, …) and samplers, which a 1–4-parameter bounded least-squares problem with a
Jacobian-based covariance does not need. So: not used, not a dependency.
"""
