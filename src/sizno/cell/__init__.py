"""Cells: geometry, make-up and current basis of half cells and full cells."""

from sizno.cell.full_cell import FullCell, paper_full_cell
from sizno.cell.half_cell import HalfCell, paper_half_cell

__all__ = ["FullCell", "HalfCell", "paper_full_cell", "paper_half_cell"]
