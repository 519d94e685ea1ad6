"""`cost()` as SQL: price a usage table inside a warehouse, exactly, in DECIMAL arithmetic.

Export the prices with ``llmcost prices`` (or `price_rows` / `alias_rows`, re-exported here
with `registry_from_rows`, their inverse, and the column orders `PRICE_COLUMNS` /
`ALIAS_COLUMNS`), load them into tables shaped by `price_table_ddl` and `alias_table_ddl`,
then run `cost_query` over a usage table shaped like `usage_table_ddl` (or select
`cost_parts` yourself, joining the price table twice with `join_condition`).

The usage table (`USAGE_COLUMNS`) holds `llmcost.Usage`'s counts (totals include their
parts: ``input_tokens`` includes cache reads, cache writes and media input), one count per
server tool (``web_search_calls`` ...), ``requests`` (1 for one request), the request
context ``service_tier``, ``speed``, ``inference_geo`` (NULL or ``standard`` / ``default``
/ ``auto`` / ``global`` names mean standard, as in `cost()`), ``is_batch`` (NULL counts as
false) and ``request_time``, a TIMESTAMP in UTC (NULL prices as of now, as `cost()` does;
a DATE column cast to TIMESTAMP means 00:00 UTC). Pass ``columns={"video_input_tokens":
None}`` for a column your table lacks (a count of 0, one request, the standard context, now)
or ``columns={"input_tokens": "prompt_tokens"}`` for another name.

The rule is `cost()`'s. Each usage row finds the price row of its model (through the alias
table), of the period in force at its instant, of its request context and of its
long-context level (``input_tokens`` above the row's threshold, up to the next); when the
period has time-of-day windows, a second join finds the window row whose weekday, minutes
and except-dates match the instant in the vendor's time zone, and its rates win; outside
every window the base rates apply. Each count is multiplied by its exact per-token rate (the
rows hold every multiplier already applied). The totals are NULL wherever `cost()` raises: no
price row (an unknown model or context, a service tier that contradicts ``is_batch``), a
retired model after its retirement, a context without rates in that window, a nonzero count
whose rate is missing, an invalid usage (a part above its total, a count above 10**15).

Dialects: ``duckdb`` (run by the test suite, with ICU: ``timezone()``), ``spark``
(``from_utc_timestamp`` and epoch arithmetic, so the session time zone does not matter; the
timestamps in the price CSV carry ``Z``) and ``ansi`` (SQL:2016 with ``AT TIME ZONE`` and
IANA zone names, a date difference as an integer for the weekday: PostgreSQL's and
DuckDB's reading; the test suite runs it on DuckDB, not on PostgreSQL, Trino or Snowflake).
See `llmcost._sql_expr` for the DECIMAL types that keep every step exact.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._rows import ALIAS_COLUMNS, INT_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows
from ._rows_read import registry_from_rows
from ._sql_expr import (
    COUNT_COLUMNS,
    DIALECTS,
    RATE,
    TOOL_CALL_COLUMNS,
    USAGE_COLUMNS,
    dialect_of,
    ident,
    join_on,
    usage_refs,
)
from ._sql_expr import cost_parts as _cost_parts

__all__ = [
    "ALIAS_COLUMNS",
    "DIALECTS",
    "PRICE_COLUMNS",
    "USAGE_COLUMNS",
    "alias_rows",
    "alias_table_ddl",
    "column_types",
    "cost_expression",
    "cost_parts",
    "cost_query",
    "join_condition",
    "price_rows",
    "price_table_ddl",
    "registry_from_rows",
    "usage_table_ddl",
]

#: The Cost fields that `cost_parts` and `cost_query` give, in this order.
COST_FIELDS = ("input", "cache_read", "cache_write", "output", "tools", "request_fees", "total")


def __dir__() -> list[str]:
    return list(__all__)


_STRING = {"ansi": "VARCHAR(4000)", "duckdb": "VARCHAR", "spark": "STRING"}
_NAME = {"ansi": "VARCHAR(255)", "duckdb": "VARCHAR", "spark": "STRING"}
_LONG = ("source_url", "note", "window_except_dates", "other_tools_per_kcall")


def column_types(dialect: str = "ansi", *, table: str = "prices") -> dict[str, str]:
    """The SQL type of each column of the ``"prices"``, ``"aliases"`` or ``"usage"`` table.

    >>> column_types("duckdb")["input_per_mtok"], column_types("spark")["model"]
    ('DECIMAL(18, 12)', 'STRING')
    >>> column_types("ansi", table="aliases")
    {'alias': 'VARCHAR(255)', 'model': 'VARCHAR(255)', 'kind': 'VARCHAR(255)'}
    >>> column_types("spark", table="usage")["request_time"]
    'TIMESTAMP'
    """
    d = dialect_of(dialect)
    if table == "aliases":
        return dict.fromkeys(ALIAS_COLUMNS, _NAME[d])
    if table == "usage":
        types = {}
        for column in USAGE_COLUMNS:
            if column in COUNT_COLUMNS or column in TOOL_CALL_COLUMNS:
                types[column] = "BIGINT"
            elif column == "is_batch":
                types[column] = "BOOLEAN"
            elif column == "request_time":
                types[column] = "TIMESTAMP"
            else:
                types[column] = _NAME[d]
        return types
    if table != "prices":
        msg = f"table must be 'prices', 'aliases' or 'usage', not {table!r:.40}"
        from ._errors import InvalidInputError

        raise InvalidInputError(msg)
    types = {}
    for column in PRICE_COLUMNS:
        if column.endswith(("_per_mtok", "_per_kcall", "_multiplier")) and column != (
            "other_tools_per_kcall"
        ):
            types[column] = RATE
        elif column in ("window_start_minute", "window_end_minute"):
            types[column] = "INTEGER"
        elif column in INT_COLUMNS:
            types[column] = "BIGINT"
        elif column in ("valid_from", "valid_to", "retired_at"):
            types[column] = "TIMESTAMP"
        elif column == "checked":
            types[column] = "DATE"
        elif column == "available":
            types[column] = "BOOLEAN"
        elif column in _LONG:
            types[column] = _STRING[d]
        else:
            types[column] = _NAME[d]
    return types


def _ddl(dialect: str, table: str, types: dict[str, str], not_null: tuple[str, ...]) -> str:
    # Spark's default table format refuses NOT NULL constraints.
    keep = dialect != "spark"
    cols = ",\n".join(
        f"  {c} {t}{' NOT NULL' if keep and c in not_null else ''}" for c, t in types.items()
    )
    return f"CREATE TABLE {ident(table, 'table')} (\n{cols}\n)"


def price_table_ddl(dialect: str = "ansi", *, table: str = "llm_prices") -> str:
    """A CREATE TABLE statement for the price rows (`PRICE_COLUMNS` order).

    >>> print(price_table_ddl("duckdb").splitlines()[:3])
    ['CREATE TABLE llm_prices (', '  model VARCHAR NOT NULL,', '  provider VARCHAR NOT NULL,']
    """
    d = dialect_of(dialect)
    required = ("model", "provider", "kind", "available", "tokenizer")
    return _ddl(d, table, column_types(d), required)


def alias_table_ddl(dialect: str = "ansi", *, table: str = "llm_model_aliases") -> str:
    """A CREATE TABLE statement for the alias rows (``alias``, ``model``, ``kind``).

    >>> print(alias_table_ddl("spark"))
    CREATE TABLE llm_model_aliases (
      alias STRING,
      model STRING,
      kind STRING
    )
    """
    d = dialect_of(dialect)
    return _ddl(d, table, column_types(d, table="aliases"), ALIAS_COLUMNS)


def usage_table_ddl(dialect: str = "ansi", *, table: str = "llm_usage") -> str:
    """A CREATE TABLE statement for a usage table with every column `cost_query` reads.

    >>> usage_table_ddl("duckdb").splitlines()[1]
    '  model VARCHAR NOT NULL,'
    """
    d = dialect_of(dialect)
    return _ddl(d, table, column_types(d, table="usage"), ("model",))


def join_condition(
    dialect: str = "ansi",
    *,
    usage: str = "u",
    prices: str = "p",
    model: str | None = None,
    window: bool = False,
    columns: Mapping[str, str | None] | None = None,
) -> str:
    """The ON condition joining a usage row to its base price row (or, with *window*, to
    the window price row in force at its instant; LEFT JOIN the price table twice).

    *model* is the SQL expression of the canonical id (default ``<usage>.model``; with the
    alias table, ``a.model``).

    >>> print(join_condition("duckdb", model="a.model").splitlines()[0])
    p.model = a.model
    >>> "timezone(w.window_timezone" in join_condition("duckdb", prices="w", window=True)
    True
    """
    d = dialect_of(dialect)
    refs = usage_refs(usage, columns)
    p = ident(prices, "prices")
    name = refs["model"] if model is None else model
    return join_on(d, refs, p, name, window=window)


def cost_parts(
    dialect: str = "ansi",
    *,
    usage: str = "u",
    prices: str = "p",
    windows: str = "w",
    columns: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """SQL for each field of `llmcost.Cost`: input, cache_read, cache_write, output, tools,
    request_fees and total, each DECIMAL(38, 18) and equal to the `Cost` field of that name;
    all NULL wherever `cost()` raises. *prices* and *windows* are the aliases of the two
    joins of the price table (`join_condition` with ``window=False`` and ``True``).

    >>> list(cost_parts())
    ['input', 'cache_read', 'cache_write', 'output', 'tools', 'request_fees', 'total']
    """
    d = dialect_of(dialect)
    refs = usage_refs(usage, columns)
    return _cost_parts(d, refs, ident(prices, "prices"), ident(windows, "windows"))


def cost_expression(
    dialect: str = "ansi",
    *,
    usage: str = "u",
    prices: str = "p",
    windows: str = "w",
    columns: Mapping[str, str | None] | None = None,
) -> str:
    """One SQL expression equal to ``cost(...).total`` for a usage row joined to its price
    rows (see `cost_parts`): exactly `cost()`'s Decimal as DECIMAL(38, 18), or NULL wherever
    `cost()` raises.

    >>> sql = cost_expression("duckdb")
    >>> sql.startswith("CASE WHEN"), "DOUBLE" in sql, " / " in sql
    (True, False, False)
    """
    parts = cost_parts(dialect, usage=usage, prices=prices, windows=windows, columns=columns)
    return parts["total"]


def cost_query(
    dialect: str = "ansi",
    *,
    usage_table: str = "llm_usage",
    price_table: str = "llm_prices",
    alias_table: str | None = "llm_model_aliases",
    columns: Mapping[str, str | None] | None = None,
) -> str:
    """A SELECT that prices every row of *usage_table*: its columns plus the canonical model
    (``priced_model``) and ``cost_input``, ``cost_cache_read``, ``cost_cache_write``,
    ``cost_output``, ``cost_tools``, ``cost_request_fees`` and ``cost_total``.

    Raw model names are matched through *alias_table* after ``LOWER(TRIM(...))``; pass
    ``alias_table=None`` when ``model`` already holds canonical ids. Rows without a price
    keep NULL costs (LEFT JOINs), never $0.

    >>> lines = cost_query("spark").splitlines()
    >>> for line in lines:
    ...     if line.startswith(("FROM", "LEFT JOIN")):
    ...         print(line)
    FROM llm_usage AS u
    LEFT JOIN llm_model_aliases AS a ON a.alias = LOWER(TRIM(u.model))
    LEFT JOIN llm_prices AS p ON p.model = a.model
    LEFT JOIN llm_prices AS w ON w.model = a.model
    """
    d = dialect_of(dialect)
    parts = cost_parts(d, columns=columns)
    cols = ",\n".join(f"  {parts[k]} AS cost_{k}" for k in COST_FIELDS)
    usage = ident(usage_table, "usage_table")
    prices = ident(price_table, "price_table")
    refs = usage_refs("u", columns)
    if alias_table is None:
        model, joins = refs["model"], []
    else:
        aliases = ident(alias_table, "alias_table")
        model = "a.model"
        joins = [f"LEFT JOIN {aliases} AS a ON a.alias = LOWER(TRIM({refs['model']}))"]
    joins.append(
        f"LEFT JOIN {prices} AS p ON {join_on(d, refs, 'p', model, window=False)}\n"
        f"LEFT JOIN {prices} AS w ON {join_on(d, refs, 'w', model, window=True)}"
    )
    body = "\n".join(joins)
    head = f"SELECT\n  u.*,\n  p.model AS priced_model,\n{cols}\nFROM {usage} AS u"
    return f"{head}\n{body}"
