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

import llmcost
from llmcost import sql
from llmcost._prices import KNOWN_TOOLS
from llmcost._rows import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows
from llmcost._rows_read import registry_from_rows
from llmcost._when import window_at, zone

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
        seen["variant"] += bool((row.service_tier and row.service_tier.strip() not in (
            "", "default", "standard", "auto")) or row.speed not in (None, "standard", "normal")
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


# --- worked examples, computed by hand from the rates --------------------------------------


def _one(
    duckdb: ModuleType, tmp: Path, model: str, at: datetime | None, **fields: Any
) -> tuple[Any, ...]:
    """The seven SQL amounts of one usage of an EDGE model (other counts 0, one request)."""
    tools = fields.pop("tools", {})
    context = {k: fields.pop(k, None) for k in ("service_tier", "speed", "inference_geo")}
    counts = dict.fromkeys(COUNTS, 0) | {"requests": 1} | fields
    case = Case(0, model, model, counts, tools, **context, is_batch=fields.pop("b", None), at=at)
    con = duckdb.connect()
    load_prices(con, tmp, EDGE)
    load_usage(con, tmp, [case])
    (row,) = sql_costs(con)
    return tuple(row[2:])


PEAK = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 Wednesday in Beijing


def test_peak_off_peak_and_holiday(duckdb: ModuleType, tmp_path: Path) -> None:
    """Peak windows double the rates; off-peak, weekends and except-dates do not."""
    m = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    # peak: (0.14 + 0.28) x 2 = 0.84
    assert _one(duckdb, tmp_path, "peak-model", PEAK, **m)[-1] == Decimal("0.84")
    off_peak = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 Beijing: the window has ended
    assert _one(duckdb, tmp_path, "peak-model", off_peak, **m)[-1] == Decimal("0.42")
    saturday = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert _one(duckdb, tmp_path, "peak-model", saturday, **m)[-1] == Decimal("0.42")
    holiday = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # a Thursday, but an except-date
    assert _one(duckdb, tmp_path, "peak-model", holiday, **m)[-1] == Decimal("0.42")
    before = datetime(2026, 4, 24, 15, 59, 59, tzinfo=UTC)  # the first period: 0.27 + 1.1
    assert _one(duckdb, tmp_path, "peak-model", before, **m)[-1] == Decimal("1.37")
    # batch in a multiplier window: 0.42 x 0.5 x 2
    assert _one(duckdb, tmp_path, "peak-model", PEAK, b=True, **m)[-1] == Decimal("0.42")


def test_retired_model_is_null_after_its_retirement(duckdb: ModuleType, tmp_path: Path) -> None:
    """Before the retirement instant the model prices; at and after it, NULL (cost raises)."""
    m = {"input_tokens": 1_000_000}
    just_before = datetime(2027, 3, 1, 12, 29, 59, tzinfo=UTC)  # a Monday, 20:29 in Beijing
    assert _one(duckdb, tmp_path, "peak-model", just_before, **m)[-1] == Decimal("0.14")
    retired = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
    assert _one(duckdb, tmp_path, "peak-model", retired, **m) == (None,) * 7
    with pytest.raises(llmcost.RetiredModelError):
        llmcost.cost("peak-model", input_tokens=1, at=retired, registry=EDGE)


def test_variants_regions_and_tiers(duckdb: ModuleType, tmp_path: Path) -> None:
    """Flex, priority, fast and a region, below and above the 200k tier, by hand."""
    at = datetime(2026, 6, 1, tzinfo=UTC)
    fee = Decimal("0.5") / 1000  # one request at $0.5 per thousand
    m = {"input_tokens": 100_000, "output_tokens": 10_000}
    # flex: 0.1M x 1.5 + 0.01M x 7.5 = 0.15 + 0.075
    assert (
        _one(duckdb, tmp_path, "tiered-model", at, service_tier="flex", **m)[-1]
        == Decimal("0.225") + fee
    )
    # priority (1.75x) in the EU (1.25x): 0.3 + 0.15 = 0.45 standard, x 2.1875
    got = _one(
        duckdb, tmp_path, "tiered-model", at, service_tier="Priority", inference_geo="EU", **m
    )
    assert got[-1] == Decimal("0.45") * Decimal("1.75") * Decimal("1.25") + fee
    big = {"input_tokens": 300_000, "output_tokens": 10_000}
    # fast above 200k: 0.3M x 36 + 0.01M x 135
    assert (
        _one(duckdb, tmp_path, "tiered-model", at, speed="fast", **big)[-1]
        == Decimal("12.15") + fee
    )
    # flex lists no tier above 200k: cost() raises, SQL is NULL
    assert _one(duckdb, tmp_path, "tiered-model", at, service_tier="flex", **big) == (None,) * 7
    # a geo the model has no multiplier for
    assert _one(duckdb, tmp_path, "tiered-model", at, inference_geo="jp", **m) == (None,) * 7


def test_modalities_tools_and_fees(duckdb: ModuleType, tmp_path: Path) -> None:
    """Audio, image and video input, cached audio, media output, tool calls, a request fee."""
    at = datetime(2026, 6, 1, tzinfo=UTC)
    got = _one(
        duckdb, tmp_path, "tiered-model", at,
        input_tokens=100_000, cache_read_tokens=20_000, cache_read_audio_tokens=5_000,
        audio_input_tokens=10_000, image_input_tokens=30_000, video_input_tokens=1_000,
        cache_write_1h_tokens=4_000, output_tokens=5_000, audio_output_tokens=1_000,
        image_output_tokens=500, requests=3, tools={"web_search": 7, "web_fetch": 2},
    )  # fmt: skip
    # text input: 100k - 20k read - 4k written - (10k - 5k) audio - 30k image - 1k video = 40k
    text_in = Decimal(40_000) * 3 + 5_000 * 40 + 30_000 * 3 + Decimal("1000") * Decimal("1.2")
    cache_read = Decimal(15_000) * Decimal("0.3") + 5_000 * Decimal("2.5")
    output = Decimal(3_500) * 15 + 1_000 * 80 + 500 * 30
    million = Decimal(1_000_000)
    want = (
        text_in / million,
        cache_read / million,
        Decimal(4_000) * 6 / million,
        output / million,
        Decimal(7) * 10 / 1000,  # web fetch is free
        Decimal(3) * Decimal("0.5") / 1000,
    )
    assert got[:-1] == want
    assert got[-1] == sum(want)


def test_explicit_window_rates_and_their_tiers(duckdb: ModuleType, tmp_path: Path) -> None:
    """A weekend window with its own rates and tier; a variant inside it is NULL (cost raises)."""
    saturday = datetime(2026, 11, 28, 23, 59, tzinfo=UTC)
    m = {"input_tokens": 120_000, "output_tokens": 1_000}
    # the window omits the base's 100k tier: above it the input rate is absent
    assert _one(duckdb, tmp_path, "window-model", saturday, **m) == (None,) * 7
    small = {"input_tokens": 90_000, "output_tokens": 1_000}
    want = (Decimal(90_000) * Decimal("0.25") + 1_000) / 1_000_000
    assert _one(duckdb, tmp_path, "window-model", saturday, **small)[-1] == want
    geo = _one(duckdb, tmp_path, "window-model", saturday, inference_geo="us", **small)[-1]
    assert geo == want * Decimal("1.5")
    assert (
        _one(duckdb, tmp_path, "window-model", saturday, service_tier="flex", **small)
        == (None,) * 7
    )
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # the window ended at 24:00 Sunday
    assert (
        _one(duckdb, tmp_path, "window-model", monday, service_tier="flex", **small)[-1]
        == (Decimal(90_000) + 4_000) / 2 / 1_000_000
    )


def test_cache_ttls_and_embeddings(duckdb: ModuleType, tmp_path: Path) -> None:
    """30-minute and 12-hour writes each at their rate; an embedding has no output rate."""
    at = datetime(2026, 6, 1, tzinfo=UTC)
    got = _one(duckdb, tmp_path, "ttl-model", at, input_tokens=10_000,
               cache_write_30m_tokens=2_000, cache_write_12h_tokens=3_000)  # fmt: skip
    assert got[2] == (Decimal(2_000) * Decimal("3.125") + 3_000 * 5) / 1_000_000
    flex = _one(duckdb, tmp_path, "ttl-model", at, input_tokens=10_000,
                cache_write_12h_tokens=3_000, service_tier="flex")  # fmt: skip
    assert flex == (None,) * 7  # the flex rates list no 12-hour write
    assert _one(duckdb, tmp_path, "embed-model", at, input_tokens=10**6)[-1] == Decimal("0.02")
    assert (
        _one(duckdb, tmp_path, "embed-model", at, input_tokens=10, output_tokens=1) == (None,) * 7
    )


def test_unknown_model_and_contradiction_give_null(duckdb: ModuleType, tmp_path: Path) -> None:
    """An unknown model, or service_tier='flex' with is_batch, gives NULL costs, never $0."""
    at = datetime(2026, 6, 1, tzinfo=UTC)
    con = duckdb.connect()
    load_prices(con, tmp_path, EDGE)
    counts = dict.fromkeys(COUNTS, 0) | {"input_tokens": 100, "requests": 1}
    rows = [
        Case(0, "tiered-modl", "", counts, {}, None, None, None, None, at),
        Case(1, "tiered-model", "", counts, {}, "flex", None, None, True, at),
    ]
    load_usage(con, tmp_path, rows)
    assert [r[1:] for r in sql_costs(con)] == [(None,) * 8, (None,) * 8]


def test_cost_query_without_alias_table_and_renamed_columns(
    duckdb: ModuleType, tmp_path: Path
) -> None:
    """Canonical ids need no alias table; absent columns mean 0, one request, standard, now."""
    con = duckdb.connect()
    load_prices(con, tmp_path, EDGE)
    con.execute("CREATE TABLE log (model VARCHAR, prompt BIGINT, completion BIGINT)")
    con.execute("INSERT INTO log VALUES ('ttl-model', 1000000, 1000000)")
    absent = {c: None for c in sql.USAGE_COLUMNS if c not in ("model", "input_tokens",
                                                              "output_tokens")}  # fmt: skip
    columns = {**absent, "input_tokens": "prompt", "output_tokens": "completion"}
    query = sql.cost_query("duckdb", usage_table="log", alias_table=None, columns=columns)
    (total,) = con.execute(f"SELECT cost_total FROM ({query})").fetchone()
    now = llmcost.get_price("ttl-model", registry=EDGE)
    assert total == now.input_per_mtok + now.output_per_mtok  # 1M tokens of each, priced now


# --- the SQL text ------------------------------------------------------------------------------


def test_errors_name_the_input() -> None:
    """Unknown dialects, tables, columns and non-identifiers raise InvalidInputError."""
    with pytest.raises(llmcost.InvalidInputError, match="choose one of ansi, duckdb, spark"):
        sql.cost_expression("x")
    with pytest.raises(ValueError, match="unknown SQL dialect 'mysql'"):
        sql.price_table_ddl("mysql")
    with pytest.raises(llmcost.InvalidInputError, match="plain SQL identifier"):
        sql.cost_expression(usage="u; DROP TABLE x")
    with pytest.raises(llmcost.InvalidInputError, match="plain SQL identifier"):
        sql.cost_query(price_table="prices p")
    with pytest.raises(llmcost.InvalidInputError, match="'prices', 'aliases' or 'usage'"):
        sql.column_types(table="costs")
    with pytest.raises(llmcost.InvalidInputError, match="unknown usage columns"):
        sql.cost_query(columns={"tokens": "t"})
    with pytest.raises(llmcost.InvalidInputError, match="needs a model column"):
        sql.cost_query(columns={"model": None})
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


def test_dialects_compute_local_time_their_own_way() -> None:
    """DuckDB uses ICU's timezone(), Spark epoch arithmetic (no session zone), ANSI AT TIME ZONE."""
    duck = sql.join_condition("duckdb", prices="w", window=True)
    spark = sql.join_condition("spark", prices="w", window=True)
    ansi = sql.join_condition("ansi", prices="w", window=True)
    assert "timezone(w.window_timezone, timezone('UTC'," in duck
    assert "unix_timestamp(from_utc_timestamp(" in spark and "pmod(" in spark
    for session_dependent in ("hour(", "minute(", "date_format(", "dayofweek("):
        assert session_dependent not in spark, session_dependent
    assert "AT TIME ZONE 'UTC') AT TIME ZONE w.window_timezone" in ansi
    assert "current_timestamp()" in sql.cost_query("spark")


def test_sql_public_names() -> None:
    """llmcost.sql exports exactly its documented names, each callable with an example."""
    assert sql.__all__ == sorted(sql.__all__)
    assert dir(sql) == sql.__all__
    for name in sql.__all__:
        obj = getattr(sql, name)
        if callable(obj):
            assert obj.__doc__ and ">>>" in obj.__doc__, name


def test_sql_doctests() -> None:
    """The docstring examples of llmcost.sql and the row modules run and pass."""
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for name in ("llmcost.sql", "llmcost._rows", "llmcost._rows_read"):
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=flags)
        assert result.attempted > 0
        assert result.failed == 0, name


