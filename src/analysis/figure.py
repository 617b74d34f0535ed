"""A published chart: the figure, its numbers, its source line and its alt text."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

from analysis.escape import html_text


@dataclass
class Chart:
    """What a notebook shows for a chart: image with alt text, and the same numbers as a table."""

    fig: plt.Figure
    data: pd.DataFrame
    title: str
    source: str
    alt: str

    def png(self) -> bytes:
        buffer = io.BytesIO()
        # twice the CSS pixels, for sharp text on high-density screens
        self.fig.savefig(buffer, format="png", dpi=2 * self.fig.dpi, metadata={"Software": None})
        return buffer.getvalue()

    def html(self) -> str:
        """An <img> with alt text and a caption; the figure is closed once rendered."""
        data = base64.b64encode(self.png()).decode("ascii")
        width = round(self.fig.get_figwidth() * self.fig.dpi)  # CSS pixels
        plt.close(self.fig)
        return (
            f'<figure class="policy-chart"><img src="data:image/png;base64,{data}" width="{width}" '
            f'alt="{html_text(self.alt)}" style="max-width:100%;height:auto">'
            f"<figcaption>{html_text(self.title)}。来源：{html_text(self.source)}"
            "</figcaption></figure>"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"Chart({self.title!r})"
