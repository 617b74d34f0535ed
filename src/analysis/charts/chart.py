"""A published chart: the figure, its numbers, its source line and its alt text."""

from __future__ import annotations

import base64
import io
import re
import warnings
from dataclasses import dataclass
from urllib.parse import quote

import matplotlib.pyplot as plt
import pandas as pd
from PIL import Image

from analysis.escape import csv_cell, html_text
from analysis.meaning.semantics import section_cell
from analysis.meaning.written import reader_cell

_MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font")


CODE_COLUMNS = ("indicator",)  # for programs: figures.csv has them, the Chinese CSV not


def _csv_value(value: object) -> object:
    """A cell of the Chinese CSV as the page shows it: text made safe, dates in Chinese
    (2020年6月), 630.0 written 630, at most two decimals (316.67), no thousands separators
    (the file is read by programs too; the exact values are in figures.csv)."""
    if isinstance(value, str):
        return csv_cell(reader_cell(value))
    if isinstance(value, float):
        return "" if value != value else f"{round(value, 2):.15g}"  # NaN: empty; 630.0: 630
    return value


class ChartTextError(ValueError):
    """A chart's text holds characters the book's font cannot draw."""


@dataclass
class Chart:
    """What a notebook shows for a chart: image with alt text, and the same numbers as a table."""

    fig: plt.Figure
    data: pd.DataFrame
    title: str
    source: str
    alt: str

    def png(self) -> bytes:
        """The image at twice the CSS pixels (sharp text on high-density screens), reduced to
        64 colours: a flat chart looks the same at a third of the bytes, which keeps a page
        of charts under 1 MB."""
        dpi = 2 * self.fig.dpi
        buffer = io.BytesIO()
        self._draw(buffer, format="rgba", dpi=dpi)  # raw pixels: no PNG round trip
        width, height = (int(x) for x in self.fig.get_size_inches() * dpi)
        pixels = buffer.getvalue()
        if len(pixels) == width * height * 4:
            image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1)
        else:  # the size computed differently: decode a PNG instead
            buffer = io.BytesIO()
            self._draw(buffer, format="png", dpi=dpi)
            image = Image.open(buffer)
        image = image.convert("RGB").quantize(
            colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    def _draw(self, buffer: io.BytesIO, **options) -> None:
        """savefig, its warnings kept off the page (a warning's text names a file of this
        machine); a character the font cannot draw (an emoji, a line separator) is a
        `ChartTextError` naming it, rather than a box in the image."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.fig.savefig(buffer, **options)
        missing = sorted({chr(int(m[1])) for w in caught
                          if (m := _MISSING_GLYPH.search(str(w.message)))})
        if missing:
            chars = "、".join(f"U+{ord(c):04X}" + (f" {c}" if c.isprintable() else "")
                             for c in missing)
            raise ChartTextError(
                f"the chart “{self.title}” holds characters the book's font cannot draw "
                f"({chars}): remove them from the labels and titles of the data "
                "(data/catalogue/indicators.csv, the period's source.yml) and import again")

    def csv(self) -> str:
        """The chart's numbers as CSV for Excel (byte-order mark, Chinese headers, no code
        columns, whole numbers without a decimal .0, formula-like cells neutralised)."""
        frame = self.data.drop(columns=[c for c in self.data.columns if c in CODE_COLUMNS])
        if "章节" in frame:
            frame = frame.assign(章节=frame["章节"].map(section_cell))
        frame = pd.DataFrame({c: [_csv_value(v) for v in frame[c]] for c in frame.columns},
                             dtype=object)
        return "\ufeff" + frame.to_csv(index=False, lineterminator="\r\n")

    def html(self, citation: str = "", number: str = "") -> str:
        """An <img> with alt text; a caption with the exhibit's number (图1), the title, the
        source (said once, in a regular-weight CJK font), how to cite it (the book and the
        number: neither title nor source again) and downloads of the chart's data (CSV) and
        image (PNG). The figure is closed once rendered."""
        data = base64.b64encode(self.png()).decode("ascii")
        width = round(self.fig.get_figwidth() * self.fig.dpi)  # CSS pixels
        plt.close(self.fig)
        name = html_text(re.sub(r"[\\/:*?\"<>|\s]+", "_", self.title)[:60])
        table = quote(self.csv())
        cite = f'<span class="chart-cite">引用：{html_text(citation)}</span>' if citation else ""
        return (
            f'<figure class="policy-chart"><img src="data:image/png;base64,{data}" width="{width}" '
            f'alt="{html_text(self.alt)}" style="max-width:100%;height:auto">'
            f"<figcaption>{self._numbered(number)}。来源：{html_text(self.source)}。{cite}"
            f'<span class="chart-downloads"><a download="{name}.csv" '
            f'href="data:text/csv;charset=utf-8,{table}">下载图中数据（CSV）</a> '
            f'<a class="download-png" download="{name}.png" href="#">下载图片（PNG）</a>'
            "</span></figcaption></figure>"
        )

    def _numbered(self, number: str) -> str:
        if not number:
            return html_text(self.title)
        return f'<span class="exhibit-number">{html_text(number)}</span>　{html_text(self.title)}'

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"Chart({self.title!r})"