# --- price rows -------------------------------------------------------------------------------


def test_price_rows_shape() -> None:
    """One row per period, context, window and level; levels tile the input axis."""
    rows = price_rows(EDGE)
    assert all(list(r) == list(PRICE_COLUMNS) for r in rows)
    tiered = [r for r in rows if r["model"] == "tiered-model"]
    # 5 contexts (standard, batch, flex, priority, fast) x 3 geos; flex has 2 levels (absent
    # above 200k), the others 2 as well
    assert len(tiered) == 5 * 3 * 2
    peak = [r for r in rows if r["model"] == "peak-model"]
    # first period: 1 row; second: (standard, batch) x (base + 2 windows) x 1 level
    assert len(peak) == 1 + 2 * 3
    assert {r["valid_from"] for r in peak} == {None, "2026-04-24T16:00:00Z"}
    assert {r["retired_at"] for r in peak} == {"2027-03-01T12:30:00Z"}
    window = next(r for r in peak if r["window_start_minute"] == 540 and not r["service_tier"])
    assert (window["window_weekdays"], window["window_end_minute"]) == ("0,1,2,3,4", 720)
    assert window["window_except_dates"] == "2026-10-01,2026-10-05"
    assert (window["input_per_mtok"], window["window_multiplier"]) == ("0.28", "2")
    batch = next(r for r in peak if r["window_start_minute"] == 540 and r["service_tier"])
    assert batch["input_per_mtok"] == "0.14"  # 0.14 x 0.5 x 2
    eu_priority_tier = next(
        r for r in tiered
        if (r["service_tier"], r["inference_geo"], r["above_input_tokens"])
        == ("priority", "eu", 200_000)
    )  # fmt: skip
    assert Decimal(eu_priority_tier["input_per_mtok"]) == 6 * Decimal("1.75") * Decimal("1.25")
    assert eu_priority_tier["up_to_input_tokens"] is None
    flex_above = next(
        r for r in tiered
        if (r["service_tier"], r["inference_geo"], r["above_input_tokens"])
        == ("flex", None, 200_000)
    )  # fmt: skip
    assert all(flex_above[c] is None for c in llmcost._prices.TOKEN_RATES)
    inside = [r for r in rows if r["model"] == "window-model" and r["window_timezone"]]
    assert [r["available"] for r in inside if r["service_tier"] == "flex"] == [False, False]
    assert tiered[0]["other_tools_per_kcall"] == '{"my_tool": "3"}'
    assert tiered[0]["web_fetch_per_kcall"] == "0"


