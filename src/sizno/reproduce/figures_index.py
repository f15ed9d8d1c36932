"""What each figure of `sizno reproduce` shows: its report section and its alt text.

One entry per figure file name (a regular expression); the alt text says what the figure shows
and what of the paper is marked on it. A figure without an entry still appears (section 'other')
with a generic alt text, and the report says it is undescribed.
"""

from __future__ import annotations

import re
from typing import Callable

_MAT = {"si": "pure Si", "si_zno2": "Si–ZnO2", "si_zno4": "Si–ZnO4", "si_zno8": "Si–ZnO8"}

_Alt = Callable[[re.Match], str]

FIGURES: tuple[tuple[str, str, _Alt], ...] = (
    (r"composition\.png", "composition", lambda m: (
        "Left: ZnO content of Si, Si–ZnO2, Si–ZnO4 and Si–ZnO8 computed from the synthesis recipe (solid bars: zinc "
        "acetate dihydrate as used; hatched: if it were anhydrous), with the paper's Si–ZnO4 values (stated, XPS, EDS) "
        "as horizontal lines. Right: the theoretical capacity each composition implies, split into Si alloying, "
        "irreversible ZnO conversion and reversible Zn to LiZn alloying.")),
    (r"first_cycle\.png", "first-cycle", lambda m: (
        "Potential versus specific capacity of the first lithiation (solid) and delithiation (dashed) at 0.1 A/g "
        "for pure Si and Si–ZnO4, at 60 °C (left) beside 25 °C (right); the paper's Si–ZnO4 first lithiation and "
        "delithiation capacities at 60 °C are dotted vertical lines.")),
    (r"dqdv_first_cycle\.png", "first-cycle", lambda m: (
        "Differential capacity dQ/dV of the first cycle at 0.1 A/g and 60 °C for pure Si and Si–ZnO4: delithiation "
        "peaks in the upper panel (dashed, light), lithiation below zero in the lower panel (solid, dark); a single-bin "
        "spike beyond the axis is marked with an arrow and its value.")),
    (r"rate_capability\.png", "rate", lambda m: (
        "Reversible capacity versus specific current (A/g, log axis) in the rate test: Si, Si–ZnO2, Si–ZnO4 and "
        "Si–ZnO8 at 60 °C (left), Si and Si–ZnO4 at 25 °C (right); the paper's values are open stars (calibration) "
        "and open diamonds (validation) in each material's colour.")),
    (r"cycling_capacity_ce\.png", "long-cycling", lambda m: (
        "Long cycling. Left: half cells at 0.8 A/g and 60 °C, delithiation capacity of Si–ZnO4 and pure Si per cycle, "
        "with the paper's Si–ZnO4 end point (star, 1554 mAh/g after 200 cycles) and pure Si's reported decay cycle "
        "(dotted line). Right: full cells at 0.5C and 25 °C, retention against the first 0.5C cycle at normal and "
        "15 mg/cm2 loading, with the paper's end points (stars). Coulombic efficiency below each.")),
    (r"thickness_first_cycle\.png", "thickness", lambda m: (
        "Electrode thickness over the first cycle at 0.1 A/g for Si–ZnO4 and pure Si versus time, with the paper's "
        "lithiated and delithiated Si–ZnO4 thicknesses and pure Si's expansion as horizontal lines.")),
    (r"thickness_cycles\.png", "thickness", lambda m: (
        "Electrode thickness after each lithiation (solid) and delithiation (dashed) over long cycling at 0.8 A/g, "
        "Si–ZnO4 and pure Si half cells (22 µm pristine).")),
    (r"full_cell_rate\.png", "full-cells", lambda m: (
        "Full-cell discharge capacity per g NCM811 versus C-rate (log axis) at 25 °C for Si–ZnO4 and pure Si anodes "
        "and the 15 mg/cm2 Si–ZnO4 cell; model as filled circles joined by lines, the paper's values as open squares.")),
    (r"full_cell_first_cycles\.png", "full-cells", lambda m: (
        "Full-cell voltage versus capacity per g NCM811 of the first cycles at 0.1C, Si–ZnO4 anode, 25 °C, with the "
        "paper's first discharge capacity as a dotted vertical line.")),
    (r"full_cell_cycling_voltage\.png", "full-cells", lambda m: (
        "Full-cell voltage versus capacity per g NCM811 at selected cycles of the 0.5C cycling test, Si–ZnO4 anode, 25 °C.")),
    (r"fig4_(\w+?)_(lithiation|delithiation)_cycle(\d+)_nyquist_drt\.png", "impedance", lambda m: (
        f"Model impedance of {_MAT.get(m[1], m[1])} along the {m[2]} of cycle {m[3]} at 0.2 A/g: Nyquist plots (left), "
        "distribution of relaxation times with the paper's three time-constant windows shaded (middle), and the "
        "resistance of each process versus progress (right).")),
    (r"fig4_(\w+?)_(lithiation|delithiation)_cycle(\d+)_drt_map\.png", "impedance", lambda m: (
        f"Left: contour map of the distribution of relaxation times of {_MAT.get(m[1], m[1])} versus relaxation time "
        f"and progress of the {m[2]} of cycle {m[3]} (Fig. 4 analogue); right: the resistance assigned to each "
        "process (SEI, charge transfer, unassigned, high-frequency) versus progress.")),
    (r"fig1b_xrd_pristine\.png", "structure", lambda m: (
        "Virtual Cu K-alpha XRD patterns of pristine Si, Si–ZnO8, Si–ZnO4 and Si–ZnO2 (Fig. 1b analogue), with the "
        "paper's Si and ZnO peak positions marked.")),
    (r"fig3a_xrd_exsitu\.png", "structure", lambda m: (
        "Virtual ex-situ XRD patterns of Si–ZnO4 pristine, lithiated and delithiated with phase fractions from the "
        "half-cell model (Fig. 3a analogue), with the paper's Li13Si4 and Zn (101) peak positions marked.")),
    (r"dft_li_(si111|along_channel|across_channel)_profile\.png", "atomistics", lambda m: (
        "Energy along the nudged-elastic-band path of a Li atom "
        + {"si111": "on the Si(111) surface", "along_channel": "along the Si/ZnO interface channel",
           "across_channel": "across the Si/ZnO interface channel into the ZnO"}[m[1]]
        + " (universal interatomic potential), with the barrier marked.")),
)


def figure_info(name: str) -> tuple[str, str, bool]:
    """(report section, alt text, described) of a figure file name."""
    for pattern, section, alt in FIGURES:
        m = re.fullmatch(pattern, name)
        if m:
            return section, alt(m), True
    return "other", f"Figure {name} written by sizno reproduce (no description registered).", False
