"""The language of what policybook says (help, progress, messages): Chinese, as the book is,
unless English is asked for with `--lang en`, $POLICYBOOK_LANG, or a locale ($LANGUAGE,
$LC_ALL, $LC_MESSAGES, $LANG, first set wins) that starts with `en`.

The wording's home is the gettext catalogue `locale/zh_CN/LC_MESSAGES/policybook.po` (the
English text is its message id); `make messages` extracts new ids and compiles the `.mo`."""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "policybook"
LOCALE = Path(__file__).parent / "locale"
CHINESE, ENGLISH = "zh_CN", "en"
# what decides, first set wins ($POLICYBOOK_LANG is what the command passes to its kernels)
VARIABLES = ("POLICYBOOK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def wanted(flag: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """`en` or `zh_CN`: the flag's language, else the first variable set, else Chinese."""
    for value in (flag, *(environ.get(name) for name in VARIABLES)):
        if value:
            return ENGLISH if value.strip().lower().startswith("en") else CHINESE
    return CHINESE


def catalogue(language: str) -> gettext.NullTranslations:
    """The translations into `language` (English: the message ids themselves)."""
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE, [language], fallback=True)


_active = catalogue(wanted())


def use(language: str) -> None:
    """Speak `language` (`en` or `zh_CN`) from now on."""
    global _active
    _active = catalogue(language)


def current() -> str:
    """The language spoken now."""
    return ENGLISH if type(_active) is gettext.NullTranslations else CHINESE


def _(message: str) -> str:
    """`message` in the language spoken now (its English text when it has no translation)."""
    return _active.gettext(message)


def N_(message: str) -> str:
    """`message` marked for the catalogue, translated where it is used (module constants)."""
    return message
