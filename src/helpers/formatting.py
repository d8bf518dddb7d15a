"""The one number formatter: every number a reader sees, in a table or a sentence, is written here.

A number is written by what it is, not by how it happens to be stored: a year never takes a thousands
separator ("2013", not "2,013"), a count never takes decimals ("522", not "522.00"), a rank is a whole
number, a p-value below 0.001 reads "< 0.001". Missing values read "–" (an en dash), text (a
suppressed "c", a value already written) passes through unchanged, and a value that rounds to zero
never carries a sign ("0.0", never "-0.0" or "+0.0").

    fmt(7.14, "percent")            -> "7.1%"
    fmt(8, "pp", signed=True)       -> "+8.0 percentage points"
    fmt(-2_800_000, "money")        -> "-£2.8m"
    fmt(307_135, "money", scale="m") -> "£0.3m"   (beside "£1.3m": one scale, see money_scale)
    fmt(0.0004, "p")                -> "< 0.001"
    plural(1, "rule")               -> "1 rule";   plural(3, "child") -> "3 children"

Tables pass ``unit=False``: their header carries the unit ("Change (percentage points)", "Cost (£)"),
so a cell holds the number alone. :func:`infer_kind` gives a table column its kind from its name and
values when the table does not declare one.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from numbers import Number

#: The kinds of number :func:`fmt` writes, with the decimals each takes when none are given.
DEFAULT_DECIMALS = {
    "year": 0,
    "count": 0,
    "percent": 1,
    "pp": 1,
    "money": 0,  # below a million; a million or more is written in millions with one decimal
    "rate": 1,  # per 10,000 (or per whatever the sentence or header says)
    "rank": 0,
    "p": 2,
    "number": 1,
    "ratio": 2,
}
KINDS = tuple(DEFAULT_DECIMALS)

MISSING = "–"


def is_missing(value) -> bool:
    """None, NaN, pandas' NA or NaT: a value nobody has."""
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(value != value)  # NaN, NaT; pandas' NA raises on bool()
    except TypeError:
        return True


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, Number):
        try:
            import numpy as np

            if isinstance(value, np.generic) and not isinstance(value, np.bool_):
                return float(value)
        except ImportError:  # pragma: no cover - numpy is always installed with pandas
            pass
        raise TypeError(f"not a number: {value!r} ({type(value).__name__})")
    return float(value)


def _rounded(x: float, decimals: int) -> float:
    """``x`` rounded half up as written in decimal (1.25 -> 1.3, 2.675 -> 2.68, as a reader rounds;
    Python's own rounding works on the binary value and gives 1.2 and 2.67), with a zero made
    unsigned (no "-0.0")."""
    q = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    r = float(q)
    return 0.0 if r == 0 else r


def _sign(x: float, decimals: int, signed: bool) -> tuple[str, float]:
    """(sign to print, absolute value): "-" for a negative, "+" for a positive when ``signed``."""
    x = _rounded(x, decimals)
    if x < 0:
        return "-", -x
    return ("+" if signed and x > 0 else ""), x


def _p_value(x: float) -> str:
    if x < 0.001:
        return "< 0.001"
    if x < 0.01:
        return f"{_rounded(x, 3):.3f}"
    # Two decimals must not carry a p-value across a cut-off the words use (0.05, 0.10): 0.048 is
    # "0.048", never "0.05".
    if any(x < cut <= _rounded(x, 2) for cut in (0.05, 0.10)):
        return f"{_rounded(x, 3):.3f}"
    return f"{_rounded(x, 2):.2f}"


def fmt(
    value,
    kind: str = "number",
    *,
    decimals: int | None = None,
    signed: bool = False,
    unit: bool = True,
    scale: str | None = None,
) -> str:
    """``value`` written as a number of ``kind`` (see :data:`KINDS` and the module docstring).

    ``decimals`` overrides the kind's default (:data:`DEFAULT_DECIMALS`; years, counts and ranks
    never take any); ``signed`` puts "+" before a positive value (changes, differences); ``unit=False``
    leaves out "%", "percentage points" and "£" (for table cells whose header carries the unit).
    ``scale`` (money only): "m" or "bn" writes the amount in millions or billions whatever its size,
    "" in pounds; None (the default) picks by the amount's own size. Amounts read together (one
    sentence, one column) take one scale: :func:`money_scale`.
    """
    if kind not in DEFAULT_DECIMALS:
        raise ValueError(f"number kind must be one of {KINDS}, got {kind!r}")
    if scale is not None and (kind != "money" or scale not in MONEY_SCALES):
        raise ValueError(f"scale is for money, one of {sorted(MONEY_SCALES)}, got {scale!r} for kind {kind!r}")
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    x = _number(value)
    if math.isinf(x):
        return ("-" if x < 0 else "") + "∞"
    d = DEFAULT_DECIMALS[kind] if decimals is None or kind in ("year", "count", "rank") else int(decimals)
    if kind == "year":
        if x != round(x):
            raise ValueError(f"a year must be a whole number, got {value!r}")
        return str(int(x))
    if kind == "p":
        if not 0 <= x <= 1:
            raise ValueError(f"a p-value lies between 0 and 1, got {value!r}")
        return _p_value(x) if decimals is None else f"{_rounded(x, d):.{d}f}"
    if kind == "money":
        return _money(x, decimals, signed, unit, scale)
    sign, a = _sign(x, d, signed)
    if kind in ("count", "rank"):
        body = f"{int(a):,}" if kind == "count" else f"{int(a)}"
    elif kind == "ratio":
        body = f"{a:.{d}f}"
    else:
        body = f"{a:,.{d}f}"
    suffix = {"percent": "%", "pp": " percentage points"}.get(kind, "") if unit else ""
    return f"{sign}{body}{suffix}"


