"""DFT through GPAW (PBE, PAW): the settings presets, where the PAW setups come from, a calculator with progress.

Presets (``--calc-setting preset=...``; any key below can be overridden one by one):

- ``lcao`` (default; relaxations, NEB images, the cross-check): LCAO with GPAW's dzp basis (double zeta +
  polarization, the basis GPAW recommends for LCAO production runs), real-space grid h = 0.2 A.
- ``pw``: plane waves, 400 eV cutoff (single points where affordable; the paper's VASP run used 520 eV).
- ``test``: LCAO szp, h = 0.3 A, Gamma only, loose convergence: for tests on 2-atom cells, never results.

Every preset: PBE (the paper's functional), spin-paired, Fermi-Dirac smearing 0.1 eV (GPAW's default
width for periodic systems), k-points 2x2x1 (Monkhorst-Pack; slabs are periodic in-plane, the third axis
is the vacuum), SCF to 5e-4 eV/valence electron and density 1e-4 (GPAW's defaults), no dipole correction.
The PAW setups must be on this machine: GPAW_SETUP_PATH if set, else the `gpaw-data` wheel
(`pip install gpaw-data`), else Debian's `gpaw-data` package (/usr/share/gpaw-setups). Nothing downloads.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

from sizno.errors import SiznoInputError

DEBIAN_SETUP_PATH = "/usr/share/gpaw-setups"  # Debian package gpaw-data (bookworm: 0.9.20000)

_COMMON: dict[str, Any] = {
    "xc": "PBE",
    "kpts": (2, 2, 1),
    "smearing_eV": 0.1,
    "conv_energy_eV": 5e-4,   # per valence electron (GPAW default)
    "conv_density": 1e-4,     # GPAW default
    "spinpol": False,
    "maxiter": 333,           # GPAW default
}
PRESETS: dict[str, dict[str, Any]] = {
    "lcao": {**_COMMON, "mode": "lcao", "basis": "dzp", "h_A": 0.2},
    "pw": {**_COMMON, "mode": "pw", "ecut_eV": 400.0},
    "test": {**_COMMON, "mode": "lcao", "basis": "szp(dzp)", "h_A": 0.3, "kpts": (1, 1, 1), "conv_energy_eV": 1e-3,
             "conv_density": 1e-3},
}
KNOWN_KEYS = frozenset(set(PRESETS["lcao"]) | set(PRESETS["pw"]) | {"preset", "txt"})


def gpaw_missing() -> str | None:
    """Why GPAW cannot run here (a sentence), or None when it can."""
    try:
        import gpaw  # noqa: F401
    except ImportError as exc:
        return f"GPAW is not installed ({exc.name}); see README 'DFT with GPAW' (make venv-dft)"
    if setup_paths() == []:
        return "no PAW setups on this machine: install gpaw-data (pip) or Debian's gpaw-data, or set GPAW_SETUP_PATH"
    return None


def setup_paths() -> list[str]:
    """Local folders of PAW setups: $GPAW_SETUP_PATH (':'-separated), else the gpaw-data wheel, else Debian's."""
    env = os.environ.get("GPAW_SETUP_PATH")
    if env:
        return [p for p in env.split(":") if p and Path(p).is_dir()]
    try:
        import gpaw_data

        p = Path(gpaw_data.datapath())
        if p.is_dir():
            return [str(p)]
    except ImportError:
        pass
    return [DEBIAN_SETUP_PATH] if Path(DEBIAN_SETUP_PATH).is_dir() else []


def _kpts(v) -> tuple[int, int, int]:
    if isinstance(v, (tuple, list)) and len(v) == 3:
        out = tuple(int(x) for x in v)
    elif isinstance(v, int):
        out = (v, v, 1)
    else:
        parts = str(v).lower().replace(",", "x").split("x")
        try:
            out = tuple(int(x) for x in parts)
        except ValueError:
            out = ()
        if len(out) == 1:
            out = (out[0], out[0], 1)
    if len(out) != 3 or min(out) < 1:
        raise SiznoInputError("kpts", f"'{v}' is not a k-point mesh", "NxMxL with integers >= 1, e.g. 2x2x1, or N (NxNx1)")
    return out  # type: ignore[return-value]


def resolve(settings: dict | None) -> dict[str, Any]:
    """The full settings: the preset (default lcao) with the given keys replacing its values."""
    s = dict(settings or {})
    name = str(s.pop("preset", "lcao"))
    if name not in PRESETS:
        raise SiznoInputError("preset", f"unknown GPAW preset '{name}'", ", ".join(PRESETS))
    unknown = set(s) - KNOWN_KEYS
    if unknown:
        raise SiznoInputError("--calc-setting", f"unknown GPAW setting(s) {sorted(unknown)}", ", ".join(sorted(KNOWN_KEYS)))
    out = {"preset": name, **PRESETS[name], **s}
    out["kpts"] = _kpts(out["kpts"])
    if out["mode"] not in ("lcao", "pw"):
        raise SiznoInputError("mode", f"'{out['mode']}'", "lcao, pw")
    for k, lo, hi in (("h_A", 0.08, 0.4), ("ecut_eV", 150.0, 1500.0), ("smearing_eV", 0.0, 1.0)):
        if k in out and not lo <= float(out[k]) <= hi:
            raise SiznoInputError(k, f"{out[k]}", f"{lo} to {hi}")
    return out


