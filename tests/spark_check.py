"""Price usages with the Spark dialect on a local PySpark session (where PySpark is installed)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import llmcost
from llmcost import sql
from llmcost._rows import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows

from .strategies_sql import Case


def _write(path: Path, columns: Sequence[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in rows:
            w.writerow(
                ["" if v is None else ("true" if v is True else "false" if v is False else v)
                 for v in row]
            )  # fmt: skip


def spark_costs(
    pyspark: ModuleType,
    tmp: Path,
    registry: llmcost.Registry,
    cases: list[Case],
    fields: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Load the tables as CSV with the DDL's types and run `sql.cost_query('spark')`.

    The session time zone is set far from UTC: the Spark text must not depend on it.
    """
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "America/Los_Angeles")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        usage_types = {"id": "BIGINT", **sql.column_types("spark", table="usage")}
        tables = {
            "llm_prices": (sql.column_types("spark"),
                           [[r[c] for c in PRICE_COLUMNS] for r in price_rows(registry)]),
            "llm_model_aliases": (sql.column_types("spark", table="aliases"),
                                  [[r[c] for c in ALIAS_COLUMNS] for r in alias_rows(registry)]),
            "llm_usage": (usage_types, [_utc(c.sql_row()) for c in cases]),
        }  # fmt: skip
        for name, (types, rows) in tables.items():
            path = tmp / f"{name}.csv"
            _write(path, list(types), rows)
            schema = ", ".join(f"{c} {t}" for c, t in types.items())
            df = spark.read.csv(str(path), header=True, schema=schema, multiLine=True, escape='"')
            df.createOrReplaceTempView(name)
        cols = ", ".join(f"cost_{f}" for f in fields)
        query = f"SELECT id, priced_model, {cols} FROM ({sql.cost_query('spark')}) ORDER BY id"
        return [tuple(r) for r in spark.sql(query).collect()]
    finally:
        spark.stop()


def _utc(row: list[object]) -> list[object]:
    """The request time with an explicit Z, so the CSV reader does not read it as local."""
    at = row[-1]
    if at is not None:
        row = [*row[:-1], at.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")]  # type: ignore[attr-defined]
    return row
