"""Price rows, alias rows and `llmcost.sql`: the SQL cost equals `cost()` to the last digit."""

from __future__ import annotations

import csv
import doctest
import functools
import importlib
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import llmcost
from llmcost import sql
from llmcost._litellm import from_litellm
from llmcost._rows import (
    ALIAS_COLUMNS,
    FACTOR_LIMIT,
    PRICE_COLUMNS,
    RATE_LIMIT,
    alias_rows,
    price_rows,
    registry_from_rows,
)

from .strategies import default_models, model_names, usages

DATA = Path(__file__).parent / "data"
COST_FIELDS = ("input", "cache_read", "cache_write", "output", "total")
USAGE_COLUMNS = (
    "id", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
    "cache_write_1h_tokens", "is_batch", "request_date",
)  # fmt: skip
USAGE_TYPES = (
    "BIGINT", "VARCHAR", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BOOLEAN", "DATE",
)  # fmt: skip
USAGE_TABLE = dict(zip(USAGE_COLUMNS, USAGE_TYPES, strict=True))
N_USAGES = 100_000


# --- DuckDB plumbing -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duckdb() -> ModuleType:
    """DuckDB, which these tests need: a missing install fails loudly instead of skipping."""
    try:
        return importlib.import_module("duckdb")
    except ImportError:
        pytest.fail(
            "duckdb is not installed: the SQL tests need it. Install the test extra "
            "(pip install -e '.[test]') or `pip install duckdb`.",
            pytrace=False,
        )


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write *rows* as CSV with a header; None becomes an empty cell."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows(["" if v is None else v for v in row] for row in rows)


def load_table(
    con: Any, tmp: Path, table: str, types: Mapping[str, str], rows: Iterable[Sequence[object]]
) -> None:
    """Create *table* with *types* and fill it from a CSV file (fast, unlike executemany)."""
    path = tmp / f"{table}.csv"
    write_csv(path, list(types), rows)
    cols = ", ".join(f"{c} {t}" for c, t in types.items())
    con.execute(f"CREATE TABLE {table} ({cols})")
    spec = ", ".join(f"'{c}': 'VARCHAR'" for c in types)
    con.execute(
        f"INSERT INTO {table} SELECT * FROM read_csv('{path}', header = true, "
        f"columns = {{{spec}}}, nullstr = '', quote = '\"', escape = '\"')"
    )


def load_prices(con: Any, tmp: Path, registry: llmcost.Registry) -> None:
    """The exported price and alias rows of *registry* as DuckDB tables, typed by the DDL."""
    con.execute(sql.price_table_ddl("duckdb"))
    con.execute(sql.alias_table_ddl("duckdb"))
    prices = [[r[c] for c in PRICE_COLUMNS] for r in price_rows(registry)]
    aliases = [[r[c] for c in ALIAS_COLUMNS] for r in alias_rows(registry)]
    for table, columns, rows in (
        ("llm_prices", PRICE_COLUMNS, prices),
        ("llm_model_aliases", ALIAS_COLUMNS, aliases),
    ):
        path = tmp / f"{table}.csv"
        write_csv(path, columns, rows)
        con.execute(
            f"INSERT INTO {table} SELECT * FROM read_csv('{path}', header = true, "
            "all_varchar = true, nullstr = '')"
        )


# --- random usages over every model, period, tier, cache and batch case ----------------------


@attrs.frozen
class Row:
    id: int
    raw_name: str
    model: str
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int
    is_batch: bool
    request_date: date | None

    def as_csv(self) -> list[object]:
        return [
            self.id, self.raw_name, self.input_tokens, self.output_tokens, self.cache_read_tokens,
            self.cache_write_tokens, self.cache_write_1h_tokens, self.is_batch,
            None if self.request_date is None else self.request_date.isoformat(),
        ]  # fmt: skip


def period_dates(rng: random.Random, p: llmcost.ModelPrice) -> date:
    """A date inside the period *p* is in force: often one of its two edges."""
    start = p.valid_from or (p.valid_to or date(2026, 6, 1)) - timedelta(days=700)
    end = (p.valid_to or start + timedelta(days=700)) - timedelta(days=1)
    pick = rng.random()
    if pick < 0.15:
        return start
    if pick < 0.3:
        return end
    return start + timedelta(days=rng.randint(0, (end - start).days))


