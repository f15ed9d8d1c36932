"""Cells: geometry, make-up and current basis of half cells (and, later, full cells)."""

from sizno.cell.half_cell import HalfCell, paper_half_cell

__all__ = ["HalfCell", "paper_half_cell"]
