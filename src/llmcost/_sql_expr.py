"""The SQL text of `llmcost.sql`: the request context keys, local time, joins and cost terms.

Exactness: every value is cast to a DECIMAL type that holds it, and no operation's result
type exceeds 38 digits under the strictest rules we know (Spark's ``p1 + p2 + 1`` digits for
a product and ``max(s) + max(p - s) + 1`` for a sum, past which Spark rounds; DuckDB's
``p1 + p2``), so no engine rounds or falls back to DOUBLE:

- counts DECIMAL(19, 0) (up to 10**15, llmcost's bound; larger counts give NULL, as
  `cost()` refuses them); 19 digits, not 16, because DuckDB multiplies two DECIMALs of at
  most 18 digits in 64-bit integers and raises on overflow instead of widening;
- per-1M rates, per-1,000-use charges DECIMAL(18, 12) (what `price_rows` guarantees);
- per-token rate = rate x 0.000001 as DECIMAL(18, 18) (exact: the rate has at most 12
  decimals and is below 10**6), per-use charge = charge x 0.001 as DECIMAL(18, 15);
- each part count x unit price: DECIMAL(37 or 38, 18), below 10**18, cast to DECIMAL(37, 18);
- each sum of two DECIMAL(37, 18) is DECIMAL(38, 18) and is cast back to DECIMAL(37, 18)
  (every total below 10**19); results DECIMAL(38, 18).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._errors import InvalidInputError
from ._money import MAX_COUNT
from ._prices import KNOWN_TOOLS, STANDARD_GEOS, STANDARD_SPEEDS, STANDARD_TIERS
from ._usage import COUNT_FIELDS

#: The dialects this module writes SQL for.
DIALECTS = ("ansi", "duckdb", "spark")

COUNT = "DECIMAL(19, 0)"
RATE = "DECIMAL(18, 12)"
PER_TOKEN = "DECIMAL(18, 18)"
PER_USE = "DECIMAL(18, 15)"
SUM = "DECIMAL(37, 18)"
RESULT = "DECIMAL(38, 18)"

#: Token counts of the usage table: `llmcost.Usage`'s counts (totals include parts), in its order.
COUNT_COLUMNS = COUNT_FIELDS
TOOL_CALL_COLUMNS = tuple(f"{t}_calls" for t in KNOWN_TOOLS)
#: The usage table's columns (what `usage_table_ddl` creates), with their meaning's type.
USAGE_COLUMNS = (
    "model",
    *COUNT_COLUMNS,
    *TOOL_CALL_COLUMNS,
    "service_tier",
    "speed",
    "inference_geo",
    "is_batch",
    "request_time",
)
# What an absent usage column means (``columns={"video_input_tokens": None}``).
_ABSENT = {
    **dict.fromkeys((*COUNT_COLUMNS, *TOOL_CALL_COLUMNS), "0"),
    "requests": "1",
    "service_tier": "NULL",
    "speed": "NULL",
    "inference_geo": "NULL",
    "is_batch": "FALSE",
    "request_time": "NULL",
}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_NOW = {
    "ansi": "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
    "duckdb": "CAST(timezone('UTC', current_timestamp) AS TIMESTAMP)",
    "spark": "current_timestamp()",
}


def dialect_of(dialect: object) -> str:
    """*dialect* if this module writes it, else `InvalidInputError` naming the dialects."""
    if not isinstance(dialect, str) or dialect not in DIALECTS:
        msg = f"unknown SQL dialect {dialect!r:.40}; choose one of {', '.join(DIALECTS)}"
        raise InvalidInputError(msg)
    return dialect


def ident(name: object, what: str) -> str:
    """*name* if it is a plain (optionally qualified) SQL identifier."""
    if not isinstance(name, str) or not _IDENT.match(name):
        msg = f"{what} must be a plain SQL identifier such as 'u' or 'db.table', not {name!r:.60}"
        raise InvalidInputError(msg)
    return name


def usage_refs(usage: str, columns: Mapping[str, str | None] | None) -> dict[str, str]:
    """The SQL of each usage column: ``u.<column>``, a renamed column, or its absent value."""
    u = ident(usage, "usage")
    given = dict(columns or {})
    unknown = sorted(set(given) - set(USAGE_COLUMNS))
    if unknown:
        msg = f"unknown usage columns {unknown}; the usage columns are {', '.join(USAGE_COLUMNS)}"
        raise InvalidInputError(msg)
    out = {}
    for name in USAGE_COLUMNS:
        if name not in given:
            out[name] = f"{u}.{name}"
        elif given[name] is None:
            if name == "model":
                raise InvalidInputError("the usage table needs a model column")
            out[name] = _ABSENT[name]
        else:
            out[name] = f"{u}.{ident(given[name], f'columns[{name!r}]')}"
    return out


def instant(dialect: str, refs: Mapping[str, str]) -> str:
    """The request's instant (UTC); NULL means now, as `cost()` prices now."""
    return f"COALESCE({refs['request_time']}, {_NOW[dialect]})"