def _price(**rates: Any) -> llmcost.ModelPrice:
    fields: dict[str, Any] = {"input_per_mtok": "3", "output_per_mtok": "15", **rates}
    return llmcost.ModelPrice(model="m", provider="acme", tokenizer="llama", **fields)


@pytest.mark.parametrize(
    "price",
    [
        _price(cache_read_per_mtok="0.0000000000001"),
        _price(output_per_mtok="999999.5", inference_geo={"us": "1.1"}),
        _price(
            input_per_mtok="0.3",
            variants=[llmcost.PriceVariant(service_tier="batch", multiplier="0.0000000000003")],
        ),
    ],
)
def test_price_rows_fail_loudly(price: llmcost.ModelPrice) -> None:
    """A resolved rate SQL could not hold exactly stops the export with a PriceDataError."""
    with pytest.raises(llmcost.PriceDataError, match="does not fit the SQL rate type"):
        price_rows(llmcost.Registry([price]))


def test_rows_ignore_the_callers_decimal_context() -> None:
    """price_rows and registry_from_rows give the same under prec=3 and trapped Inexact."""
    want = price_rows(EDGE)
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[llmcost._money.Inexact] = True
        ctx.Emax = 3
        assert price_rows(EDGE) == want
        assert price_rows(registry_from_rows(want, alias_rows(EDGE))) == want


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
    assert {r["model"] for r in rows if r["kind"] == "id"} == set(registry)
    kinds = {r["alias"]: r["kind"] for r in rows}
    assert kinds["gpt-4o-2024-08-06"] == "alias"
    assert kinds["openai/gpt-4o"] == "prefixed"
    assert "openai/claude-sonnet-4-5" not in kinds  # only the model's own vendor prefixes
    assert {r["alias"]: r["kind"] for r in alias_rows(EDGE)}["tiered model"] == "display"


