"""The one list of the anode model's x-averaged states: result column -> model variable name.

The model (`sizno.models.anode.variables`) names its x-averaged variables from it, the runner records
them under these columns, and the cycle tables, the ex-situ phase balance and the impedance read them
back. Data-free, so every layer may import it.
"""

from __future__ import annotations

# column (time series and cycle table) -> the model's x-averaged variable; in this order everywhere
STATE_COLUMNS: dict[str, str] = {
    "amorphous_fraction": "X-averaged amorphous fraction [-]",
    "mobile_lithium_fraction": "X-averaged mobile lithium [-]",
    "trapped_lithium_fraction": "X-averaged trapped lithium [-]",
    "isolated_si_fraction": "X-averaged isolated Si fraction [-]",
    "isolated_lithium_fraction": "X-averaged isolated lithium [-]",
    "zno_conversion": "X-averaged ZnO conversion [-]",
    "lizn_fraction": "X-averaged LiZn fraction [-]",
}
STATE_NAMES: tuple[str, ...] = tuple(STATE_COLUMNS)
