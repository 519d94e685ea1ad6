"""`cost()` as SQL: price a usage table inside a warehouse, exactly, in DECIMAL arithmetic.

Export the prices with ``llmcost prices`` (or `price_rows` / `alias_rows`, re-exported here
with `registry_from_rows`, their inverse, and the column orders `PRICE_COLUMNS` /
`ALIAS_COLUMNS`), load them into tables shaped by `price_table_ddl` and `alias_table_ddl`, then
select `cost_expression` over a usage table joined with `join_condition` (or run the whole
`cost_query`).

The usage table has the columns ``model``, ``input_tokens`` (cache tokens included, as in
`llmcost.Usage`), ``output_tokens``, ``cache_read_tokens``, ``cache_write_tokens``,
``cache_write_1h_tokens`` (integers), ``is_batch`` (boolean; NULL counts as false) and
``request_date`` (DATE; NULL prices as of ``CURRENT_DATE``, as `cost()` prices as of today).

The rule is `cost()`'s: uncached input at the input rate, cache reads and 5-minute / 1-hour
cache writes at their rates, output at the output rate; when ``input_tokens`` exceeds the
tier threshold, the tier's rates price the whole request; a batch request multiplies every
input-side rate by ``batch_input_factor`` and every output-side rate by
``batch_output_factor``. Where `cost()` raises (a needed cache or batch rate is missing, the
cache tokens exceed the input, a negative count) the total is NULL; an unmatched model or date
(LEFT JOIN) is NULL too.

Exactness: every step is cast to a DECIMAL type that holds it, so no engine rounds or falls
back to DOUBLE: token counts DECIMAL(19, 0), rates DECIMAL(14, 10) (what `price_rows`
guarantees), tokens x rate DECIMAL(24, 10), the per-token multiplier (1 or the batch factor,
times 0.000001) DECIMAL(12, 12), each cost DECIMAL(31, 22), results DECIMAL(38, 22). That holds
any count up to 10^9 tokens at any rate `price_rows` exports; a part whose tokens x rate per
million reaches 10^14 (e.g. 10^10 tokens at $10,000 per million) is an error in DuckDB and in
Spark's ANSI mode, NULL in Spark's legacy mode; never a rounded number. The types keep every
intermediate within 38 digits under the strictest rules we know (Spark's ``p1 + p2 + 1`` for a
product, DuckDB's 18-digit fast path for small operands), which is why the text is the same for
every dialect today; *dialect* picks the DDL types and leaves room for an engine that needs
different text.
"""

from __future__ import annotations

import re

from ._rows import (
    ALIAS_COLUMNS,
    INT_COLUMNS,
    PRICE_COLUMNS,
    RATE_COLUMNS,
    TIER_RATE_COLUMNS,
    alias_rows,
    price_rows,
    registry_from_rows,
)

__all__ = [
    "ALIAS_COLUMNS",
    "DIALECTS",
    "PRICE_COLUMNS",
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
]


def __dir__() -> list[str]:
    return list(__all__)


#: The dialects this module writes SQL for.
DIALECTS = ("ansi", "duckdb", "spark")

_TOKENS = "DECIMAL(19, 0)"
_RATE = "DECIMAL(14, 10)"
_STEP = "DECIMAL(24, 10)"
_FACTOR = "DECIMAL(7, 6)"
_MULT = "DECIMAL(12, 12)"
_PART = "DECIMAL(31, 22)"
_RESULT = "DECIMAL(38, 22)"

