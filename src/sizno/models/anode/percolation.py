"""Percolation of the Si sheets' contact network: conduction vanishes below a threshold share of sheets in contact.

A random network of conducting sites conducts as sigma ~ ((p - p_c) / (1 - p_c))^t above its
threshold p_c and not at all below it (Kirkpatrick, Rev. Mod. Phys. 45 (1973) 574; Stauffer &
Aharony, Introduction to Percolation Theory, 2nd ed. 1994: t ~ 2.0 in three dimensions). Here p is
the share of the Si still in contact (not cracked off: 1 - isolated/amorphous), the sites are the
sheets, and p_c follows from the Scher–Zallen invariant (J. Chem. Phys. 52 (1970) 3759): the
critical *volume* fraction of conducting sites, f p_c ~ 0.16, nearly the same for every packing of
filling factor f (dense-anode.toml gives the value and sensitivity-ranges.toml its range).

The corner at p = p_c is smoothed (a corner slows IDA ~10x, see `functions.smooth_abs`); far above
the threshold the form is the exact power law, and with p_c = 0, t = Bruggeman's 1.5 it is the
model's earlier (1 - isolated/amorphous)^1.5.
"""

from __future__ import annotations

from sizno.models.anode.functions import positive_power, smooth_abs

THRESHOLD_SMOOTHING = 0.01  # width of the smoothed corner, in units of the normalised excess (p - p_c)/(1 - p_c)


def smooth_excess(p, p_c, width: float = THRESHOLD_SMOOTHING):
    """max((p - p_c) / (1 - p_c), 0), smoothed over `width` around the threshold (never negative)."""
    d = (p - p_c) / (1 - p_c)
    return (d + smooth_abs(d, width)) / 2


def network_conductance_factor(p, p_c, t, width: float = THRESHOLD_SMOOTHING):
    """Conductivity of the sheets' contact network relative to all sheets in contact: ((p - p_c)/(1 - p_c))^t
    above the threshold, vanishing (smoothly) below it. p, p_c: shares of sheets [-]; t: exponent [-]."""
    return positive_power(smooth_excess(p, p_c, width), t)  # the smoothed excess is always > 0
