"""Validate feed rows: say what is wrong and where, keep every good row.

Each validator takes a raw frame from :func:`corpcredit.feeds.read.read_feed` and
returns a :class:`Checked` holding the typed good rows (in the kernel's shapes plus
the descriptive columns) and one error row per problem: file, row, column, value,
code, message. Batch scoring refuses an input with any error; ingestion quarantines
the bad rows and lands the good ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import polars as pl

from corpcredit.catalogue import Catalogue
from corpcredit.errors import RowError
from corpcredit.feeds.columns import (
    clean_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_timestamp,
)
from corpcredit.scoring.rules import rule_row, rules_frame

__all__ = [
    "COLUMN_TYPES",
    "ENTITY_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "RECORD_COLUMNS",
    "Checked",
    "check_entities",
    "check_events",
    "check_records",
]

ENTITY_COLUMNS = {
    "usci": "usci",
    "name": "text",
    "name_en": "text",
    "aliases": "text",
    "parent_usci": "usci",
    "legal_form": "text",
    "status": "text",
    "registered_on": "date",
    "address": "text",
}
ENTITY_REQUIRED = ("usci", "name")
RECORD_COLUMNS = {
    "record_id": "text",
    "source": "text",
    "usci": "usci",
    "kind": "text",
    "tier": "text",
    "decided_on": "date",
    "authority": "text",
    "decision_no": "text",
    "legal_basis": "text",
    "summary": "text",
    "amount_cny": "decimal",
    "grade": "text",
    "black": "bool",
    "red": "bool",
    "ends_on": "date",
    "recorded_at": "timestamp",
}
RECORD_REQUIRED = ("record_id", "source", "usci", "kind", "decided_on", "authority")
EVENT_COLUMNS = {
    "source": "text",
    "record_id": "text",
    "event": "text",
    "effective_on": "date",
    "recorded_at": "timestamp",
}
EVENT_REQUIRED = ("source", "record_id", "event", "effective_on")
EVENT_KINDS = ("lifted", "repaired", "withdrawn", "revoked_repair")
STATUSES = ("active", "revoked", "deregistered")
NATURAL_PERSON_FORMS = ("个体工商户", "个人独资企业")

#: The type each kind of feed column is read into.
COLUMN_TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "usci": pl.Utf8(),
    "date": pl.Date(),
    "bool": pl.Boolean(),
    "timestamp": pl.Datetime("us", "UTC"),
    "decimal": pl.Decimal(18, 2),
}
_ERR_SCHEMA = {
    "_row": pl.Int64,
    "column": pl.Utf8,
    "value": pl.Utf8,
    "code": pl.Utf8,
    "message": pl.Utf8,
}


@dataclass(frozen=True)
class Checked:
    """Typed good rows (with ``_row``) and one row per problem found."""

    file: str
    good: pl.DataFrame
    errors: pl.DataFrame  # _row, column, value, code, message
    total: int
    #: Records only: each good row's rule, as its row of
    #: :func:`~corpcredit.scoring.rules.rules_frame` of the catalogue checked against
    #: (Int64; null where it has none), for the kernel's ``score(..., rule_rows=)``.
    rule_rows: pl.Series | None = None

    @property
    def bad_rows(self) -> int:
        return self.errors.get_column("_row").n_unique() if self.errors.height else 0

    def row_errors(self, limit: int | None = None) -> list[RowError]:
        errs = self.errors.sort("_row") if limit is None else self.errors.sort("_row").head(limit)
        return [
            RowError(self.file, r, c, v or "", code, msg)
            for r, c, v, code, msg in errs.select(
                "_row", "column", "value", "code", "message"
            ).iter_rows()
        ]


class _Collector:
    """Collects row errors; checks against one frame are evaluated together in one pass."""

    def __init__(self, df: pl.DataFrame) -> None:
        self._df = df
        self._pending: list[tuple[pl.Expr, str, str, str | pl.Expr]] = []
        self.parts: list[pl.DataFrame] = []

    @property
    def df(self) -> pl.DataFrame:
        return self._df

    @df.setter
    def df(self, frame: pl.DataFrame) -> None:
        self._flush()
        self._df = frame

    def add(self, mask: pl.Expr, column: str, code: str, message: str | pl.Expr) -> None:
        self._pending.append((mask, column, code, message))

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        masks = self._df.select(
            [m.fill_null(False).alias(f"_m{i}") for i, (m, *_) in enumerate(pending)]
        )
        hit = [mask.any() for mask in masks.iter_columns()]  # Series: no query each
        for i, (_, column, code, message) in enumerate(pending):
            if not hit[i]:
                continue
            value = pl.col(column).cast(pl.Utf8) if column in self._df.columns else pl.lit(None)
            msg = message if isinstance(message, pl.Expr) else pl.lit(message)
            part = self._df.filter(masks.get_column(f"_m{i}")).select(
                "_row",
                pl.lit(column).alias("column"),
                value.alias("value"),
                pl.lit(code).alias("code"),
                msg.alias("message"),
            )
            self.parts.append(part.cast(_ERR_SCHEMA))  # type: ignore[arg-type]

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self.parts:
            return pl.DataFrame(schema=_ERR_SCHEMA)
        return pl.concat(self.parts)


def _missing_columns(df: pl.DataFrame, required: Sequence[str], file: str) -> None:
    from corpcredit.feeds.read import UnreadableFile

    missing = [c for c in required if c not in df.columns]
    if missing:
        raise UnreadableFile(
            f"{file}: required column(s) missing: {', '.join(missing)} "
            f"(found: {', '.join(c for c in df.columns if c != '_row') or 'none'})",
            code="input.missing_column",
        )


def _typed(
    df: pl.DataFrame, spec: dict[str, str], required: Sequence[str], col: _Collector
) -> pl.DataFrame:
    """Parse every known column; record unreadable and missing values as errors."""
    from corpcredit.ids.bulk import validate_series

    parsers: dict[str, Callable[[str, pl.DataType], tuple[pl.Expr, pl.Expr]]] = {
        "date": parse_date,
        "timestamp": parse_timestamp,
        "bool": parse_bool,
        "decimal": parse_decimal,
    }
    what = {
        "date": "a date YYYY-MM-DD",
        "timestamp": "an ISO 8601 timestamp",
        "bool": "true or false",
        "decimal": "a number",
    }
    exprs: list[pl.Expr] = [pl.col("_row")]
    bad_cols: dict[str, str] = {}
    # Identifiers are validated value by value anyway, so first: a column whose distinct
    # values are all valid and in normal form (letters and digits only) has no padding,
    # and the search for it, over every row, is spared (at 4.9 M records, a tenth of
    # the checks' processor time).
    odd = {
        n: _odd_identifiers(df.get_column(n), validate_series)
        for n, k in spec.items()
        if k == "usci" and n in df.columns
    }
    normal = {n for n, o in odd.items() if o.is_empty()}
    padded = _padded_columns(
        df, [n for n, k in spec.items() if k not in parsers and n not in normal]
    )
    for name, kind in spec.items():
        if name not in df.columns:
            exprs.append(pl.lit(None, dtype=COLUMN_TYPES[kind]).alias(name))
            continue
        if kind in parsers:
            value, bad = parsers[kind](name, df.schema[name])
            exprs.append(value.alias(name))
            exprs.append(bad.alias(f"_bad_{name}"))
            bad_cols[name] = kind
        else:
            exprs.append(_cleaned(name, padded=name in padded).alias(name))
    typed = df.select(exprs)
    col.df = typed
    for name, kind in bad_cols.items():
        col.add(pl.col(f"_bad_{name}"), name, f"input.bad_{kind}", f"not {what[kind]}")
    for name in required:
        missing = pl.col(name).is_null()
        if name in bad_cols:
            missing = missing & ~pl.col(f"_bad_{name}")
        col.add(missing, name, "input.required", f"{name} is required")
    typed = typed.drop([f"_bad_{n}" for n in bad_cols])
    for name, kind in spec.items():
        if kind == "usci" and name in df.columns:
            # Trimming changed the values of a padded column: they are validated anew.
            known = None if name in padded else odd[name]
            typed = _check_usci_column(typed, name, col, validate_series, known)
    col.df = typed
    return typed


_SPACES = (" ", "\t", "\u3000", "\r", "\n")
# A value starting or ending with one of _SPACES, as one anchored pattern: one scan of
# each value instead of ten prefix and suffix tests (measured: half the time).
_PADDED = "^[{0}]|[{0}]$".format("".join(_SPACES))


#: Up to this many rows (one record ingested by hand), padding is looked for in Python.
_FEW_ROWS = 64
_SPACE_SET = frozenset(_SPACES)


def _padded_values(values: list[str | None]) -> bool:
    """Whether a value starts or ends with one of :data:`_SPACES` (as :data:`_PADDED`)."""
    return any(v and (v[0] in _SPACE_SET or v[-1] in _SPACE_SET) for v in values)


def _padded_columns(df: pl.DataFrame, names: Sequence[str]) -> set[str]:
    """Which of ``names`` hold a value with leading or trailing space (one pass for all)."""
    present = [n for n in names if n in df.columns]
    if not present:
        return set()
    if df.height <= _FEW_ROWS:  # a few values: read in Python, not one query
        return {n for n in present if _padded_values(df.get_column(n).cast(pl.Utf8).to_list())}
    return _padded_by_query(df, present)


#: A column whose first rows hold at most one distinct value in this many is searched
#: for padding among its distinct values (source, kind, tier, grade: a handful in
#: millions of rows), where finding them costs less than a scan of every row.
_FEW_DISTINCT = 16
_SAMPLE_ROWS = 8192


def _padded_by_query(df: pl.DataFrame, present: list[str]) -> set[str]:
    """:func:`_padded_columns` by one query; a value is padded or not whichever row it is
    in, so a column of few distinct values is searched among them (at 4.9 M records:
    source, kind, tier and grade 0.13-0.36 s each to 0.04-0.17 s of processor time).
    """
    rows = min(df.height, _SAMPLE_ROWS)
    sample = df.head(rows).select(pl.col(n).n_unique() for n in present).row(0)
    few = {n for n, k in zip(present, sample, strict=True) if k * _FEW_DISTINCT <= rows}

    def edge(name: str) -> pl.Expr:
        s = pl.col(name).cast(pl.Utf8)
        if name in few:
            s = s.unique()
        return s.str.contains(_PADDED).any().alias(name)

    flags = df.select(edge(n) for n in present).row(0)
    return {n for n, padded in zip(present, flags, strict=True) if padded}


def _cleaned(name: str, *, padded: bool) -> pl.Expr:
    """Trim and turn blanks into nulls, skipping the costly trim when nothing needs it."""
    if padded:
        return clean_text(name)
    s = pl.col(name).cast(pl.Utf8)
    return pl.when(s.str.len_bytes() == 0).then(None).otherwise(s)


def _odd_identifiers(
    column: pl.Series,
    validate_series: Callable[[pl.Series], pl.DataFrame],
    *,
    distinct_first: bool | None = None,
) -> pl.DataFrame:
    """The distinct values of an identifier column, as they are once blanks become null
    (:func:`_cleaned` without trimming), that are invalid or not in normal form: the
    value, ``normalized``, ``error_code`` and ``error_message``, one row each.

    A value repeated in neighbouring rows (records come grouped by organisation) is
    taken once. What remains is validated after finding its distinct values, or, where
    they are most of it (the organisations of an entities file), as it is: finding
    them costs about what validating them does (``distinct_first``: True or False to
    choose, None to judge by the first rows). Either way the answer is the same.
    """
    name = column.name
    values = column.cast(pl.Utf8).drop_nulls()
    values = values.filter(values.str.len_bytes() > 0)
    if values.len() > 1:
        # Cheap (a comparison with the row before): at a million organisations, 4.9 M
        # records' identifiers come down to 0.7 M.
        values = values.filter(values.ne(values.shift(1)).fill_null(True))
    if distinct_first is None:
        rows = min(values.len(), _SAMPLE_ROWS)
        distinct_first = values.head(rows).n_unique() * 2 <= rows
    if distinct_first:
        values = values.unique()
    verdicts = pl.DataFrame({name: values}).hstack(validate_series(values))
    odd = verdicts.filter(
        pl.col("error_code").is_not_null() | (pl.col("normalized") != pl.col(name))
    )
    if not distinct_first and odd.height:
        odd = odd.unique(subset=name, keep="first")
    return odd


def _check_usci_column(
    typed: pl.DataFrame,
    name: str,
    col: _Collector,
    validate_series: Callable[[pl.Series], pl.DataFrame],
    odd: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Validate each distinct identifier once; normalise the column in place.

    ``odd``: :func:`_odd_identifiers` of the column as it stands in ``typed``, if known.
    """
    if odd is None:
        odd = _odd_identifiers(typed.get_column(name), validate_series)
    if odd.is_empty():
        return typed  # the common case: every identifier valid and already normal
    errors = odd.filter(pl.col("error_code").is_not_null())
    if errors.height:
        col.parts.append(
            typed.select("_row", name)
            .join(errors, on=name, how="inner")
            .select(
                "_row",
                pl.lit(name).alias("column"),
                pl.col(name).alias("value"),
                pl.col("error_code").alias("code"),
                pl.col("error_message").alias("message"),
            )
            .cast(_ERR_SCHEMA)  # type: ignore[arg-type]
        )
    fixes = odd.filter(pl.col("error_code").is_null())
    if fixes.height:
        typed = typed.with_columns(
            pl.col(name).replace(fixes.get_column(name), fixes.get_column("normalized"))
        )
    return typed


