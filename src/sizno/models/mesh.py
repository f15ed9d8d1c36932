"""The models' default meshes (cells through each thickness), in one light module the CLI can import.

Measured with benchmarks/mesh_convergence.py against 40 anode cells (README "Speed"): with the anode's
exponential mesh at stretch 3 (`sizno.models.anode.states.MESH_STRETCH`), 12 cells keep every calibration
record within 0.16 %, the Si–ZnOx rate tests (60 and 25 °C) within 1.1 % and the 200-cycle curves within
0.07 %; pure Si above 1 A/g (a front-limited electrode) is off by up to 3 % (60 °C) and 8 % (25 °C), as
the former default (20 cells, stretch 2: 2.8 % and 7.4 %).
"""

DEFAULT_MESH_POINTS = 12  # anode cells
QUICK_MESH_POINTS = 12  # `--quick` runs
# x and r points of the cathode: 10 is the coarsest within 1 % of 20 on the full cell's records (0.65 %
# at 2C; 8: 1.15 %), and fewer save no measurable time
CATHODE_MESH_POINTS = 10