def token_counts(rng: random.Random, threshold: int | None) -> tuple[int, int, int, int, int]:
    """input, output, cache read, 5m write, 1h write: small, near a tier edge, large, huge."""
    kind = rng.random()
    if kind < 0.35:
        n_in, n_out = rng.randint(0, 20_000), rng.randint(0, 4_000)
    elif kind < 0.6:
        edge = threshold if threshold is not None else 200_000
        n_in, n_out = edge + rng.randint(-2, 2), rng.randint(0, 50_000)
    elif kind < 0.85:
        n_in, n_out = rng.randint(0, 3_000_000), rng.randint(0, 300_000)
    else:
        n_in, n_out = rng.randint(0, 10**9), rng.randint(0, 10**9)
    caches = []
    left = n_in
    for _ in range(3):
        n = rng.randint(0, left) if rng.random() < 0.3 else 0
        caches.append(n)
        left -= n
    rng.shuffle(caches)
    if rng.random() < 0.003:
        caches[0] = n_in + 1  # invalid: cost() refuses it, SQL gives NULL
    return n_in, n_out, caches[0], caches[1], caches[2]


def random_rows(registry: llmcost.Registry, n: int, seed: int) -> list[Row]:
    """*n* usages spread over every model of *registry*, named the ways logs name them."""
    rng = random.Random(seed)
    names: dict[str, list[str]] = {}
    for r in alias_rows(registry):
        names.setdefault(r["model"], []).append(r["alias"])
    models = list(registry)
    rows = []
    for i in range(n):
        model = models[i % len(models)]
        period = rng.choice(registry.history(model))
        threshold = period.tiers[0].above_input_tokens if period.tiers else None
        raw = rng.choice(names[model])
        if rng.random() < 0.2:
            raw = f"  {raw.upper()} "
        when = None if rng.random() < 0.01 else period_dates(rng, period)
        rows.append(Row(i, raw, model, *token_counts(rng, threshold), rng.random() < 0.3, when))
    return rows


def expected(registry: llmcost.Registry, row: Row) -> tuple[Decimal | None, ...]:
    """What `cost()` says for *row*: its five fields, or all None where it raises."""
    try:
        usage = llmcost.Usage(
            input_tokens=row.input_tokens,
            output_tokens=row.output_tokens,
            cache_read_tokens=row.cache_read_tokens,
            cache_write_tokens=row.cache_write_tokens,
            cache_write_1h_tokens=row.cache_write_1h_tokens,
        )
        c = llmcost.cost(
            row.model, usage, batch=row.is_batch, at=row.request_date, registry=registry
        )
    except (llmcost.MissingRateError, llmcost.InvalidUsageError):
        return (None,) * len(COST_FIELDS)
    return tuple(getattr(c, f) for f in COST_FIELDS)


def sql_costs(
    duckdb: ModuleType, tmp: Path, registry: llmcost.Registry, rows: list[Row]
) -> tuple[Any, list[tuple[Any, ...]]]:
    """Load *registry* and *rows* into DuckDB and price them with `sql.cost_query`."""
    con = duckdb.connect()
    load_prices(con, tmp, registry)
    load_table(con, tmp, "llm_usage", USAGE_TABLE, (r.as_csv() for r in rows))
    cols = ", ".join(f"cost_{f}" for f in COST_FIELDS)
    query = f"SELECT id, priced_model, {cols} FROM ({sql.cost_query('duckdb')}) ORDER BY id"
    return con, con.execute(query).fetchall()


