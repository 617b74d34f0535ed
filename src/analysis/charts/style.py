"""The house chart style: seaborn theme, Noto Sans SC from a Python dependency, source lines."""

from __future__ import annotations

from functools import cache

import budoux
import matplotlib
import matplotlib.pyplot as plt
import pylopdf_fonts_zh_cn
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import Formatter

from analysis.meaning.written import number_text

# Charts are drawn for the phone: a 4.8 in figure at 110 dpi is 528 CSS px wide; on a 390 px
# phone (334 px of content) it shows at 0.63x, where 12.5 pt text is still 12 CSS px.
WIDTH, DPI, FONT, TITLE = 4.8, 110, 12.5, 14
# no chart taller than a phone screen and a half (844 CSS px, the height of a common phone)
MAX_HEIGHT = 1.5 * 844 / DPI


class AxisNumbers(Formatter):
    """Tick labels in the book's grouping, in 万 or 亿 when the axis reaches them (8,000万,
    not 80,000,000, whose neighbours would run together): one unit per axis."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        top = max(abs(v) for v in self.axis.get_view_interval())
        for reaches, scale, word in ((10**8, 10**8, "亿"), (10**5, 10**4, "万")):
            if top >= reaches:
                return number_text(x / scale, 2) + (word if x else "")
        return number_text(x, 2)  # 1.5 stays 1.5: a tick is never labelled with a neighbour
# bars of the period's figures: labelled, so one colour for all, which nothing else takes;
# the colours of series and stages (each at least 3:1 against white); other places' grey
FIGURES = "#1f5f8b"
PALETTE = ["#d0661f", "#2e8a5c", "#b8405e", "#7a68a6", "#2b7f86", "#97681a", "#5b6e2c"]
OTHERS = "#8c8c8c"


@cache
def cjk_font_family() -> str:
    """Register Noto Sans SC (shipped by pylopdf-fonts-zh-cn) with matplotlib; its family name."""
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


# Chinese line-breaking rules: no line starts with closing punctuation, none ends with opening
CLOSING = "，。、）》」』】〕］｝；：！？…—%％,.;:!?)]}"
OPENING = "（《「『【〔［｛“‘([{"


@cache
def _phrase_parser() -> budoux.Parser:
    return budoux.load_default_simplified_chinese_parser()


def _width(text: str) -> float:
    """Width in em: a CJK character is about one em wide, Latin letters and digits half."""
    return sum(0.55 if char.isascii() else 1.0 for char in text)


def phrases(text: str) -> list[str]:
    """The text cut where a line may break: between the phrases BudouX finds (its small model
    of Simplified Chinese); a phrase of one character joined to the shorter of its neighbours
    (a word of a label is rarely one character: 最+低, 6月+底); punctuation kept on the side it
    belongs to (closing punctuation never starts a phrase, opening never ends one)."""
    parts = [p for p in _phrase_parser().parse(text) if p]
    words: list[str] = []
    at = 0
    while at < len(parts):
        part, after = parts[at], parts[at + 1] if at + 1 < len(parts) else None
        if len(part) == 1 and not part.isascii() and (words or after):
            if words and (after is None or len(words[-1]) < len(after)):
                words[-1] += part
            else:
                parts[at + 1] = part + after
        else:
            words.append(part)
        at += 1
    joined: list[str] = []
    for part in words:
        if joined and (part[0] in CLOSING or joined[-1][-1] in OPENING):
            joined[-1] += part
        else:
            joined.append(part)
    return joined


def wrap(text: str, chars: int) -> str:
    """Break Chinese text into lines of at most `chars` em, between phrases (`phrases`); a
    phrase longer than a line is broken between characters, never before closing
    punctuation. Line breaks already in the text are kept."""
    return "\n".join(_wrap_line(line, chars) for line in text.split("\n"))


def _wrap_line(text: str, chars: int) -> str:
    lines, line, width = [], "", 0.0
    for part in phrases(text):
        step = _width(part)
        if line and width + step > chars:
            lines.append(line)
            line, width = "", 0.0
        if step <= chars:
            line, width = line + part, width + step
            continue
        for char in part:
            if line and width + _width(char) > chars and char not in CLOSING:
                lines.append(line)
                line, width = "", 0.0
            line, width = line + char, width + _width(char)
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