def test_alias_rows_resolve_extra_names() -> None:
    """Raw names from logs are resolved in Python; unknown ones are left out."""
    rows = alias_rows(
        llmcost.Registry.default(),
        names=[" OpenRouter/Anthropic/Claude-Sonnet-4-5 ", "no-such-model"],
    )
    by_alias = {r["alias"]: r for r in rows}
    assert by_alias["openrouter/anthropic/claude-sonnet-4-5"] == {
        "alias": "openrouter/anthropic/claude-sonnet-4-5",
        "model": "claude-sonnet-4-5",
        "kind": "name",
    }
    assert "no-such-model" not in by_alias


# --- the round trip ---------------------------------------------------------------------------


def _same(a: llmcost.Registry, b: llmcost.Registry) -> None:
    """Equal registries: the same models, each period equal but for lower-cased sorted aliases."""
    assert list(a) == list(b)
    for model in a:
        for x, y in zip(a.history(model), b.history(model), strict=True):
            assert y == attrs_evolve(x, aliases=sorted(n.lower() for n in x.aliases)), model


def attrs_evolve(p: llmcost.ModelPrice, **changes: Any) -> llmcost.ModelPrice:
    """`attrs.evolve`, typed."""
    import attrs

    return attrs.evolve(p, **changes)


@pytest.mark.parametrize("name", ["default", "edge", "fixture"])
def test_round_trip_keeps_every_field(name: str, fixture_registry: llmcost.Registry) -> None:
    """The rows of a registry rebuild an equal registry (through the typed rows and CSV text)."""
    registry = {"default": llmcost.Registry.default(), "edge": EDGE, "fixture": fixture_registry}[
        name
    ]
    rows = price_rows(registry)
    back = registry_from_rows(rows, alias_rows(registry))
    _same(registry, back)
    text = [{k: "" if v is None else str(_text(v)) for k, v in r.items()} for r in rows]
    _same(registry, registry_from_rows(text, alias_rows(registry)))