def assert_all_equal(
    registry: llmcost.Registry, rows: list[Row], got: list[tuple[Any, ...]]
) -> dict[str, int]:
    """Every SQL cost equals cost() exactly (NULL where it raises); returns case counts."""
    assert len(got) == len(rows)
    seen = {"null": 0, "batch": 0, "tier": 0, "cache": 0, "dated": 0}
    for row, (rid, priced, *costs) in zip(rows, got, strict=True):
        assert rid == row.id
        assert priced == row.model, row
        want = expected(registry, row)
        if want[-1] is None:
            assert costs[-1] is None, (row, costs)
            seen["null"] += 1
            continue
        assert tuple(costs) == want, (row, costs, want)
        price = registry.get(row.model, at=row.request_date)
        seen["batch"] += row.is_batch
        seen["tier"] += any(row.input_tokens > t.above_input_tokens for t in price.tiers)
        seen["cache"] += bool(
            row.cache_read_tokens or row.cache_write_tokens or row.cache_write_1h_tokens
        )
        seen["dated"] += len(registry.history(row.model)) > 1
    return seen


# --- the proof of equality --------------------------------------------------------------------


def test_sql_equals_cost_on_100k_random_usages(duckdb: ModuleType, tmp_path: Path) -> None:
    """100,000 usages over every shipped model: DuckDB's SQL cost equals cost() exactly."""
    registry = llmcost.Registry.default()
    rows = random_rows(registry, N_USAGES, seed=20261128)
    _, got = sql_costs(duckdb, tmp_path, registry, rows)
    seen = assert_all_equal(registry, rows, got)
    # every interesting case really occurred, many times
    assert min(seen.values()) > 1_000, seen
    assert {r.model for r in rows} == set(registry)


def test_sql_equals_cost_for_litellm_prices(duckdb: ModuleType, tmp_path: Path) -> None:
    """The rows of the default registry merged with litellm's sample price exactly too."""
    registry = llmcost.Registry.default().merged(from_litellm(DATA / "litellm_sample.json"))
    rows = random_rows(registry, 20_000, seed=7)
    _, got = sql_costs(duckdb, tmp_path, registry, rows)
    assert_all_equal(registry, rows, got)


def test_largest_usages_neither_overflow_nor_round(duckdb: ModuleType, tmp_path: Path) -> None:
    """10^9 tokens in every column, batch or not, on every price period: exact DECIMAL(38, 22)."""
    registry = llmcost.Registry.default()
    rows: list[Row] = []
    big, quarter = 10**9, 10**9 // 4
    for model in registry:
        for p in registry.history(model):
            when = p.valid_from or date(2020, 1, 1)
            for batch in (False, True):
                for counts in (
                    (big, big, quarter, quarter, quarter),
                    (big, big, 0, 0, 0),
                    (0, big, 0, 0, 0),
                    (big, 0, big, 0, 0),
                ):
                    rows.append(Row(len(rows), model, model, *counts, batch, when))
    con, got = sql_costs(duckdb, tmp_path, registry, rows)
    seen = assert_all_equal(registry, rows, got)
    assert seen["tier"] > 0
    assert seen["batch"] > 0
    assert max(r[-1] for r in got if r[-1] is not None) > 10_000  # dollars: large indeed
    types = con.execute(
        f"SELECT DISTINCT typeof(cost_total), typeof(cost_input) FROM ({sql.cost_query('duckdb')})"
    ).fetchall()
    assert types == [("DECIMAL(38,22)", "DECIMAL(38,22)")]


def test_sql_types_hold_every_exported_rate() -> None:
    """Every exported rate fits DECIMAL(14, 10), every factor DECIMAL(7, 6): no cast rounds."""
    rows = price_rows(llmcost.Registry.default())
    for row in rows:
        for column, value in row.items():
            if value is None or not column.endswith(("_per_mtok", "_factor")):
                continue
            d = Decimal(str(value))
            limit, places = (FACTOR_LIMIT, 6) if column.endswith("_factor") else (RATE_LIMIT, 10)
            assert 0 <= d < limit, (row["model"], column, d)
            assert -int(d.as_tuple().exponent) <= places, (row["model"], column, d)
    # The largest part: 10^9 tokens x $9,999.9999999999 per million x a factor below 10, in $:
    largest = Decimal(10**9) * (RATE_LIMIT - Decimal("1E-10")) * Decimal("9.999999") / 10**6
    assert largest < Decimal(10) ** (31 - 22)  # fits DECIMAL(31, 22); four parts fit (38, 22)


