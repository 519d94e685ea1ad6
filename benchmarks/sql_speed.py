"""Rows priced per second: `llmcost.sql` in DuckDB on 10 million rows against `cost()` in a loop.

The usage rows are generated inside DuckDB (``range()`` and ``random()``) over every shipped
model, with cache tokens, batch and flex requests and web searches where the model has those
rates, and instants across its price periods. `cost()` prices a sample of the same rows in a
Python loop; its time is extrapolated to all rows. The sample's totals must agree exactly.

    pip install duckdb   # benchmark-only
    python benchmarks/sql_speed.py [--rows 10000000] [--sample 200000]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import llmcost
from llmcost import sql
from llmcost.sql import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows

try:
    import duckdb
except ImportError:
    sys.exit("benchmarks/sql_speed.py needs DuckDB: pip install duckdb")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def load_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    rows: Sequence[Mapping[str, object]],
    tmp: Path,
) -> None:
    """Fill *table* (already created) from exported rows, through a CSV file."""
    path = tmp / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerows([_cell(r[c]) for c in columns] for r in rows)
    con.execute(
        f"INSERT INTO {table} SELECT * FROM read_csv('{path}', header = true, "
        "all_varchar = true, nullstr = '')"
    )


GENERATE = """
CREATE TABLE llm_usage AS
WITH models AS (
    SELECT row_number() OVER (ORDER BY model) - 1 AS k, model,
           bool_or(cache_read_per_mtok IS NOT NULL AND service_tier IS NULL) AS has_read,
           bool_or(cache_write_5m_per_mtok IS NOT NULL AND service_tier IS NULL) AS has_write,
           bool_or(service_tier = 'batch') AS has_batch,
           bool_or(service_tier = 'flex') AS has_flex,
           bool_or(web_search_per_kcall IS NOT NULL) AS has_search
    FROM llm_prices GROUP BY model
), n AS (SELECT count(*) AS n FROM models),
raw AS (
    SELECT i AS id, i % (SELECT n FROM n) AS k,
           CASE WHEN random() < 0.9 THEN (random() * 20000)::BIGINT
                ELSE (random() * 400000)::BIGINT END AS input_tokens,
           (random() * 4000)::BIGINT AS output_tokens,
           random() AS r_read, random() AS r_write, random() AS r_tier, random() AS r_search,
           TIMESTAMP '2025-01-01' + to_seconds((random() * 730 * 86400)::BIGINT) AS request_time
    FROM range({rows}) AS t(i)
)
SELECT raw.id, models.model, raw.input_tokens, raw.output_tokens,
       CASE WHEN has_read THEN (raw.input_tokens * r_read * 0.5)::BIGINT ELSE 0 END
           AS cache_read_tokens,
       CASE WHEN has_write THEN (raw.input_tokens * r_write * 0.25)::BIGINT ELSE 0 END
           AS cache_write_5m_tokens,
       {zeros}, 1::BIGINT AS requests,
       CASE WHEN has_search AND r_search < 0.1 THEN 1 ELSE 0 END::BIGINT AS web_search_calls,
       {tool_zeros},
       CASE WHEN has_flex AND r_tier < 0.1 THEN 'flex' END AS service_tier,
       NULL::VARCHAR AS speed, NULL::VARCHAR AS inference_geo,
       has_batch AND r_tier > 0.75 AS is_batch,
       raw.request_time
