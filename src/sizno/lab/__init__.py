"""Virtual experiments above sizno.experiments: design studies, sweeps, sensitivity, optimisation."""