def test_cost_query_without_alias_table(duckdb: ModuleType, tmp_path: Path) -> None:
    """With canonical ids in the usage table, the query needs no alias table."""
    registry = llmcost.Registry.default()
    con = duckdb.connect()
    load_prices(con, tmp_path, registry)
    row = Row(
        1,
        "claude-sonnet-4-5",
        "claude-sonnet-4-5",
        250_000,
        1_000,
        50_000,
        0,
        10_000,
        True,
        date(2026, 1, 5),
    )
    load_table(con, tmp_path, "usage_log", USAGE_TABLE, [row.as_csv()])
    query = sql.cost_query("duckdb", usage_table="usage_log", alias_table=None)
    (total,) = con.execute(f"SELECT cost_total FROM ({query})").fetchone()
    assert total == expected(registry, row)[-1]
    # above 200k: tier rates 6 / 0.6 / 12 / 22.5 per million, halved by the batch discount
    assert total == Decimal("0.57") + Decimal("0.015") + Decimal("0.06") + Decimal("0.01125")


def test_unknown_model_and_uncovered_date_give_null(duckdb: ModuleType, tmp_path: Path) -> None:
    """A model the tables do not know gives NULL costs, never $0."""
    con = duckdb.connect()
    load_prices(con, tmp_path, llmcost.Registry.default())
    unknown = Row(1, "gpt-4o-mni", "", 100, 100, 0, 0, 0, False, date(2026, 1, 1))
    load_table(con, tmp_path, "llm_usage", USAGE_TABLE, [unknown.as_csv()])
    got = con.execute(
        f"SELECT priced_model, cost_total FROM ({sql.cost_query('duckdb')})"
    ).fetchall()
    assert got == [(None, None)]


def test_ddl_and_expressions_are_checked() -> None:
    """Unknown dialects and non-identifiers are refused with a ValueError."""
    with pytest.raises(ValueError, match="unknown SQL dialect 'mysql'"):
        sql.cost_expression("mysql")
    with pytest.raises(ValueError, match="plain SQL identifier"):
        sql.cost_expression(usage="u; DROP TABLE x")
    with pytest.raises(ValueError, match="plain SQL identifier"):
        sql.cost_query(price_table="prices p")
    with pytest.raises(ValueError, match="'prices' or 'aliases'"):
        sql.column_types(table="usage")
    assert "NOT NULL" not in sql.price_table_ddl("spark")
    assert "model VARCHAR(255) NOT NULL" in sql.price_table_ddl("ansi")
    assert list(sql.column_types("spark")) == list(PRICE_COLUMNS)


def test_expression_uses_no_division_or_floats() -> None:
    """The SQL multiplies by DECIMAL literals only: no division, DOUBLE or FLOAT anywhere."""
    for dialect in sql.DIALECTS:
        text = sql.cost_query(dialect).upper()
        for word in ("DOUBLE", "FLOAT", "REAL", " / "):
            assert word not in text, (dialect, word)
        assert sql.cost_expression(dialect) == sql.cost_parts(dialect)["total"]


def test_sql_public_names() -> None:
    """llmcost.sql exports exactly its documented names, each with a docstring example."""
    assert sql.__all__ == sorted(sql.__all__)
    assert set(sql.__all__) == {
        "ALIAS_COLUMNS", "DIALECTS", "PRICE_COLUMNS", "alias_rows", "alias_table_ddl",
        "column_types", "cost_expression", "cost_parts", "cost_query", "join_condition",
        "price_rows", "price_table_ddl", "registry_from_rows",
    }  # fmt: skip
    assert dir(sql) == sql.__all__
    for name in sql.__all__:
        obj = getattr(sql, name)
        if callable(obj):
            assert obj.__doc__ and ">>>" in obj.__doc__, name


def test_sql_doctests() -> None:
    """The docstring examples of llmcost.sql and llmcost._rows run and pass."""
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for module in (sql, importlib.import_module("llmcost._rows")):
        result = doctest.testmod(module, optionflags=flags)
        assert result.attempted > 0
        assert result.failed == 0, module.__name__


# --- price rows -------------------------------------------------------------------------------


