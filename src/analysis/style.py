"""The house chart style: seaborn theme, Noto Sans SC from a Python dependency, source lines."""

from __future__ import annotations

from functools import cache

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter

THOUSANDS = FuncFormatter(lambda x, _pos: f"{x:,.0f}")
PALETTE = ["#1f5f8b", "#e07b39", "#3a9d6b", "#b8405e", "#7a68a6", "#8c8c8c"]


@cache
def cjk_font_family() -> str:
    """Register Noto Sans SC (shipped by pylopdf-fonts-zh-cn) with matplotlib; its family name."""
    import pylopdf_fonts_zh_cn

    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def use_house_style() -> None:
    """Apply the theme, then the CJK font (seaborn's theme resets the font list)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    family = cjk_font_family()
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        # text from data ($ in a source title) is drawn as written, never parsed as math
        "text.parse_math": False,
        "text.usetex": False,
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 110,
        "savefig.dpi": 110,
        "axes.titlesize": 14,
        "axes.titleweight": "normal",
        "axes.labelsize": 12,
        "xtick.labelsize": 11.5,
        "ytick.labelsize": 11.5,
        "legend.fontsize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })


def source_line(fig: plt.Figure, text: str) -> None:
    """Write the source under the chart, left-aligned, small and grey."""
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.text(0.01, 0.01, f"来源:{text}", ha="left", va="bottom", fontsize=9.5, color="#555555")


def new_panels(rows: int, width: float = 6.4, height: float = 4.0):
    """A figure in the house style with `rows` stacked axes (always a list)."""
    use_house_style()
    fig, axes = plt.subplots(rows, 1, figsize=(width, height), squeeze=False)
    return fig, list(axes[:, 0])


def new_figure(width: float = 6.4, height: float = 4.0):
    """A figure in the house style with one axes."""
    fig, [ax] = new_panels(1, width, height)
    return fig, ax