def _unchanged(typed: pl.DataFrame, name: str, fix: pl.Expr) -> bool:
    """Whether ``fix`` leaves every value of column ``name`` as it is.

    Asked of the distinct values (a few, in millions of rows), so that a column already
    in normal form is not rewritten.
    """
    column = typed.get_column(name)
    if column.null_count() == column.len():
        return True  # no value to change (the fixes asked about keep a null null)
    distinct = column.unique().to_frame()
    return bool(distinct.select(fix.eq_missing(pl.col(name)).all()).item())


def _duplicates(col: _Collector, keys: list[str], column: str, what: str) -> None:
    df = col.df
    # Cheap test first: most files have no duplicates at all. Equal keys hash alike, so
    # without a repeated row hash there is no duplicate; a repeat (a real duplicate or
    # a rare collision) goes on to the exact test below.
    hashes = df.select(keys).hash_rows()
    if hashes.n_unique() == hashes.len():
        return
    if not df.select(pl.struct(keys).is_duplicated().any()).item():
        return
    suspects = df.filter(pl.struct(keys).is_duplicated())
    first = suspects.group_by(keys).agg(pl.col("_row").min().alias("_first"))
    dup = suspects.join(first, on=keys, how="left").filter(
        pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
        & (pl.col("_row") != pl.col("_first"))
    )
    if dup.height:
        col.parts.append(
            dup.select(
                "_row",
                pl.lit(column).alias("column"),
                pl.col(column).cast(pl.Utf8).alias("value"),
                pl.lit("input.duplicate").alias("code"),
                pl.format("duplicate {} (first at row {})", pl.lit(what), pl.col("_first")).alias(
                    "message"
                ),
            ).cast(_ERR_SCHEMA)  # type: ignore[arg-type]
        )