FROM raw JOIN models USING (k)
"""
ZERO_COUNTS = [c for c in sql.USAGE_COLUMNS if c.endswith("_tokens") and c not in (
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens")]  # fmt: skip
ZERO_TOOLS = [c for c in sql.USAGE_COLUMNS if c.endswith("_calls") and c != "web_search_calls"]


def main() -> None:
    """Generate, price in DuckDB, price a sample with cost(), print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=200_000)
    args = parser.parse_args()
    registry = llmcost.Registry.default()
    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
    with tempfile.TemporaryDirectory() as tmp:
        con.execute(sql.price_table_ddl("duckdb"))
        con.execute(sql.alias_table_ddl("duckdb"))
        load_rows(con, "llm_prices", PRICE_COLUMNS, price_rows(registry), Path(tmp))
        load_rows(con, "llm_model_aliases", ALIAS_COLUMNS, alias_rows(registry), Path(tmp))
    t = time.perf_counter()
    con.execute(
        GENERATE.format(
            rows=args.rows,
            zeros=", ".join(f"0::BIGINT AS {c}" for c in ZERO_COUNTS),
            tool_zeros=", ".join(f"0::BIGINT AS {c}" for c in ZERO_TOOLS),
        )
    )
    generate_s = time.perf_counter() - t

    timings = {}
    for label, alias_table in (("canonical ids", None), ("via alias table", "llm_model_aliases")):
        query = sql.cost_query("duckdb", alias_table=alias_table)
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TABLE priced AS SELECT id, cost_total FROM ({query})")
            best = min(best, time.perf_counter() - t)
        timings[label] = best
    nulls = con.execute("SELECT count(*) FROM priced WHERE cost_total IS NULL").fetchone()[0]  # type: ignore[index]

    cols = ", ".join(f"u.{c}" for c in sql.USAGE_COLUMNS)
    sample = con.execute(
        f"SELECT {cols}, p.cost_total FROM llm_usage u JOIN priced p USING (id) "
        f"WHERE u.id < {args.sample} ORDER BY u.id"
    ).fetchall()
    usages = []
    for row in sample:
        r = dict(zip(sql.USAGE_COLUMNS, row, strict=False))
        counts = {c: r[c] for c in sql.USAGE_COLUMNS if c.endswith("_tokens") or c == "requests"}
        tools = {"web_search": r["web_search_calls"]} if r["web_search_calls"] else {}
        context = {"service_tier": r["service_tier"], "batch": bool(r["is_batch"])}
        usages.append((r["model"], llmcost.Usage(**counts, tool_calls=tools), context,
                       r["request_time"]))  # fmt: skip
    cost = llmcost.cost
    totals: list[Decimal | None] = []
    t = time.perf_counter()
    for m, u, context, at in usages:
        try:
            totals.append(cost(m, u, **context, at=at, registry=registry).total)
        except (llmcost.MissingRateError, llmcost.RetiredModelError):  # SQL gives NULL
            totals.append(None)
    loop_s = time.perf_counter() - t
    if totals != [row[-1] for row in sample]:
        sys.exit("the SQL and cost() disagree on the sample: this is a bug")
    sum_sql = sum((row[-1] for row in sample if row[-1] is not None), Decimal(0))

    n = args.rows
    print(
        f"{n:,} usage rows over {len(registry)} models, generated in DuckDB in "
        f"{generate_s:.1f} s; DuckDB {duckdb.__version__}, {threads} threads, "
        f"{os.cpu_count()} CPUs; NULL costs: {nulls}"
    )
    print(f"sample of {len(sample):,} rows: SQL and cost() agree exactly (sum {sum_sql} USD)\n")
    loop_rate = len(usages) / loop_s
    print(f"{'engine':<34} {'rows':>12} {'seconds':>9} {'rows/s':>13} {'vs cost()':>10}")
    for label, seconds in timings.items():
        rate = n / seconds
        print(
            f"{'DuckDB SQL, ' + label:<34} {n:>12,} {seconds:>9.2f} {rate:>13,.0f} "
            f"{rate / loop_rate:>9.0f}x"
        )
    print(
        f"{'cost() Python loop (sample)':<34} {len(usages):>12,} {loop_s:>9.2f} "
        f"{loop_rate:>13,.0f} {1:>9.0f}x"
    )
    print(f"{'cost() extrapolated to all rows':<34} {n:>12,} {n / loop_rate:>9.1f}")


if __name__ == "__main__":
    main()
