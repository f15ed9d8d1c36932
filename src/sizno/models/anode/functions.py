"""Smooth building blocks of the anode's equations (PyBaMM expressions)."""

from __future__ import annotations

import pybamm


def smooth_abs(x, eps: float = 1e-8):
    """|x|, smoothed below eps (rates here are ~1e-6–1e-2 per s; a sharper corner slows IDA 10x)."""
    return pybamm.sqrt(x**2 + eps**2)


def one_way(drive):
    """Net rate factor of an irreversible reaction: exp(drive) - 1 above equilibrium, else 0 (smooth)."""
    a = pybamm.exp(drive) - 1
    return (a + pybamm.sqrt(a**2 + 1e-6)) / 2


def positive_power(x, p):
    """x**p for x > 0, as exp(p ln x): exp and log cost less than pow(), and the derivative reuses the value."""
    return pybamm.exp(p * pybamm.log(x))


def log_interp(lo, hi, w):
    """exp((1 - w) ln lo + w ln hi): Lichtenecker (logarithmic) mixing."""
    return pybamm.exp((1 - w) * pybamm.log(lo) + w * pybamm.log(hi))


def layer_mean(x, depth):
    """v -> the mean of v over 0 <= x <= depth (smooth edge of depth/5, so the mean converges with the mesh)."""
    weight = 1 / (1 + pybamm.exp((x - depth) / (0.2 * depth)))
    norm = pybamm.Integral(weight, x)
    return lambda v: pybamm.Integral(v * weight, x) / norm
