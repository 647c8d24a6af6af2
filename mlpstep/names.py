"""How parameters are named: as the seed notebook (columns layout) or PyTorch (rows) name them."""


def weight_name(l: int) -> str:
    return f"W{l}"


def bias_name(l: int, layout: str) -> str:
    """``w10`` in the columns layout (MIT 6.390), ``b1`` in rows (PyTorch)."""
    return f"w{l}0" if layout == "columns" else f"b{l}"