def _finish(file: str, typed: pl.DataFrame, col: _Collector, total: int) -> Checked:
    errors = col.frame()
    if errors.is_empty():
        return Checked(file=file, good=typed, errors=errors, total=total)
    errors = errors.unique(maintain_order=True).sort("_row")
    good = typed.filter(~pl.col("_row").is_in(errors.get_column("_row").implode()))
    return Checked(file=file, good=good, errors=errors, total=total)


def check_entities(df: pl.DataFrame, file: str) -> Checked:
    _missing_columns(df, ENTITY_REQUIRED, file)
    col = _Collector(df)
    typed = _typed(df, ENTITY_COLUMNS, ENTITY_REQUIRED, col)
    typed = typed.with_columns(
        pl.col("status").str.to_lowercase().fill_null("active"),
        (
            (pl.col("usci").str.slice(0, 2) == "92")
            | pl.col("legal_form").is_in(NATURAL_PERSON_FORMS).fill_null(False)
        ).alias("natural_person"),
    )
    col.df = typed
    col.add(
        ~pl.col("status").is_in(STATUSES),
        "status",
        "input.bad_status",
        f"status must be one of {', '.join(STATUSES)}",
    )
    _duplicates(col, ["usci"], "usci", "usci")
    return _finish(file, typed, col, df.height)


