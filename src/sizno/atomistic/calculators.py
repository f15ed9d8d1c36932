"""ASE calculators by name. One model is loaded once; every NEB image gets its own calculator on it.

Names: ``chgnet`` (default; CHGNet 0.4.2, weights inside the wheel, no network), ``chgnet-ft`` (CHGNet
0.3.0 with the readout fine-tuned on sizno's GPAW points: package data, see atomistic.finetune), ``sevennet``
(SevenNet ``7net-0``, the cross-check), ``gpaw`` (DFT: PBE with sizno's presets, see atomistic.dft;
``--calc-setting preset=pw`` etc.), ``emt`` (ASE's effective-medium theory, for tests: Al, Cu,
Ag, Au, Ni, Pd, Pt, H, C, N, O only) and any calculator that ASE ships, by its ASE name (``vasp``,
``espresso``, ``lj``, ``morse`` …) with its keyword settings passed through unchanged.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from sizno.errors import SiznoInputError

DEFAULT_CALCULATOR = "chgnet"

# ASE calculators selectable by name: name → (module, class). Settings are passed through.
_ASE_CALCULATORS: dict[str, tuple[str, str]] = {
    "emt": ("ase.calculators.emt", "EMT"),
    "lj": ("ase.calculators.lj", "LennardJones"),
    "morse": ("ase.calculators.morse", "MorsePotential"),
    "vasp": ("ase.calculators.vasp", "Vasp"),
    "espresso": ("ase.calculators.espresso", "Espresso"),
    "cp2k": ("ase.calculators.cp2k", "CP2K"),
    "lammpslib": ("ase.calculators.lammpslib", "LAMMPSlib"),
    "dftb": ("ase.calculators.dftb", "Dftb"),
    "aims": ("ase.calculators.aims", "Aims"),
    "castep": ("ase.calculators.castep", "Castep"),
    "siesta": ("ase.calculators.siesta", "Siesta"),
    "orca": ("ase.calculators.orca", "ORCA"),
}
ML_CALCULATORS = ("chgnet", "chgnet-ft", "sevennet")
DFT_CALCULATORS = ("gpaw",)  # settings resolved by atomistic.dft (presets, local PAW setups, progress)
EMT_ELEMENTS = frozenset({"Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt", "H", "C", "N", "O"})

_MODEL_CACHE: dict[tuple, Any] = {}


def known_calculators() -> list[str]:
    return list(ML_CALCULATORS) + list(DFT_CALCULATORS) + sorted(_ASE_CALCULATORS)


def torch_threads() -> int:
    """Threads for torch: $SIZNO_TORCH_THREADS, else the cores left free by the load already running (1 to 2).

    Oversubscribing is catastrophic here: CHGNet on 54 atoms took 17 s per force call with 2 threads
    on 2 cores that another process was using, 0.44 s with 1 thread."""
    env = os.environ.get("SIZNO_TORCH_THREADS")
    if env:
        return max(1, int(env))
    n = min(2, os.cpu_count() or 1)
    try:
        free = (os.cpu_count() or 1) - os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this platform
        free = n
    return max(1, min(n, int(free + 0.25)))


def set_torch_threads() -> None:
    import torch

    n = torch_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def _load_model(name: str, settings: dict) -> Any:
    key = (name, tuple(sorted((k, str(v)) for k, v in settings.items())))
    if key in _MODEL_CACHE:
        return _MODEL_CACHE[key]
    import warnings

    set_torch_threads()
    # chgnet 0.4.2 warns on every force call (a tensor-to-scalar conversion inside its model): noise only
    warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad=True", category=UserWarning)
    if name == "chgnet":
        from chgnet.model import CHGNet

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = CHGNet.load(model_name=str(settings.get("model", "0.3.0")), verbose=False, use_device="cpu"
                                if settings.get("device", "cpu") == "cpu" else settings["device"])
    elif name == "chgnet-ft":
        from sizno.atomistic import finetune

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = finetune.load_model()
    elif name == "sevennet":
        from sevenn.calculator import SevenNetCalculator

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calc = SevenNetCalculator(model=str(settings.get("model", "7net-0")), device=settings.get("device", "cpu"))
        model = calc.model
    else:  # pragma: no cover
        raise AssertionError(name)
    _MODEL_CACHE[key] = model
    return model


@dataclass
class CalculatorFactory:
    """Makes fresh ASE calculators of one kind; ML models are loaded once and shared by all of them."""

    name: str = DEFAULT_CALCULATOR
    settings: dict[str, Any] = field(default_factory=dict)
    on_scf: Callable[[int, float], None] | None = None  # DFT only: (SCF iteration, seconds) as it runs

    def __post_init__(self):
        self.name = self.name.lower().strip()
        if self.name in DFT_CALCULATORS:
            from sizno.atomistic import dft

            dft.resolve(self.settings)  # bad settings fail here, with the accepted values
        elif self.name not in ML_CALCULATORS and self.name not in _ASE_CALCULATORS:
            raise SiznoInputError("calculator", f"unknown calculator '{self.name}'", ", ".join(known_calculators()))

    @property
    def label(self) -> str:
        """Human name with the model version, e.g. 'CHGNet 0.3.0 (chgnet 0.4.2)'."""
        from importlib.metadata import PackageNotFoundError, version

        if self.name == "chgnet":
            try:
                v = version("chgnet")
            except PackageNotFoundError:
                v = "?"
            return f"CHGNet {self.settings.get('model', '0.3.0')} weights (chgnet {v})"
        if self.name == "chgnet-ft":
            from sizno.atomistic import finetune

            return finetune.label()
        if self.name == "sevennet":
            try:
                v = version("sevenn")
            except PackageNotFoundError:
                v = "?"
            return f"SevenNet {self.settings.get('model', '7net-0')} (sevenn {v})"
        if self.name == "gpaw":
            from sizno.atomistic import dft

            return dft.label(self.settings)
        return f"ASE {_ASE_CALCULATORS[self.name][1]}" + (f" {self.settings}" if self.settings else "")

    def identity(self) -> dict:
        """What the cache key needs to know about this calculator."""
        settings = self.settings
        if self.name == "gpaw":
            from sizno.atomistic import dft

            settings = {k: v for k, v in dft.resolve(self.settings).items() if k != "txt"}
        if self.name == "chgnet-ft":
            from sizno.atomistic import finetune

            settings = {**settings, "weights_sha256": finetune.weights_digest()}  # retrained weights: new cache keys
        return {"name": self.name, "label": self.label, "settings": {k: str(v) for k, v in sorted(settings.items())}}

    def describe(self) -> dict:
        """The settings an output states: for DFT mode, basis or cutoff, k-points, smearing, convergence."""
        if self.name == "gpaw":
            from sizno.atomistic import dft

            return dft.describe(self.settings)
        return {"name": self.name, "label": self.label, **{k: str(v) for k, v in sorted(self.settings.items())}}

    def check_elements(self, symbols) -> None:
        """Raise a clear error for elements this calculator cannot treat (EMT's list; GPAW: a PAW setup here)."""
        syms = set(symbols)
        if self.name == "gpaw":
            from sizno.atomistic import dft

            dft.check_setups(syms, self.settings)
        if self.name == "emt" and not syms <= EMT_ELEMENTS:
            raise SiznoInputError("calculator", f"EMT has no parameters for {sorted(syms - EMT_ELEMENTS)}",
                                  ", ".join(sorted(EMT_ELEMENTS)))

    def load(self) -> "CalculatorFactory":
        """Load the model now (otherwise on the first calculator)."""
        if self.name in ML_CALCULATORS:
            _load_model(self.name, self._model_settings())
        return self

    def _model_settings(self) -> dict:
        return {k: v for k, v in self.settings.items() if k in ("model", "device")}

    def new(self):
        """A fresh calculator instance (its own results cache) on the shared model."""
        import warnings

        if self.name in ("chgnet", "chgnet-ft"):
            from chgnet.model.dynamics import CHGNetCalculator

            model = _load_model(self.name, self._model_settings())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return CHGNetCalculator(model=model, use_device=self.settings.get("device", "cpu"))
        if self.name == "sevennet":
            from sevenn.calculator import SevenNetCalculator

            model = _load_model("sevennet", self._model_settings())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return SevenNetCalculator(model=model, file_type="model_instance", device=self.settings.get("device", "cpu"))
        if self.name == "gpaw":
            from sizno.atomistic import dft

            return dft.make_calculator(self.settings, on_scf=self.on_scf)
        module, cls = _ASE_CALCULATORS[self.name]
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            raise SiznoInputError("calculator", f"'{self.name}' needs a package that is not installed ({exc.name})",
                                  "install it, or use chgnet, sevennet, emt") from None
        return getattr(mod, cls)(**self.settings)

    __call__: Callable = new


def get_factory(name: str | None = None, settings: dict | None = None) -> CalculatorFactory:
    return CalculatorFactory(name or DEFAULT_CALCULATOR, dict(settings or {}))


def parse_settings(pairs: list[str] | None) -> dict:
    """`key=value` strings → dict; numbers and true/false are converted."""
    out: dict[str, Any] = {}
    for p in pairs or []:
        if "=" not in p:
            raise SiznoInputError("--calc-setting", f"'{p}' is not key=value", "key=value, e.g. xc=PBE")
        k, v = p.split("=", 1)
        val: Any = v
        if v.lower() in ("true", "false"):
            val = v.lower() == "true"
        else:
            for cast in (int, float):
                try:
                    val = cast(v)
                    break
                except ValueError:
                    pass
        out[k.strip()] = val
    return out
