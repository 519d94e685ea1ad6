"""Price a usage log inside Spark with `llmcost.sql`, and check every row against `cost()`.

    pip install 'llmcost[spark]'        # PySpark; Spark also needs Java 17+
    python examples/spark_costs.py [--rows 100000]

Runs Spark in local mode, offline. The price and alias tables come from `price_rows` /
`alias_rows` (what ``llmcost prices`` writes); the usage log is generated.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import llmcost
from llmcost import sql
from llmcost.sql import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows

try:
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T
except ImportError:
    sys.exit(
        "examples/spark_costs.py needs PySpark: pip install 'llmcost[spark]' "
        "(or pip install pyspark); Spark also needs Java 17 or later."
    )

FIRST, SPAN = datetime(2025, 1, 1, tzinfo=timezone.utc), timedelta(days=730)
SPARK_TYPES = {"STRING": T.StringType(), "BIGINT": T.LongType(), "INTEGER": T.IntegerType(),
               "DATE": T.DateType(), "TIMESTAMP": T.TimestampType(),
               "BOOLEAN": T.BooleanType()}  # fmt: skip


def spark_type(sql_type: str) -> Any:
    """The Spark type of one column type of `sql.column_types("spark")`."""
    if sql_type.startswith("DECIMAL"):
        precision, scale = (int(x) for x in sql_type[8:-1].split(","))
        return T.DecimalType(precision, scale)
    return SPARK_TYPES[sql_type]


def typed(value: object, sql_type: str) -> object:
    """An exported cell as the Python value Spark expects for *sql_type*."""
    if value is None:
        return None
    if sql_type.startswith("DECIMAL"):
        return Decimal(str(value))
    if sql_type == "DATE":
        return date.fromisoformat(str(value))
    if sql_type == "TIMESTAMP":
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return value


def usage_log(registry: llmcost.Registry, n: int, seed: int) -> list[dict[str, Any]]:
    """*n* requests over every model, named as logs name them, in the contexts each model has.

    One request per model is huge (10^12 input and output tokens): the SQL types hold it.
    """
    rng = random.Random(seed)
    names: dict[str, list[str]] = defaultdict(list)
    for r in alias_rows(registry):
        names[r["model"]].append(r["alias"])
    models = list(registry)
    rows = []
    for i in range(n):
        model = models[i % len(models)]
        at = FIRST + timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))
        p = registry.get(model, at=at)
        n_in = rng.choice([rng.randint(1, 8_000), rng.randint(8_000, 400_000)])
        n_out = 0 if p.kind == "embedding" else rng.randint(0, 4_000)
        if i < len(models):
            n_in, n_out = 10**12, 0 if p.kind == "embedding" else 10**12
        row = dict.fromkeys(sql.USAGE_COLUMNS, 0) | {"id": i, "model": rng.choice(names[model])}
        row |= {
            "input_tokens": n_in,
            "output_tokens": n_out,
            "requests": 1,
            "is_batch": False,
            "service_tier": None,
            "speed": None,
            "inference_geo": None,
            "request_time": at,
        }
        row["cache_read_tokens"] = rng.randint(0, n_in // 2) if p.cache_read_per_mtok else 0
        if p.cache_write_5m_per_mtok is not None:
            row["cache_write_5m_tokens"] = rng.randint(0, n_in // 4)
        if p.variants and rng.random() < 0.3:
            v = rng.choice(p.variants)
            row["service_tier"], row["speed"] = v.service_tier, v.speed
        if p.inference_geo and rng.random() < 0.2:
            row["inference_geo"] = rng.choice(sorted(p.inference_geo))
        if p.tool_per_kcall.get("web_search") and rng.random() < 0.2:
            row["web_search_calls"] = rng.randint(1, 5)
        row["_model"] = model
        rows.append(row)
    return rows


def expected(registry: llmcost.Registry, row: dict[str, Any]) -> Decimal | None:
    """What cost() says for one generated request (None where it raises)."""
    counts = {c: row[c] for c in sql.USAGE_COLUMNS if c.endswith("_tokens") or c == "requests"}
    tools = {"web_search": row["web_search_calls"]} if row["web_search_calls"] else {}
    try:
        return llmcost.cost(
            row["_model"], llmcost.Usage(**counts, tool_calls=tools),
            service_tier=row["service_tier"], speed=row["speed"],
            inference_geo=row["inference_geo"], at=row["request_time"], registry=registry,
        ).total  # fmt: skip
    except (llmcost.MissingRateError, llmcost.RetiredModelError):
        return None


def main() -> None:
    """Load prices and a generated log into Spark, price it in SQL, compare with cost()."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    registry = llmcost.Registry.default()

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("llmcost-spark-costs")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        price_types = sql.column_types("spark")
        price_schema = T.StructType(
            [T.StructField(c, spark_type(t)) for c, t in price_types.items()]
        )
        prices = [
            tuple(typed(r[c], price_types[c]) for c in PRICE_COLUMNS) for r in price_rows(registry)
        ]
        spark.createDataFrame(prices, price_schema).createOrReplaceTempView("llm_prices")
        alias_schema = T.StructType([T.StructField(c, T.StringType()) for c in ALIAS_COLUMNS])
        aliases = [tuple(r[c] for c in ALIAS_COLUMNS) for r in alias_rows(registry)]
        spark.createDataFrame(aliases, alias_schema).createOrReplaceTempView("llm_model_aliases")

        log = usage_log(registry, args.rows, seed=1)
        usage_types = {"id": "BIGINT", **sql.column_types("spark", table="usage")}
        usage_schema = T.StructType(
            [T.StructField(c, spark_type(t)) for c, t in usage_types.items()]
        )
        usage = spark.createDataFrame([tuple(r[c] for c in usage_types) for r in log], usage_schema)
        usage.createOrReplaceTempView("llm_usage")

        priced = spark.sql(sql.cost_query("spark"))
        priced.createOrReplaceTempView("priced")
        by_provider = spark.sql(
            "SELECT provider, COUNT(*) AS requests, SUM(cost_total) AS usd FROM priced c "
            "JOIN (SELECT DISTINCT model, provider FROM llm_prices) p ON p.model = c.priced_model "
            "GROUP BY provider ORDER BY usd DESC"
        ).collect()
        result_type = dict(priced.dtypes)["cost_total"]
        got = {
            r["id"]: (r["priced_model"], r["cost_total"])
            for r in priced.select("id", "priced_model", "cost_total").collect()
        }
    finally:
        spark.stop()

    # The same requests through cost(), one by one.
    per_model: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    mismatches = 0
    for row in log:
        want = expected(registry, row)
        sql_model, sql_total = got[row["id"]]
        mismatches += sql_total != want or (want is not None and sql_model != row["_model"])
        per_model[row["_model"]][0] += sql_total if sql_total is not None else 0
        per_model[row["_model"]][1] += want if want is not None else 0

    print(
        f"{len(log):,} requests over {len(per_model)} models (one of 10^12 input and output "
        f"tokens each), priced by Spark SQL as {result_type}\n"
    )
    print(f"{'provider':<10} {'requests':>9} {'USD':>16}")
    for row in by_provider:
        print(f"{row['provider']:<10} {row['requests']:>9,} {row['usd']:>16,.6f}")
    print(f"\n{'the 8 costliest models':<24} {'Spark SQL USD':>20} {'cost() USD':>20}")
    top = sorted(per_model.items(), key=lambda kv: kv[1][1], reverse=True)[:8]
    for model, (spark_usd, python_usd) in top:
        print(f"{model:<24} {spark_usd:>20.10f} {python_usd:>20.10f}")
    spark_total = sum(v[0] for v in per_model.values())
    python_total = sum(v[1] for v in per_model.values())
    print(f"\ntotal: Spark SQL {spark_total} USD, cost() {python_total} USD")
    print(f"rows where Spark differs from cost(): {mismatches} (exact Decimal comparison; NULL")
    print("where cost() raises, e.g. a variant without a long-context tier)")
    print(f"time: {time.perf_counter() - started:.1f} s")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
