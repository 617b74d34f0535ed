"""The house chart style: seaborn theme, Noto Sans SC from a Python dependency, source lines."""

from __future__ import annotations

from functools import cache

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter

from analysis.meaning.written import number_text

# Charts are drawn for the phone: a 4.8 in figure at 110 dpi is 528 CSS px wide; on a 390 px
# phone (334 px of content) it shows at 0.63x, where 11.5 pt text is still 11 CSS px.
WIDTH, DPI, FONT, TITLE = 4.8, 110, 11.5, 13
THOUSANDS = FuncFormatter(lambda x, _pos: number_text(x, 0))  # the book's grouping
# series colours (each at least 3:1 against white), then the grey of other places' figures
PALETTE = ["#1f5f8b", "#d0661f", "#2e8a5c", "#b8405e", "#7a68a6", "#2b7f86", "#97681a",
           "#5b6e2c"]
FIGURES = PALETTE[0]  # bars of the period's figures: labelled, so one colour for all
OTHERS = "#8c8c8c"


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
        "figure.figsize": (WIDTH, 3.6),
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.titlesize": FONT,
        "axes.titleweight": "normal",
        "axes.labelsize": FONT,
        "xtick.labelsize": FONT,
        "ytick.labelsize": FONT,
        "legend.fontsize": FONT,
        "font.size": FONT,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })


def wrap(text: str, chars: int) -> str:
    """Break Chinese text into lines of at most `chars` characters (a CJK character is
    about one em wide; Latin letters and digits count half)."""
    lines, line, width = [], "", 0.0
    for char in text:
        step = 0.55 if char.isascii() else 1.0
        if width + step > chars and line:
            lines.append(line)
            line, width = "", 0.0
        line += char
        width += step
    return "\n".join([*lines, line])


def title(fig: plt.Figure, text: str) -> None:
    """The chart's title, left-aligned above all panels, wrapped to the image's width."""
    chars = int(fig.get_figwidth() * 72 / TITLE) - 1
    fig.suptitle(wrap(text, chars), x=0.02, ha="left", fontsize=TITLE)


def panel_title(ax, text: str) -> None:
    """A panel's title, wrapped to the width right of the bar labels (about half the
    image's)."""
    chars = int(0.5 * ax.figure.get_figwidth() * 72 / FONT)
    ax.set_title(wrap(text, chars), loc="left", fontsize=FONT)


def label_lines(labels, chars: int = 9) -> list[str]:
    """Category labels of a bar chart, wrapped so the bars keep their room; a bracketed
    qualifier (2020年6月调整) starts a line of its own rather than breaking inside."""
    out = []
    for label in map(str, labels):
        head, bracket, tail = label.partition("（")
        if bracket and head and len(wrap(label, chars).splitlines()) > 1:
            out.append(wrap(head, chars) + "\n" + wrap(bracket + tail, chars))
        else:
            out.append(wrap(label, chars))
    return out


def new_panels(rows: int, width: float = WIDTH, height: float = 3.6):
    """A figure in the house style with `rows` stacked axes (always a list)."""
    use_house_style()
    fig, axes = plt.subplots(rows, 1, figsize=(width, height), squeeze=False,
                             layout="constrained")
    return fig, list(axes[:, 0])


def new_figure(width: float = WIDTH, height: float = 3.6):
    """A figure in the house style with one axes."""
    fig, [ax] = new_panels(1, width, height)
    return fig, ax
