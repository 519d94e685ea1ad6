"""`llmcost.sql` and the price rows: the SQL cost equals `cost()` to the last digit."""

from __future__ import annotations

import collections
import csv
import doctest
import importlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, localcontext
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import llmcost
from llmcost import sql
from llmcost._prices import KNOWN_TOOLS
from llmcost._when import window_at, zone
from llmcost._rows import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows
from llmcost._rows_read import registry_from_rows

from .strategies_sql import COUNTS, Case, cases, edge_registry, random_cases

UTC = timezone.utc
COST_FIELDS = ("input", "cache_read", "cache_write", "output", "tools", "request_fees", "total")
USAGE_TYPES = {"id": "BIGINT", **sql.column_types("duckdb", table="usage")}
N_USAGES = 100_000
EDGE = edge_registry()


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


def _text(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write *rows* as CSV with a header; None becomes an empty cell."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows([_text(v) for v in row] for row in rows)


def load_csv(con: Any, path: Path, table: str) -> None:
    """Insert a CSV file (text cells, '' for NULL) into an existing, typed table."""
    con.execute(
        f"INSERT INTO {table} SELECT * FROM read_csv('{path}', header = true, "
        "all_varchar = true, nullstr = '')"
    )


def load_prices(con: Any, tmp: Path, registry: llmcost.Registry) -> None:
    """The exported price and alias rows of *registry* as DuckDB tables, typed by the DDL."""
    con.execute(sql.price_table_ddl("duckdb"))
    con.execute(sql.alias_table_ddl("duckdb"))
    for table, columns, rows in (
        ("llm_prices", PRICE_COLUMNS, price_rows(registry)),
        ("llm_model_aliases", ALIAS_COLUMNS, alias_rows(registry)),
    ):
        path = tmp / f"{table}.csv"
        write_csv(path, columns, ([r[c] for c in columns] for r in rows))
        load_csv(con, path, table)


def load_usage(con: Any, tmp: Path, rows: list[Case], table: str = "llm_usage") -> None:
    """The cases as a usage table with an ``id`` column first."""
    cols = ", ".join(f"{c} {t}" for c, t in USAGE_TYPES.items())
    con.execute(f"CREATE OR REPLACE TABLE {table} ({cols})")
    path = tmp / f"{table}.csv"
    write_csv(path, list(USAGE_TYPES), (r.sql_row() for r in rows))
    load_csv(con, path, table)


def sql_costs(con: Any, dialect: str = "duckdb") -> list[tuple[Any, ...]]:
    """Every usage row priced by `sql.cost_query`, ordered by id."""
    cols = ", ".join(f"cost_{f}" for f in COST_FIELDS)
    query = f"SELECT id, priced_model, {cols} FROM ({sql.cost_query(dialect)}) ORDER BY id"
    return list(con.execute(query).fetchall())


def priced_in_duckdb(
    duckdb: ModuleType, tmp: Path, registry: llmcost.Registry, rows: list[Case]
) -> tuple[Any, list[tuple[Any, ...]]]:
    """Load *registry* and *rows* into a new DuckDB database and price them."""
    con = duckdb.connect()
    load_prices(con, tmp, registry)
    load_usage(con, tmp, rows)
    return con, sql_costs(con)


def expected(registry: llmcost.Registry, row: Case) -> tuple[Decimal | None, ...]:
    """What `cost()` says for *row*: its seven amounts, or all None where it raises."""
    try:
        usage = llmcost.Usage(**row.counts, tool_calls=row.tools)
        c = llmcost.cost(
            row.model,
            usage,
            service_tier=row.service_tier,
            speed=row.speed,
            inference_geo=row.inference_geo,
            batch=bool(row.is_batch),
            at=row.at,
            registry=registry,
        )
    except (llmcost.MissingRateError, llmcost.InvalidUsageError, llmcost.RetiredModelError):
        return (None,) * len(COST_FIELDS)
    return tuple(getattr(c, f) for f in COST_FIELDS)


def assert_all_equal(
    registry: llmcost.Registry, rows: list[Case], got: list[tuple[Any, ...]]
) -> collections.Counter[str]:
    """Every SQL amount equals cost()'s exactly (all NULL where it raises); counts the cases."""
    assert len(got) == len(rows)
    seen: collections.Counter[str] = collections.Counter()
    for row, (rid, priced, *costs) in zip(rows, got, strict=True):
        assert rid == row.id
        want = expected(registry, row)
        assert tuple(costs) == want, (row, costs, want)
        if want[-1] is None:
            seen["null"] += 1
            continue
        assert priced == row.model, row
        seen["priced"] += 1
        price = registry.get(row.model, at=row.at)
        seen["window"] += any(
            window_at(price, row.at or datetime.now(UTC)) is w for w in price.windows
        )
        seen["variant"] += bool(row.service_tier and row.service_tier.strip() not in (
            "", "default", "standard", "auto") or row.speed not in (None, "standard", "normal")
            or row.is_batch)  # fmt: skip
        seen["geo"] += row.inference_geo not in (None, "", "global")
        seen["tier"] += any(row.counts["input_tokens"] > t.above_input_tokens for t in price.tiers)
        seen["media"] += any(row.counts[f"{m}_input_tokens"] for m in ("audio", "image", "video"))
        seen["cache_write"] += want[2] is not None and want[2] > 0
        seen["tools"] += want[4] is not None and want[4] > 0
        seen["fees"] += want[5] is not None and want[5] > 0
        seen["dated"] += len(registry.history(row.model)) > 1
    return seen


# --- the proof of equality --------------------------------------------------------------------


def test_sql_equals_cost_on_100k_random_usages(duckdb: ModuleType, tmp_path: Path) -> None:
    """100,000 usages over every shipped model: DuckDB's SQL amounts equal cost()'s exactly."""
    registry = llmcost.Registry.default()
    rows = random_cases(registry, N_USAGES, seed=20261201)
    _, got = priced_in_duckdb(duckdb, tmp_path, registry, rows)
    seen = assert_all_equal(registry, rows, got)
    assert {r.model for r in rows} == set(registry)
    assert seen["null"] > 1_000, seen
    assert seen["priced"] > N_USAGES // 3, seen
    for case in ("tier", "variant", "cache_write", "dated"):
        assert seen[case] > 100, seen
    prices = registry.prices()
    for case, present in (
        ("window", any(p.windows for p in prices)),
        ("geo", any(p.inference_geo for p in prices)),
        ("media", any(p.audio_input_per_mtok or p.image_input_per_mtok for p in prices)),
        ("tools", any(p.tool_per_kcall for p in prices)),
        ("fees", any(p.request_per_kcall for p in prices)),
    ):
        assert seen[case] > 0 or not present, (case, seen)


def test_sql_equals_cost_on_edge_cases(duckdb: ModuleType, tmp_path: Path) -> None:
    """30,000 usages of the edge-case registry: windows, except-dates, variants, regions."""
    rows = random_cases(EDGE, 30_000, seed=7)
    _, got = priced_in_duckdb(duckdb, tmp_path, EDGE, rows)
    seen = assert_all_equal(EDGE, rows, got)
    for case in ("window", "variant", "geo", "tier", "media", "cache_write", "tools", "fees"):
        assert seen[case] > 300, seen
    assert seen["null"] > 3_000, seen


def test_ansi_text_equals_cost_on_duckdb(duckdb: ModuleType, tmp_path: Path) -> None:
    """The ANSI dialect's text, run on DuckDB, prices the edge cases exactly as cost() does."""
    rows = random_cases(EDGE, 5_000, seed=11)
    con = duckdb.connect()
    load_prices(con, tmp_path, EDGE)
    load_usage(con, tmp_path, rows)
    assert_all_equal(EDGE, rows, sql_costs(con, "ansi"))


@pytest.fixture(scope="module")
def edge_db(duckdb: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A DuckDB database holding the edge registry's price tables."""
    con = duckdb.connect()
    load_prices(con, tmp_path_factory.mktemp("edge"), EDGE)
    return con


@settings(max_examples=60)
@given(rows=cases(EDGE))
def test_sql_equals_cost_property(
    edge_db: Any, tmp_path_factory: pytest.TempPathFactory, rows: list[Case]
) -> None:
    """Hypothesis: any usages of the edge registry price in SQL exactly as cost() prices them."""
    load_usage(edge_db, tmp_path_factory.mktemp("u"), rows)
    assert_all_equal(EDGE, rows, sql_costs(edge_db))


def test_largest_usages_neither_overflow_nor_round(duckdb: ModuleType, tmp_path: Path) -> None:
    """10**15 tokens in every part, in every context of every period: exact DECIMAL(38, 18)."""
    rows: list[Case] = []
    big = 10**15
    counts = dict.fromkeys(COUNTS, 0)
    for registry in (EDGE, llmcost.Registry.default()):
        for r in price_rows(registry):
            if not r["available"]:
                continue
            at = _inside(r)
            for n_in in (big, r["up_to_input_tokens"] or big):
                # every count the row has a rate for, as large as cost() takes
                c = dict(counts, input_tokens=n_in, requests=big)
                c["output_tokens"] = big if r["output_per_mtok"] else 0
                for part in ("cache_read", "cache_write_5m", "cache_write_1h"):
                    if r[f"{part}_per_mtok"]:
                        c[f"{part}_tokens"] = n_in // 4
                tools = {t: big for t in KNOWN_TOOLS if r[f"{t}_per_kcall"] is not None}
                rows.append(Case(len(rows), r["model"], r["model"], c, tools, r["service_tier"],
                                 r["speed"], r["inference_geo"], None, at))  # fmt: skip
    con = duckdb.connect()
    registry = EDGE.merged(llmcost.Registry.default())
    load_prices(con, tmp_path, registry)
    load_usage(con, tmp_path, rows)
    seen = assert_all_equal(registry, rows, sql_costs(con))
    assert seen["priced"] > len(rows) // 2, seen
    assert max(g[-1] for g in sql_costs(con) if g[-1] is not None) > 10**12  # dollars
    types = con.execute(
        f"SELECT DISTINCT typeof(cost_total), typeof(cost_tools) FROM ({sql.cost_query('duckdb')})"
    ).fetchall()
    assert types == [("DECIMAL(38,18)", "DECIMAL(38,18)")]


def _inside(row: dict[str, Any]) -> datetime:
    """An instant inside the period (and, for a window row, the window) of a price row."""
    start = row["valid_from"]
    when = (
        datetime.fromisoformat(start.replace("Z", "+00:00"))
        if start
        else datetime(2025, 1, 1, tzinfo=UTC)
    )
    if row["window_timezone"] is None:
        return when
    tz = zone(row["window_timezone"])
    day = when.astimezone(tz).date()
    days = [int(d) for d in row["window_weekdays"].split(",")]
    skip = (row["window_except_dates"] or "").split(",")
    while day.weekday() not in days or day.isoformat() in skip or day <= when.date():
        day += timedelta(days=1)
    m = row["window_start_minute"]
    return datetime.combine(day, time(m // 60, m % 60), tz).astimezone(UTC)