def check_records(
    df: pl.DataFrame, file: str, cat: Catalogue, *, refuse_personal_data: bool = False
) -> Checked:
    _missing_columns(df, [c for c in RECORD_REQUIRED], file)
    col = _Collector(df)
    typed = _typed(df, RECORD_COLUMNS, RECORD_REQUIRED, col)
    graded = [k for k, v in cat.kinds.items() if v.graded]
    upper_grade = (
        pl.when(pl.col("kind").is_in(graded))
        .then(pl.col("grade").str.to_uppercase())
        .otherwise(pl.col("grade"))
        .alias("grade")
    )
    lower_tier = pl.col("tier").str.to_lowercase()
    fixes = [
        fix
        for fix, name, test in (
            (upper_grade, "grade", pl.col("grade").str.to_uppercase()),
            (lower_tier, "tier", lower_tier),
        )
        if not _unchanged(typed, name, test)
    ]
    if fixes:
        typed = typed.with_columns(fixes)
    # Each row's rule (its row of the rule table) and the rule's effective tier; null
    # where kind, tier or grade has none. The rule is kept for the kernel (see
    # Checked.rule_rows), which would otherwise find it again.
    rules = rules_frame(cat)
    typed = typed.with_columns(rule_row(cat, rules).alias("_rule")).with_columns(
        pl.lit(rules.get_column("tier_eff")).gather(pl.col("_rule")).alias("_tier")
    )
    col.df = typed
    kinds = ", ".join(cat.kinds)
    col.add(
        pl.col("kind").is_not_null() & ~pl.col("kind").is_in(list(cat.kinds)),
        "kind",
        "input.unknown_kind",
        f"unknown record kind; the catalogue {cat.version} has: {kinds}",
    )
    for k in graded:
        grades = ", ".join(cat.kinds[k].grades)
        col.add(
            (pl.col("kind") == k) & pl.col("_tier").is_null(),
            "grade",
            "input.bad_grade",
            f"{k} needs a grade: one of {grades}",
        )
    per_kind = {k: ", ".join(v.tiers) for k, v in cat.kinds.items() if not v.graded}
    msg = pl.format(
        "tier not allowed for kind {}; allowed: {}",
        pl.col("kind"),
        pl.col("kind").replace_strict(per_kind, default=""),
    )
    col.add(
        pl.col("kind").is_in(list(per_kind)) & pl.col("_tier").is_null(),
        "tier",
        "input.bad_tier",
        msg,
    )
    col.add(
        pl.col("black").fill_null(False)
        & pl.col("_tier").is_not_null()
        & (pl.col("_tier") != "serious"),
        "black",
        "input.black_below_serious",
        "a black flag is only valid on a serious record",
    )
    col.add(
        pl.col("ends_on").is_not_null()
        & pl.col("decided_on").is_not_null()
        & (pl.col("ends_on") < pl.col("decided_on")),
        "ends_on",
        "input.ends_before_decision",
        "ends_on is before decided_on",
    )
    if refuse_personal_data:
        _personal_data(col)
    _duplicates(col, ["source", "record_id"], "record_id", "(source, record_id)")
    checked = _finish(file, typed.drop("_tier"), col, df.height)
    good = checked.good
    return replace(checked, good=good.drop("_rule"), rule_rows=good.get_column("_rule"))