def test_price_rows_shape() -> None:
    """One row per model and period, keyed by PRICE_COLUMNS, periods back to back."""
    registry = llmcost.Registry.default()
    rows = price_rows(registry)
    assert len(rows) == sum(len(registry.history(m)) for m in registry)
    assert all(list(r) == list(PRICE_COLUMNS) for r in rows)
    by_model: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_model.setdefault(str(r["model"]), []).append(r)
    for model, periods in by_model.items():
        assert periods[0]["valid_from"] is None, model
        assert periods[-1]["valid_to"] is None, model
        for a, b in itertools.pairwise(periods):
            assert a["valid_to"] == b["valid_from"] is not None, model
    gpt4o = by_model["gpt-4o"][0]
    assert (gpt4o["input_per_mtok"], gpt4o["batch_input_per_mtok"]) == ("2.5", "1.25")
    assert (gpt4o["batch_input_factor"], gpt4o["batch_output_factor"]) == ("0.5", "0.5")
    tiered = by_model["claude-sonnet-4-5"][0]
    assert tiered["tier_above_input_tokens"] == 200_000
    assert tiered["tier_cache_write_1h_per_mtok"] == "12"
    assert by_model["deepseek-chat"][0]["batch_input_factor"] is None


def _price(**rates: Any) -> llmcost.ModelPrice:
    fields: dict[str, Any] = {"input_per_mtok": "3", "output_per_mtok": "15", **rates}
    return llmcost.ModelPrice(model="m", provider="acme", tokenizer="llama", **fields)


@pytest.mark.parametrize(
    ("price", "message"),
    [
        (
            _price(
                tiers=[
                    llmcost.PriceTier(
                        above_input_tokens=1, input_per_mtok="1", output_per_mtok="1"
                    ),
                    llmcost.PriceTier(
                        above_input_tokens=2, input_per_mtok="1", output_per_mtok="1"
                    ),
                ]
            ),
            "2 long-context tiers",
        ),
        (_price(cache_read_per_mtok="0.00000000001"), "does not fit the SQL rate type"),
        (_price(output_per_mtok="10000"), "does not fit the SQL rate type"),
        (_price(batch_input_per_mtok="1", batch_output_per_mtok="7.5"), "is not an exact decimal"),
        (
            _price(batch_input_per_mtok="0.0000003", batch_output_per_mtok="7.5"),
            "is not an exact decimal",
        ),
    ],
)
def test_price_rows_fail_loudly(price: llmcost.ModelPrice, message: str) -> None:
    """A price SQL could not reproduce exactly stops the export with a PriceDataError."""
    with pytest.raises(llmcost.PriceDataError, match=message):
        price_rows(llmcost.Registry([price]))


# --- alias rows -------------------------------------------------------------------------------


def test_alias_rows_resolve_to_their_model() -> None:
    """Every alias row is lower-case, unique, and resolves to its model in the registry."""
    registry = llmcost.Registry.default()
    rows = alias_rows(registry)
    aliases = [r["alias"] for r in rows]
    assert aliases == sorted(set(aliases))
    assert all(list(r) == list(ALIAS_COLUMNS) for r in rows)
    for r in rows:
        assert r["alias"] == r["alias"].lower().strip()
        assert registry.resolve(r["alias"]) == r["model"], r
    ids = {r["model"] for r in rows if r["kind"] == "id"}
    assert ids == set(registry)
    kinds = {r["alias"]: r["kind"] for r in rows}
    assert kinds["gpt-4o-2024-08-06"] == "alias"
    assert kinds["openai/gpt-4o"] == kinds["gemini/gemini-2.5-pro"] == "prefixed"
    assert "openai/claude-sonnet-4-5" not in kinds  # only the model's own vendor prefixes


