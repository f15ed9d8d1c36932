"""One fitting mechanism: `calibrate` (paper calibration records) and `fit` (user data)."""

__all__ = ["FitProblem", "FitResult", "fit"]


def __getattr__(name):  # PEP 562: `import sizno.fitting` (and the CLI's --help) stays light
    if name in __all__:
        from sizno.fitting import core

        return getattr(core, name)
    raise AttributeError(f"module 'sizno.fitting' has no attribute '{name}'")