_STRING = {"ansi": "VARCHAR(4000)", "duckdb": "VARCHAR", "spark": "STRING"}
_NAME = {"ansi": "VARCHAR(255)", "duckdb": "VARCHAR", "spark": "STRING"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def _dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        msg = f"unknown SQL dialect {dialect!r}; choose one of {', '.join(DIALECTS)}"
        raise ValueError(msg)
    return dialect


def _ident(name: str, what: str) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        msg = f"{what} must be a plain SQL identifier such as 'u' or 'db.table', not {name!r}"
        raise ValueError(msg)
    return name


def column_types(dialect: str = "ansi", *, table: str = "prices") -> dict[str, str]:
    """The SQL type of each column of the ``"prices"`` or ``"aliases"`` table, in column order.

    >>> column_types("duckdb")["input_per_mtok"], column_types("spark")["model"]
    ('DECIMAL(14, 10)', 'STRING')
    >>> column_types("ansi", table="aliases")
    {'alias': 'VARCHAR(255)', 'model': 'VARCHAR(255)', 'kind': 'VARCHAR(255)'}
    """
    d = _dialect(dialect)
    if table == "aliases":
        return dict.fromkeys(ALIAS_COLUMNS, _NAME[d])
    if table != "prices":
        msg = f"table must be 'prices' or 'aliases', not {table!r}"
        raise ValueError(msg)
    types = {}
    for column in PRICE_COLUMNS:
        if column in RATE_COLUMNS or column in TIER_RATE_COLUMNS:
            types[column] = _RATE
        elif column.endswith("_factor"):
            types[column] = _FACTOR
        elif column in INT_COLUMNS:
            types[column] = "BIGINT"
        elif column in ("valid_from", "valid_to", "checked"):
            types[column] = "DATE"
        elif column in ("source_url", "note"):
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
    return f"CREATE TABLE {_ident(table, 'table')} (\n{cols}\n)"


def price_table_ddl(dialect: str = "ansi", *, table: str = "llm_prices") -> str:
    """A CREATE TABLE statement for the price rows (`llmcost._rows.PRICE_COLUMNS` order).

    >>> print(price_table_ddl("duckdb").splitlines()[:3])
    ['CREATE TABLE llm_prices (', '  model VARCHAR NOT NULL,', '  provider VARCHAR NOT NULL,']
    """
    d = _dialect(dialect)
    required = ("model", "provider", "input_per_mtok", "output_per_mtok", "tokenizer")
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
    d = _dialect(dialect)
    return _ddl(d, table, column_types(d, table="aliases"), ALIAS_COLUMNS)


def join_condition(
    dialect: str = "ansi", *, usage: str = "u", prices: str = "p", model: str | None = None
) -> str:
    """The ON condition joining a usage row to the price row in force on its date.

    *model* is the SQL expression of the canonical id (default ``<usage>.model``; with the
    alias table, ``a.model``). A NULL ``request_date`` means today, as in `cost()`.

    >>> print(join_condition(model="a.model"))
    p.model = a.model
      AND (p.valid_from IS NULL OR COALESCE(u.request_date, CURRENT_DATE) >= p.valid_from)
      AND (p.valid_to IS NULL OR COALESCE(u.request_date, CURRENT_DATE) < p.valid_to)
    """
    _dialect(dialect)
    u, p = _ident(usage, "usage"), _ident(prices, "prices")
    name = f"{u}.model" if model is None else model
    day = f"COALESCE({u}.request_date, CURRENT_DATE)"
    return (
        f"{p}.model = {name}\n"
        f"  AND ({p}.valid_from IS NULL OR {day} >= {p}.valid_from)\n"
        f"  AND ({p}.valid_to IS NULL OR {day} < {p}.valid_to)"
    )


def cost_parts(dialect: str = "ansi", *, usage: str = "u", prices: str = "p") -> dict[str, str]:
    """SQL for each field of `llmcost.Cost`: input, cache_read, cache_write, output, total.

    Each is DECIMAL(38, 22) and equals the `Cost` field of the same name. ``total`` is NULL
    wherever `cost()` raises; a part is NULL where it needs a missing rate (a batch request
    without batch rates: every part) or the usage is invalid.

    >>> sorted(cost_parts())
    ['cache_read', 'cache_write', 'input', 'output', 'total']
    """
    _dialect(dialect)
    u, p = _ident(usage, "usage"), _ident(prices, "prices")

    def rate(column: str) -> str:
        return (
            f"CASE WHEN {u}.input_tokens > {p}.tier_above_input_tokens "
            f"THEN {p}.tier_{column} ELSE {p}.{column} END"
        )

    def multiplier(side: str) -> str:
        return (
            f"CASE WHEN {u}.is_batch THEN CAST(CAST({p}.batch_{side}_factor AS {_FACTOR}) "
            f"* 0.000001 AS {_MULT}) ELSE CAST(0.000001 AS {_MULT}) END"
        )

    def term(tokens: str, column: str, side: str) -> str:
        step = f"CAST(CAST({tokens} AS {_TOKENS}) * CAST({rate(column)} AS {_RATE}) AS {_STEP})"
        return f"CAST({step}\n    * ({multiplier(side)}) AS {_PART})"

    def cached(tokens: str, column: str) -> str:
        # cost() prices zero tokens at 0 even where the rate is missing.
        priced = term(tokens, column, "input")
        return f"CASE WHEN {tokens} = 0 THEN CAST(0 AS {_PART}) ELSE {priced} END"

    uncached = (
        f"({u}.input_tokens - {u}.cache_read_tokens - {u}.cache_write_tokens"
        f" - {u}.cache_write_1h_tokens)"
    )
    valid = (
        f"{uncached} >= 0 AND {u}.cache_read_tokens >= 0 AND {u}.cache_write_tokens >= 0"
        f" AND {u}.cache_write_1h_tokens >= 0 AND {u}.output_tokens >= 0"
    )
    raw = {
        "input": term(uncached, "input_per_mtok", "input"),
        "cache_read": cached(f"{u}.cache_read_tokens", "cache_read_per_mtok"),
        "cache_write": (
            f"({cached(f'{u}.cache_write_tokens', 'cache_write_per_mtok')})\n + ("
            f"{cached(f'{u}.cache_write_1h_tokens', 'cache_write_1h_per_mtok')})"
        ),
        "output": term(f"{u}.output_tokens", "output_per_mtok", "output"),
    }
    total = " + ".join(f"({raw[k]})" for k in ("input", "cache_read", "cache_write", "output"))
    raw["total"] = total
    return {k: f"CASE WHEN {valid} THEN CAST({v} AS {_RESULT}) END" for k, v in raw.items()}


def cost_expression(dialect: str = "ansi", *, usage: str = "u", prices: str = "p") -> str:
    """One SQL expression equal to ``cost(...).total`` for a usage row joined to its price row.

    *usage* and *prices* are the aliases of the two tables in your query; join them with
    `join_condition`. The result is DECIMAL(38, 22): exactly `cost()`'s Decimal, or NULL
    wherever `cost()` raises.

    >>> sql = cost_expression("duckdb")
    >>> sql.startswith("CASE WHEN"), "DOUBLE" in sql, "/" in sql
    (True, False, False)
    """
    return cost_parts(dialect, usage=usage, prices=prices)["total"]


def cost_query(
    dialect: str = "ansi",
    *,
    usage_table: str = "llm_usage",
    price_table: str = "llm_prices",
    alias_table: str | None = "llm_model_aliases",
) -> str:
    """A SELECT that prices every row of *usage_table*: its columns plus the canonical model and
    ``cost_input``, ``cost_cache_read``, ``cost_cache_write``, ``cost_output``, ``cost_total``.

    Raw model names are matched through *alias_table* after ``LOWER(TRIM(...))``; pass
    ``alias_table=None`` when ``model`` already holds canonical ids. Rows whose model or date
    has no price keep NULL costs (LEFT JOINs).

    >>> for line in cost_query("spark").splitlines()[-5:]:
    ...     print(line)
    FROM llm_usage AS u
    LEFT JOIN llm_model_aliases AS a ON a.alias = LOWER(TRIM(u.model))
    LEFT JOIN llm_prices AS p ON p.model = a.model
      AND (p.valid_from IS NULL OR COALESCE(u.request_date, CURRENT_DATE) >= p.valid_from)
      AND (p.valid_to IS NULL OR COALESCE(u.request_date, CURRENT_DATE) < p.valid_to)
    """
    d = _dialect(dialect)
    parts = cost_parts(d)
    cols = ",\n".join(f"  {parts[k]} AS cost_{k}" for k in parts)
    usage = _ident(usage_table, "usage_table")
    prices = _ident(price_table, "price_table")
    if alias_table is None:
        joins = f"LEFT JOIN {prices} AS p ON {join_condition(d)}"
    else:
        aliases = _ident(alias_table, "alias_table")
        joins = (
            f"LEFT JOIN {aliases} AS a ON a.alias = LOWER(TRIM(u.model))\n"
            f"LEFT JOIN {prices} AS p ON {join_condition(d, model='a.model')}"
        )
    return f"SELECT\n  u.*,\n  p.model AS priced_model,\n{cols}\nFROM {usage} AS u\n{joins}"