def test_alias_rows_resolve_extra_names() -> None:
    """Raw names from logs are resolved in Python; unknown ones are left out."""
    rows = alias_rows(
        llmcost.Registry.default(),
        names=[" OpenRouter/Anthropic/Claude-Sonnet-4-5 ", "bedrock/llama-3-70b", "no-such-model"],
    )
    by_alias = {r["alias"]: r for r in rows}
    assert by_alias["openrouter/anthropic/claude-sonnet-4-5"] == {
        "alias": "openrouter/anthropic/claude-sonnet-4-5",
        "model": "claude-sonnet-4-5",
        "kind": "name",
    }
    assert by_alias["bedrock/llama-3-70b"]["kind"] == "id"  # already listed: first kind kept
    assert "no-such-model" not in by_alias


# --- the round trip ---------------------------------------------------------------------------


@functools.cache
def back() -> llmcost.Registry:
    """The default registry rebuilt from its exported rows (built once, inside a test)."""
    default = llmcost.Registry.default()
    return registry_from_rows(price_rows(default), alias_rows(default))


def _outcome(fn: Any) -> object:
    try:
        c = fn()
    except llmcost.LLMCostError as e:
        return (type(e), str(e))
    return tuple(getattr(c, f) for f in COST_FIELDS)


@given(
    model=default_models(),
    usage=usages(),
    batch=st.booleans(),
    at=st.none() | st.dates(date(2023, 1, 1), date(2028, 12, 31)),
)
def test_round_trip_prices_identically(
    model: str, usage: llmcost.Usage, batch: bool, at: date | None
) -> None:
    """The registry rebuilt from the exported rows prices any usage as the default one does."""
    want = _outcome(lambda: llmcost.cost(model, usage, batch=batch, at=at))
    got = _outcome(lambda: llmcost.cost(model, usage, batch=batch, at=at, registry=back()))
    assert got == want


@given(name=model_names())
def test_round_trip_resolves_identically(name: str) -> None:
    """The rebuilt registry resolves every name to the same canonical id (or to none)."""
    assert _outcome_name(back(), name) == _outcome_name(llmcost.Registry.default(), name)


def _outcome_name(registry: llmcost.Registry, name: str) -> object:
    try:
        return registry.resolve(name)
    except llmcost.UnknownModelError as e:
        return type(e)


def test_round_trip_keeps_every_field() -> None:
    """Each rebuilt period equals the original except that aliases are lower-cased and sorted."""
    default = llmcost.Registry.default()
    for model in default:
        for a, b in zip(default.history(model), back().history(model), strict=True):
            assert b == attrs.evolve(a, aliases=sorted(x.lower() for x in a.aliases)), model


def test_round_trip_through_csv_text(tmp_path: Path) -> None:
    """Rows read back from CSV (all text, empty cells) rebuild the same registry."""
    path = tmp_path / "prices.csv"
    default = llmcost.Registry.default()
    write_csv(path, PRICE_COLUMNS, ([r[c] for c in PRICE_COLUMNS] for r in price_rows(default)))
    with path.open(encoding="utf-8", newline="") as f:
        text_rows = list(csv.DictReader(f))
    rebuilt = registry_from_rows(text_rows, alias_rows(default))
    assert price_rows(rebuilt) == price_rows(back())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch_input_factor": "0.4"}, "disagrees with the batch rates"),
        ({"valid_to": "2030-01-01"}, "must follow each other"),
        ({"tokenizer": None}, "tokenizer must be a non-empty string"),
        ({"input_per_mtok": "-1"}, "is negative"),
        ({"tier_above_input_tokens": "x"}, "non-negative integer"),
    ],
)
def test_registry_from_rows_refuses_bad_rows(change: dict[str, Any], message: str) -> None:
    """Inconsistent or malformed rows raise PriceDataError naming the row."""
    rows = [r for r in price_rows(llmcost.Registry.default()) if r["model"] == "gpt-4o"]
    rows[0] = {**rows[0], **change}
    with pytest.raises(llmcost.PriceDataError, match=message):
        registry_from_rows(rows)


def test_registry_from_rows_needs_the_aliased_model() -> None:
    """An alias row whose model has no price row is an error, not a silent drop."""
    rows = [r for r in price_rows(llmcost.Registry.default()) if r["model"] == "gpt-4o"]
    with pytest.raises(llmcost.PriceDataError, match="has no price row"):
        registry_from_rows(rows, [{"alias": "x", "model": "o3", "kind": "alias"}])