@settings(max_examples=200)
@given(rows=cases(EDGE, n=1))
def test_round_trip_prices_identically(rows: list[Case]) -> None:
    """Hypothesis: the rebuilt registry prices any usage exactly as the original does."""
    back = _back_edge()
    for row in rows:
        assert expected(back, row) == expected(EDGE, row)


_BACK: list[llmcost.Registry] = []


def _back_edge() -> llmcost.Registry:
    if not _BACK:
        _BACK.append(registry_from_rows(price_rows(EDGE), alias_rows(EDGE)))
    return _BACK[0]


def _edited(model: str, index: int, **change: Any) -> list[dict[str, Any]]:
    rows = [dict(r) for r in price_rows(EDGE) if r["model"] == model]
    rows[index].update(change)
    return rows


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (_edited("tiered-model", 3, input_per_mtok="2"), "input_per_mtok is 2, but the rates"),
        (_edited("peak-model", 0, valid_to="2030-01-01T00:00:00Z"), "must follow each other"),
        (_edited("ttl-model", 0, tokenizer=""), "tokenizer must be a non-empty string"),
        (_edited("ttl-model", 0, input_per_mtok="-1"), "not a non-negative decimal"),
        (_edited("ttl-model", 0, above_input_tokens="x"), "not a non-negative integer"),
        (_edited("ttl-model", 0, available="maybe"), "not true or false"),
        (_edited("ttl-model", 0, input_per_mtok=2.5), "a float cannot hold a price exactly"),
        (_edited("peak-model", 3, window_multiplier="3"), "but the rates of its period give"),
        (_edited("tiered-model", 7, above_input_tokens=300_000), "no such context"),
        (_edited("tiered-model", 0)[:-1], "price rows are missing"),
        (_edited("tiered-model", 0) * 2, "repeats price row"),
    ],
)
def test_registry_from_rows_refuses_bad_rows(rows: list[dict[str, Any]], message: str) -> None:
    """Inconsistent or malformed rows raise PriceDataError naming the row and column."""
    with pytest.raises(llmcost.PriceDataError, match=message):
        registry_from_rows(rows)


