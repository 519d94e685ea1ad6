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
from datetime import date, timedelta
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

FIRST_DAY, DAYS = date(2025, 1, 1), 730


def spark_type(sql_type: str) -> Any:
    """The Spark type of one column type of `sql.column_types("spark")`."""
    if sql_type.startswith("DECIMAL"):
        precision, scale = (int(x) for x in sql_type[8:-1].split(","))
        return T.DecimalType(precision, scale)
    return {"STRING": T.StringType(), "BIGINT": T.LongType(), "DATE": T.DateType()}[sql_type]


def typed(value: object, sql_type: str) -> object:
    """An exported cell as the Python value Spark expects for *sql_type*."""
    if value is None:
        return None
    if sql_type.startswith("DECIMAL"):
        return Decimal(str(value))
    if sql_type == "DATE":
        return date.fromisoformat(str(value))
    return value


def usage_log(registry: llmcost.Registry, n: int, seed: int) -> list[tuple[Any, ...]]:
    """*n* requests over every model, named as logs name them, using the rates each model has.

    One request per model is huge (10^9 input and output tokens): the SQL types hold it exactly.
    """
    rng = random.Random(seed)
    names: dict[str, list[str]] = defaultdict(list)
    for r in alias_rows(registry):
        names[r["model"]].append(r["alias"])
    models = list(registry)
    rows = []
    for i in range(n):
        model = models[i % len(models)]
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        p = registry.get(model, at=day)
        n_in = rng.choice([rng.randint(1, 8_000), rng.randint(8_000, 400_000)])
        n_out = rng.randint(0, 4_000)
        if i < len(models):
            n_in = n_out = 10**9
        read = rng.randint(0, n_in // 2) if p.cache_read_per_mtok is not None else 0
        write = rng.randint(0, n_in // 4) if p.cache_write_per_mtok is not None else 0
        write_1h = rng.randint(0, n_in // 4) if p.cache_write_1h_per_mtok is not None else 0
        batch = p.batch_input_per_mtok is not None and rng.random() < 0.25
        raw = rng.choice(names[model])
        rows.append((i, raw, n_in, n_out, read, write, write_1h, batch, day, model))
    return rows


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
        usage_schema = T.StructType(
            [
                T.StructField("id", T.LongType()),
                T.StructField("model", T.StringType()),
                *(
                    T.StructField(c, T.LongType())
                    for c in (
                        "input_tokens",
                        "output_tokens",
                        "cache_read_tokens",
                        "cache_write_tokens",
                        "cache_write_1h_tokens",
                    )
                ),
                T.StructField("is_batch", T.BooleanType()),
                T.StructField("request_date", T.DateType()),
            ]
        )
        usage = spark.createDataFrame([row[:-1] for row in log], usage_schema)
        usage.createOrReplaceTempView("llm_usage")

        priced = spark.sql(sql.cost_query("spark"))
        priced.createOrReplaceTempView("priced")
        by_provider = spark.sql(
            "SELECT p.provider, COUNT(*) AS requests, SUM(c.cost_total) AS usd "
            "FROM priced c JOIN llm_prices p ON p.model = c.priced_model "
            "AND (p.valid_from IS NULL OR c.request_date >= p.valid_from) "
            "AND (p.valid_to IS NULL OR c.request_date < p.valid_to) "
            "GROUP BY p.provider ORDER BY usd DESC"
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
    for i, _raw, n_in, n_out, read, write, write_1h, batch, day, model in log:
        want = llmcost.cost(
            model, input_tokens=n_in, output_tokens=n_out, cache_read_tokens=read,
            cache_write_tokens=write, cache_write_1h_tokens=write_1h, batch=batch, at=day,
            registry=registry,
        ).total  # fmt: skip
        sql_model, sql_total = got[i]
        mismatches += sql_model != model or sql_total != want
        per_model[model][0] += sql_total if sql_total is not None else 0
        per_model[model][1] += want

    print(
        f"{len(log):,} requests over {len(per_model)} models (one of 10^9 input and output "
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
    print(f"rows where Spark differs from cost(): {mismatches} (exact Decimal comparison)")
    print(f"time: {time.perf_counter() - started:.1f} s")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