def describe(settings: dict | None) -> dict[str, Any]:
    """What the output states about a GPAW run: code, version, functional, mode, basis or cutoff, k-points,
    smearing, convergence, setups."""
    from importlib.metadata import PackageNotFoundError, version

    s = resolve(settings)
    try:
        v = version("gpaw")
    except PackageNotFoundError:
        v = "not installed"
    try:
        dv = version("gpaw-data")
    except PackageNotFoundError:
        dv = "Debian gpaw-data" if Path(DEBIAN_SETUP_PATH).is_dir() else "?"
    d = {"code": f"GPAW {v}", "xc": s["xc"], "mode": s["mode"], "preset": s["preset"],
         "kpts": list(s["kpts"]), "kpts_kind": "Monkhorst-Pack", "smearing": f"Fermi-Dirac {s['smearing_eV']} eV",
         "convergence": {"energy_eV_per_electron": s["conv_energy_eV"], "density": s["conv_density"]},
         "spin_polarized": bool(s["spinpol"]), "setups": f"PAW (gpaw-data {dv})", "dipole_correction": False}
    if s["mode"] == "lcao":
        d.update({"basis": s["basis"], "grid_spacing_A": s["h_A"]})
    else:
        d["cutoff_eV"] = s["ecut_eV"]
    return d


def label(settings: dict | None) -> str:
    d = describe(settings)
    basis = f"LCAO {d['basis']} h {d['grid_spacing_A']} A" if d["mode"] == "lcao" else f"PW {d['cutoff_eV']:g} eV"
    k = "x".join(str(x) for x in d["kpts"])
    return f"{d['code']} {d['xc']} {basis}, k {k}, {d['smearing']}"


def make_calculator(settings: dict | None, on_scf: Callable[[int, float], None] | None = None):
    """A GPAW calculator with the resolved settings; on_scf(iteration, seconds) after each SCF iteration."""
    why = gpaw_missing()
    if why:
        raise SiznoInputError("calculator", why, "install GPAW (see README), or use chgnet, sevennet, emt")
    s = resolve(settings)
    from gpaw import GPAW, PW

    if "GPAW_SETUP_PATH" not in os.environ:
        from gpaw import setup_paths as gpaw_paths

        for p in setup_paths():
            if Path(p) not in [Path(q) for q in gpaw_paths]:
                gpaw_paths.insert(0, p)
    kw: dict[str, Any] = {
        "xc": s["xc"], "kpts": {"size": s["kpts"], "gamma": False},
        "occupations": {"name": "fermi-dirac", "width": float(s["smearing_eV"])},
        "convergence": {"energy": float(s["conv_energy_eV"]), "density": float(s["conv_density"])},
        "spinpol": bool(s["spinpol"]), "maxiter": int(s["maxiter"]), "txt": s.get("txt"),
    }
    if s["mode"] == "lcao":
        kw.update({"mode": "lcao", "basis": s["basis"], "h": float(s["h_A"])})
    else:
        kw["mode"] = PW(float(s["ecut_eV"]))
    calc = GPAW(**kw)
    if on_scf is not None:
        t0 = time.perf_counter()
        it = [0]

        def _obs(ctx=None):
            it[0] += 1
            on_scf(int(getattr(ctx, "niter", it[0])), time.perf_counter() - t0)

        if hasattr(calc, "hooks"):  # GPAW >= 24's new calculator
            calc.hooks["scf_step"] = _obs
        else:  # pragma: no cover - the legacy calculator
            calc.attach(_obs, 1)
    return calc


def check_setups(symbols, settings: dict | None = None) -> None:
    """Raise a one-line error when an element has no local PAW setup (or, in LCAO, no basis file) for the
    settings' functional; a missing GPAW raises its own reason."""
    why = gpaw_missing()
    if why:
        raise SiznoInputError("calculator", why, "install GPAW (see README), or use chgnet, sevennet, emt")
    s = resolve(settings)
    folders = [Path(p) for p in setup_paths()]

    def has(name: str) -> bool:
        return any((f / name).is_file() or (f / f"{name}.gz").is_file() for f in folders)

    basis = str(s.get("basis", ""))
    basis_file = basis[basis.find("(") + 1:-1] if "(" in basis else basis
    missing = [x for x in sorted(set(symbols)) if not has(f"{x}.{s['xc']}")
               or (s["mode"] == "lcao" and not has(f"{x}.{basis_file}.basis"))]
    if missing:
        raise SiznoInputError("calculator", f"no local GPAW {s['xc']} setup{' or ' + basis_file + ' basis' if s['mode'] == 'lcao' else ''} "
                              f"for {missing} in {', '.join(map(str, folders))}", "elements of gpaw-data")
