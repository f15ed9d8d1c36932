"""Virtual experiments: everything that runs the model for an analysis, above `sizno.experiments`.

- ``impedance``, ``model_spectrum``, ``capacitances``: the half-cell model linearised at any state
  (small-signal impedance) with the parallel capacitances added;
- ``geis``: simulated in-situ GEIS along a galvanostatic cycle;
- ``exsitu``: the half cell's electrode states as phases and powder patterns (virtual ex-situ XRD);
- ``transport``: NEB barrier → network conductivity → capacity at a rate (the multiscale link);
- ``screen``: the additive-oxide screen (interface channel barrier → capacity);
- ``study``: design studies on Dask (sweeps, sensitivity, bands, optimisation).
"""