def _personal_data(col: _Collector) -> None:
    """Ingestion refuses records about natural persons or holding identity numbers."""
    from corpcredit.ids.resident import resident_id_columns

    col.add(
        pl.col("usci").str.slice(0, 2) == "92",
        "usci",
        "input.natural_person",
        "records about individual businesses (natural persons) are not accepted",
    )
    found = resident_id_columns(col.df, ("summary", "legal_basis", "decision_no", "authority"))
    for name, mask in found.items():
        col.add(
            pl.lit(mask),
            name,
            "input.personal_id",
            "contains what looks like a resident identity number; remove personal data and resend",
        )


def check_events(df: pl.DataFrame, file: str) -> Checked:
    _missing_columns(df, EVENT_REQUIRED, file)
    col = _Collector(df)
    typed = _typed(df, EVENT_COLUMNS, EVENT_REQUIRED, col)
    typed = typed.with_columns(pl.col("event").str.to_lowercase())
    col.df = typed
    col.add(
        pl.col("event").is_not_null() & ~pl.col("event").is_in(EVENT_KINDS),
        "event",
        "input.bad_event",
        f"event must be one of {', '.join(EVENT_KINDS)}",
    )
    _duplicates(col, ["source", "record_id", "event", "effective_on"], "event", "event")
    return _finish(file, typed, col, df.height)