def test_registry_from_rows_needs_the_aliased_model() -> None:
    """An alias row whose model has no price row is an error, not a silent drop."""
    rows = [r for r in price_rows(EDGE) if r["model"] == "ttl-model"]
    with pytest.raises(llmcost.PriceDataError, match="has no price row"):
        registry_from_rows(rows, [{"alias": "x", "model": "o3", "kind": "alias"}])


def test_round_trip_dates_stay_dates() -> None:
    """A period bound given as a date comes back as that date; an instant as that instant."""
    back = registry_from_rows(price_rows(EDGE))
    assert back.history("ttl-model")[1].valid_from == date(2026, 9, 1)
    assert back.history("peak-model")[1].valid_from == datetime(2026, 4, 24, 16, tzinfo=UTC)


def test_spark_dialect_on_pyspark(tmp_path: Path) -> None:
    """Where PySpark is installed, Spark SQL prices the edge cases exactly as cost() does."""
    pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed here")
    from .spark_check import spark_costs

    rows = random_cases(EDGE, 2_000, seed=5)
    got = spark_costs(pyspark, tmp_path, EDGE, rows, COST_FIELDS)
    assert_all_equal(EDGE, rows, got)


def test_inside_helper_lands_in_the_window() -> None:
    """The instant the largest-usage test picks for a window row is inside that window."""
    row = next(r for r in price_rows(EDGE) if r["model"] == "peak-model" and r["window_timezone"])
    when = _inside(row).astimezone(zone("Asia/Shanghai"))
    assert when.time() == time(9, 0)
    assert when.weekday() < 5
    assert when.date().isoformat() not in row["window_except_dates"]
