"""Comparators from data/reference/: other cities, Anhui, China, earlier Lu'an, with reliability."""

from __future__ import annotations

import pandas as pd

from analysis.dataset.csvio import read_csv
from analysis.dataset.project import Project

RELIABILITY_ZH = {
    "official_notice": "政府公告",
    "news_report": "新闻报道",
    "repost_or_mirror": "转载或镜像",
}


# what a book sets beside its own figures: a repost or mirror of a notice is provenance too
# weak to print beside a bureau's report
SHOWN_RELIABILITY = ("official_notice", "news_report")
COMPARATOR_FILES = ("comparators.csv", "sources.csv")  # in data/reference/


NATIONAL = "100000"  # GB/T 2260: the whole country


def load_comparators(project: Project) -> pd.DataFrame:
    """comparators.csv joined with its sources' url and reliability (Chinese label added)."""
    comparators, sources = (read_csv(project.reference / name) for name in COMPARATOR_FILES)
    frame = comparators.merge(
        sources[["source_id", "url", "publisher", "reliability"]], on="source_id", how="left"
    )
    frame["reliability_zh"] = frame["reliability"].map(RELIABILITY_ZH)
    frame["value_monthly_yuan"] = pd.to_numeric(frame["value_monthly_yuan"], errors="coerce")
    return frame