#: The scales money is written at: pounds, millions, billions (divisor).
MONEY_SCALES = {"": 1.0, "m": 1e6, "bn": 1e9}


def _own_scale(x: float) -> str:
    """The scale an amount takes on its own: what would print as "£1,000,000" reads "£1.0m"."""
    if abs(x) >= 999_950_000:
        return "bn"
    return "m" if abs(x) >= 999_500 else ""


def money_scale(values) -> str:
    """The one scale for amounts read together (a sentence, a column): the scale of the largest, so
    "£307,135" beside "£1.3m" reads "£0.3m" (no false precision beside a rounded neighbour); missing
    values and text are ignored. Pass the result as ``fmt(x, "money", scale=...)``."""
    amounts = [abs(_number(v)) for v in values if not isinstance(v, str) and not is_missing(v)]
    return _own_scale(max(amounts)) if amounts else ""


def _money(x: float, decimals: int | None, signed: bool, unit: bool, scale: str | None = None) -> str:
    pound = "£" if unit else ""
    if scale is None:
        scale = _own_scale(x) if unit else ""
    if scale:
        d = 1 if decimals is None else int(decimals)
        sign, a = _sign(x / MONEY_SCALES[scale], d, signed)
        return f"{sign}{pound}{a:,.{d}f}{scale}"
    d = 0 if decimals is None else int(decimals)
    sign, a = _sign(x, d, signed)
    return f"{sign}{pound}{a:,.{d}f}"


def fmt_pattern(value, pattern: str = "{:,.1f}") -> str:
    """``value`` through a format pattern, with the formatter's rules for missing values, text and
    zero (no "-0.0"): the older interface (:func:`helpers.report_section.format_number`), kept until
    every call site names a kind."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return MISSING
    text = pattern.format(value)
    return re.sub(r"^([^\d+-]*)[-+](0(?:\.0+)?)(?![\d.])", r"\1\2", text)  # a zero keeps no sign


# ---- words that go with numbers ----------------------------------------------------------------

_IRREGULAR = {
    "child": "children",
    "person": "people",
    "analysis": "analyses",
    "criterion": "criteria",
    "datum": "data",
    "man": "men",
    "woman": "women",
}


def plural_form_of(singular: str) -> str:
    """The plural of an English noun ("rule" -> "rules", "family" -> "families", "child" -> "children").
    For a phrase, the last word changes ("social worker" -> "social workers")."""
    head, _, last = singular.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        out = _IRREGULAR[lower]
        out = out[:1].upper() + out[1:] if last[:1].isupper() else out
    elif re.search(r"[^aeiou]y$", lower):
        out = last[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", lower):
        out = last + "es"
    else:
        out = last + "s"
    return f"{head} {out}" if head else out


def noun(n, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, singular for exactly one ("1 rule"), plural otherwise ("0 rules", "2 rules",
    "c rules" for a suppressed count, "1.5 days")."""
    one = not isinstance(n, str) and not is_missing(n) and float(n) == 1
    return singular if one else (plural_form or plural_form_of(singular))


def plural(n, singular: str, plural_form: str | None = None, kind: str = "count") -> str:
    """A count with its noun: "1 rule", "0 years", "3 children", "1,204 families", "c families"
    (a suppressed count stays "c"). ``kind="number"`` for a quantity with decimals ("1.5 days")."""
    return f"{fmt(n, kind)} {noun(n, singular, plural_form)}"


# ---- the kind of a table column ----------------------------------------------------------------

_YEAR_NAME = re.compile(r"(^|[_ ])(years?|yr|from|to|start|end|fy|financial_year|year_ending)($|[_ ])", re.I)
_RANK_NAME = re.compile(r"(^|[_ ])rank(ed|ing)?($|[_ ])", re.I)
_P_NAME = re.compile(r"^(p|p[_ ]?value|pvalue)$|[_ ]p$|[_ ]p[_ ]?value$|^p[_ ]", re.I)
_COUNT_NAME = re.compile(
    r"^(n|count|number)$|^(n|count|number)[_ ]|[_ ](n|count)$|^(rows|records|families|children|people|"
    r"practitioners|respondents|participants|interviews|maps|forms|answers|members|staff|referrals|"
    r"leavers|starters|headcount)([_ ]|$)",
    re.I,
)


def infer_kind(name, values, counts=()) -> str | None:
    """The kind of a numeric table column from its name and values, or None (a general number
    written with the table's decimals).

    A column named like a year whose values are whole numbers from 1900 to 2100 is a year; one named
    ``rank`` a rank; ``p``, ``p_value``, ``*_p`` a p-value (when every value lies in 0-1); a declared
    count column, or one named like a count (``n``, ``n_*``, ``families``, ``rows_read`` ...) whose
    values are whole, a count; a column of integers (the storage says so), a count.
    """
    vals = [v for v in values if not isinstance(v, str) and not is_missing(v) and not isinstance(v, bool)]
    try:
        nums = [float(v) for v in vals]
    except (TypeError, ValueError):
        return None
    whole = all(v == round(v) for v in nums)
    text = str(name)
    if whole and nums and _YEAR_NAME.search(text) and all(1900 <= v <= 2100 for v in nums):
        return "year"
    if whole and _RANK_NAME.search(text):
        return "rank"
    if _P_NAME.search(text) and all(0 <= v <= 1 for v in nums):
        return "p"
    if whole and (name in counts or _COUNT_NAME.search(text)):
        return "count"
    return None
