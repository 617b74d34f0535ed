"""The checks file (data/catalogue/checks.yml): read and validated against its schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from analysis.dataset.comparators import RELIABILITY_ZH
from analysis.dataset.config import is_factor
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError
from analysis.language import _

# the references each kind of check needs (a list for `parts`), and its other required keys
REFS = {
    "sum": ("total", "parts"),
    "share": ("share", "numerator", "denominator"),
    "subset": ("part", "whole"),
    "monthly_average_below": ("amount", "recipients", "standard"),
    "ratio_at_least": ("left", "right"),
}
OTHER_KEYS = {"ratio_at_least": ("factor",)}
OPTIONAL = ("note", "basis", "source", "reliability", "applies_from", "applies_to",
            "assumes")



def load_checks(path: Path, catalogue=None, config=None) -> list[dict]:
    """Read checks.yml and validate it against its schema: every check has id, kind and
    titles, the references its kind needs (each naming an indicator of the catalogue and,
    optionally, a place of geo.csv), and a factor that is a positive number or the name of a
    policy factor of data/project.yml."""
    file = str(path)
    checks = load_yaml(path) or []
    if not isinstance(checks, list):
        raise UserError(
            Problem(file, _("must be a list of checks"), _("start each check with '- id:'"))
        )
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, check in enumerate(checks, start=1):
        problems += _check_problems(check, n, file, seen, catalogue, config)
    if problems:
        raise UserError(problems)
    return checks


def _check_problems(check, n: int, file: str, seen: set[str], catalogue, config) -> list[Problem]:
    if not isinstance(check, dict):
        return [
            Problem(file, _("check #{n} is not a mapping").format(n=n), _("write key: value lines"))
        ]
    name = f"check #{n}" + (f" ({check['id']})" if isinstance(check.get("id"), str) else "")
    problems = [
        Problem(
            file,
            _("{name} has no {key!r}").format(name=name, key=key),
            _("give every check {key}").format(key=key),
        )
        for key in ("id", "kind", "title_zh", "title_en")
        if not isinstance(check.get(key), str) or not check[key].strip()
    ]
    if check.get("id") in seen:
        problems.append(
            Problem(
                file, _("{name}: id used twice").format(name=name), _("give each check its own id")
            )
        )
    seen.add(check.get("id"))
    kind = check.get("kind")
    if kind not in REFS:
        return problems + [
            Problem(
                file,
                _("{name}: unknown kind {kind!r}").format(name=name, kind=kind),
                _("use one of {refs}").format(refs=", ".join(REFS)),
            )
        ]
    known = (
        set(REFS[kind])
        | set(OTHER_KEYS.get(kind, ()))
        | {"id", "kind", "title_zh", "title_en", *OPTIONAL}
    )
    problems += [
        Problem(
            file,
            _("{name}: unknown key {key!r}").format(name=name, key=key),
            _("use only {known}").format(known=", ".join(sorted(known))),
        )
        for key in check
        if key not in known
    ]
    indicators = set(catalogue.indicators["id"]) if catalogue is not None else None
    places = set(catalogue.geo["code"]) if catalogue is not None else None
    for key in REFS[kind]:
        refs = check.get(key)
        if key == "parts":
            if not isinstance(refs, list) or not refs:
                problems.append(
                    Problem(
                        file,
                        _("{name}: 'parts' must be a list of references").format(name=name),
                        _("list {indicator: id} entries"),
                    )
                )
                continue
        else:
            refs = [refs]
        for ref in refs:
            if not isinstance(ref, dict) or not isinstance(ref.get("indicator"), str):
                problems.append(
                    Problem(
                        file,
                        _("{name}: {key!r} must be {{indicator: id}}").format(name=name, key=key),
                        _("name the indicator of the catalogue"),
                    )
                )
            elif indicators is not None and ref["indicator"] not in indicators:
                problems.append(
                    Problem(
                        file,
                        _("{name}: {key} names unknown indicator {indicator!r}").format(
                            name=name, key=key, indicator=ref["indicator"]
                        ),
                        _("use an id of indicators.csv"),
                    )
                )
            elif places is not None and "geo" in ref and str(ref["geo"]) not in places:
                problems.append(
                    Problem(
                        file,
                        _("{name}: {key} names unknown place {geo!r}").format(
                            name=name, key=key, geo=ref["geo"]
                        ),
                        _("use a code of geo.csv"),
                    )
                )
    if "applies_from" in check:
        try:
            date.fromisoformat(str(check["applies_from"]))
        except ValueError:
            problems.append(
                Problem(
                    file,
                    _("{name}: applies_from {applies_from!r} is not a date").format(
                        name=name, applies_from=check["applies_from"]
                    ),
                    _("write an ISO date in quotes: '2020-11-19'"),
                )
            )
    places = check.get("applies_to", [])
    if not isinstance(places, list) or not all(
        isinstance(p, str) and p.isdigit() and 2 <= len(p) <= 6 for p in places
    ):
        problems.append(
            Problem(
                file,
                _("{name}: applies_to must be a list of GB/T 2260 code prefixes in quotes").format(
                    name=name
                ),
                _("write e.g. applies_to: ['34'] for Anhui"),
            )
        )
    if "reliability" in check and check["reliability"] not in RELIABILITY_ZH:
        problems.append(
            Problem(
                file,
                _("{name}: unknown reliability {reliability!r}").format(
                    name=name, reliability=check["reliability"]
                ),
                _("use one of {reliability_zh}").format(reliability_zh=", ".join(RELIABILITY_ZH)),
            )
        )
    if kind == "ratio_at_least":
        factor = check.get("factor")
        factors = config.policy_factors if config is not None else {}
        ok = (isinstance(factor, str) and (config is None or factor in factors)) or is_factor(
            factor
        )
        if not ok:
            problems.append(
                Problem(
                    file,
                    _(
                        "{name}: factor {factor!r} is neither a positive "
                        "number nor a policy factor of data/project.yml"
                    ).format(name=name, factor=factor),
                    _("use one of {value}").format(
                        value=", ".join(factors) or "the policy_factors"
                    ),
                )
            )
    return problems