def _names(values: frozenset[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def context_keys(refs: Mapping[str, str]) -> dict[str, str]:
    """SQL for the normalised service tier, speed and geo: '' for standard, NULL if invalid."""
    t = f"LOWER(TRIM({refs['service_tier']}))"
    s = f"LOWER(TRIM({refs['speed']}))"
    g = f"LOWER(TRIM({refs['inference_geo']}))"
    std_t, std_s, std_g = _names(STANDARD_TIERS), _names(STANDARD_SPEEDS), _names(STANDARD_GEOS)
    tier = (
        f"CASE WHEN COALESCE({refs['is_batch']}, FALSE) THEN "
        f"(CASE WHEN {t} IS NULL OR {t} IN ({std_t}, 'batch') THEN 'batch' END) "
        f"WHEN {t} IS NULL OR {t} IN ({std_t}) THEN '' ELSE {t} END"
    )
    speed = f"CASE WHEN {s} IS NULL OR {s} IN ({std_s}) THEN '' ELSE {s} END"
    geo = f"CASE WHEN {g} IS NULL OR {g} IN ({std_g}) THEN '' ELSE {g} END"
    return {"service_tier": tier, "speed": speed, "inference_geo": geo}


def _local(dialect: str, when: str, zone: str) -> dict[str, str]:
    """Local minute of the day, weekday (0 = Monday) and ISO date text of *when* in *zone*."""
    if dialect == "duckdb":
        local = f"timezone({zone}, timezone('UTC', {when}))"
        return {
            "minute": f"(hour({local}) * 60 + minute({local}))",
            "weekday": f"CAST(isodow({local}) - 1 AS VARCHAR)",
            "date": f"CAST(CAST({local} AS DATE) AS VARCHAR)",
        }
    if dialect == "spark":
        # Seconds since the epoch of the local wall clock: session-time-zone independent.
        epoch = f"unix_timestamp(from_utc_timestamp({when}, {zone}))"
        day = f"(({epoch} - pmod({epoch}, 86400)) div 86400)"
        return {
            "minute": f"(pmod({epoch}, 86400) div 60)",
            "weekday": f"CAST(pmod({day} + 3, 7) AS STRING)",  # 1970-01-01 was a Thursday
            "date": f"CAST(date_add(DATE '1970-01-01', CAST({day} AS INT)) AS STRING)",
        }
    local = f"(({when} AT TIME ZONE 'UTC') AT TIME ZONE {zone})"
    return {
        "minute": f"(EXTRACT(HOUR FROM {local}) * 60 + EXTRACT(MINUTE FROM {local}))",
        # 1900-01-01 was a Monday.
        "weekday": f"CAST(MOD(CAST({local} AS DATE) - DATE '1900-01-01', 7) AS VARCHAR(1))",
        "date": f"CAST(CAST({local} AS DATE) AS VARCHAR(10))",
    }


def join_on(dialect: str, refs: Mapping[str, str], prices: str, model: str, *, window: bool) -> str:
    """The ON condition of the base (``window=False``) or the window price row of a usage."""
    p = prices
    when = instant(dialect, refs)
    keys = context_keys(refs)
    n_in = refs["input_tokens"]
    lines = [
        f"{p}.model = {model}",
        f"AND ({p}.valid_from IS NULL OR {when} >= {p}.valid_from)",
        f"AND ({p}.valid_to IS NULL OR {when} < {p}.valid_to)",
        f"AND COALESCE({p}.service_tier, '') = {keys['service_tier']}",
        f"AND COALESCE({p}.speed, '') = {keys['speed']}",
        f"AND COALESCE({p}.inference_geo, '') = {keys['inference_geo']}",
        f"AND ({p}.above_input_tokens IS NULL OR {n_in} > {p}.above_input_tokens)",
        f"AND ({p}.up_to_input_tokens IS NULL OR {n_in} <= {p}.up_to_input_tokens)",
    ]
    if not window:
        lines.append(f"AND {p}.window_timezone IS NULL")
        return "\n  ".join(lines)
    local = _local(dialect, when, f"{p}.window_timezone")
    lines += [
        f"AND {p}.window_timezone IS NOT NULL",
        f"AND {p}.window_weekdays LIKE '%' || {local['weekday']} || '%'",
        f"AND {local['minute']} >= {p}.window_start_minute",
        f"AND {local['minute']} < {p}.window_end_minute",
        f"AND ({p}.window_except_dates IS NULL"
        f" OR {p}.window_except_dates NOT LIKE '%' || {local['date']} || '%')",
    ]
    return "\n  ".join(lines)


def _valid(refs: Mapping[str, str]) -> str:
    """`llmcost.Usage`'s invariants: every count in bounds, every part within its total."""
    r = refs
    counts = [r[c] for c in (*COUNT_COLUMNS, *TOOL_CALL_COLUMNS)]
    checks = [f"{c} >= 0 AND {c} <= {MAX_COUNT}" for c in counts]
    writes = " + ".join(r[f"cache_write_{t}_tokens"] for t in ("5m", "30m", "1h", "12h"))
    media = " + ".join(r[f"{m}_input_tokens"] for m in ("audio", "image", "video"))
    cached_media = " + ".join(r[f"cache_read_{m}_tokens"] for m in ("audio", "image", "video"))
    checks += [
        f"{r['cache_read_tokens']} + {writes} <= {r['input_tokens']}",
        f"{media} <= {r['input_tokens']}",
        *(
            f"{r[f'cache_read_{m}_tokens']} <= {r[f'{m}_input_tokens']}"
            for m in ("audio", "image", "video")
        ),
        f"{cached_media} <= {r['cache_read_tokens']}",
        f"({media}) - ({cached_media}) + {r['cache_read_tokens']} + {writes}"
        f" <= {r['input_tokens']}",
        f"{r['reasoning_tokens']} + {r['audio_output_tokens']} + {r['image_output_tokens']}"
        f" <= {r['output_tokens']}",
    ]
    return "(" + "\n    AND ".join(checks) + ")"


def _terms(refs: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Each Cost line as (count expression, per-1M rate column) terms: the pricing rule."""
    r = refs
    writes = " - ".join(r[f"cache_write_{t}_tokens"] for t in ("5m", "30m", "1h", "12h"))
    media = [
        (m, f"({r[f'{m}_input_tokens']} - {r[f'cache_read_{m}_tokens']})")
        for m in ("audio", "image", "video")
    ]
    text_in = (
        f"({r['input_tokens']} - {r['cache_read_tokens']} - {writes}"
        + "".join(f" - {n}" for _, n in media)
        + ")"
    )
    cached_media = " - ".join(r[f"cache_read_{m}_tokens"] for m in ("audio", "image", "video"))
    return {
        "input": [(text_in, "input_per_mtok")] + [(n, f"{m}_input_per_mtok") for m, n in media],
        "cache_read": [(f"({r['cache_read_tokens']} - {cached_media})", "cache_read_per_mtok")]
        + [
            (r[f"cache_read_{m}_tokens"], f"cache_read_{m}_per_mtok")
            for m in ("audio", "image", "video")
        ],
        "cache_write": [
            (r[f"cache_write_{t}_tokens"], f"cache_write_{t}_per_mtok")
            for t in ("5m", "30m", "1h", "12h")
        ],
        "output": [
            (
                f"({r['output_tokens']} - {r['audio_output_tokens']} - {r['image_output_tokens']})",
                "output_per_mtok",
            ),
            (r["audio_output_tokens"], "audio_output_per_mtok"),
            (r["image_output_tokens"], "image_output_per_mtok"),
        ],
    }


def _sum(parts: list[str]) -> str:
    total = parts[0]
    for part in parts[1:]:
        total = f"CAST({total}\n    + {part} AS {SUM})"
    return total


def cost_parts(dialect: str, refs: Mapping[str, str], p: str, w: str) -> dict[str, str]:
    """SQL for each `Cost` line and the total; all NULL wherever `cost()` raises."""
    d = dialect_of(dialect)
    when = instant(d, refs)

    def rate(column: str) -> str:
        return f"CASE WHEN {w}.model IS NULL THEN {p}.{column} ELSE {w}.{column} END"

    def per_token(column: str) -> str:
        return (
            f"CAST(CAST({rate(column)} AS {RATE}) * CAST(0.000001 AS DECIMAL(7, 6)) AS {PER_TOKEN})"
        )

    def per_use(column: str) -> str:
        return f"CAST(CAST({p}.{column} AS {RATE}) * CAST(0.001 AS DECIMAL(4, 3)) AS {PER_USE})"

    def term(n: str, unit: str) -> str:
        # cost() prices a zero count at 0 even where the rate is missing.
        return (
            f"CASE WHEN {n} = 0 THEN CAST(0 AS {SUM}) "
            f"ELSE CAST(CAST({n} AS {COUNT}) * {unit} AS {SUM}) END"
        )

    needs = []
    lines: dict[str, str] = {}
    for line, terms in _terms(refs).items():
        lines[line] = _sum([term(n, per_token(c)) for n, c in terms])
        needs += [f"({n} = 0 OR {rate(c)} IS NOT NULL)" for n, c in terms]
    tools = []
    for tool, calls in zip(KNOWN_TOOLS, TOOL_CALL_COLUMNS, strict=True):
        n = refs[calls]
        tools.append(term(n, per_use(f"{tool}_per_kcall")))
        needs.append(f"({n} = 0 OR {p}.{tool}_per_kcall IS NOT NULL)")
    lines["tools"] = _sum(tools)
    lines["request_fees"] = (
        f"CASE WHEN {p}.request_per_kcall IS NULL THEN CAST(0 AS {SUM}) "
        f"ELSE {term(refs['requests'], per_use('request_per_kcall'))} END"
    )
    lines["total"] = _sum(
        [
            lines[k]
            for k in ("input", "cache_read", "cache_write", "output", "tools", "request_fees")
        ]
    )
    ok = "\n    AND ".join(
        [
            f"{p}.model IS NOT NULL",
            f"({p}.retired_at IS NULL OR {when} < {p}.retired_at)",
            f"({w}.model IS NULL OR {w}.available)",
            _valid(refs),
            *needs,
        ]
    )
    return {k: f"CASE WHEN {ok}\n  THEN CAST({v} AS {RESULT}) END" for k, v in lines.items()}
