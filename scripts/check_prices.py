#!/usr/bin/env python3
"""Compare llmcost's shipped price data with litellm and/or genai-prices.

Maintainer tool, not imported by the library; standard library only.

    python scripts/check_prices.py --litellm PATH/model_prices_and_context_window.json
    python scripts/check_prices.py --genai-prices PATH/genai_prices/data.py
    python scripts/check_prices.py --litellm A.json --genai-prices genai_prices-X-py3-none-any.whl

For every model in ``src/llmcost/data/prices.json`` the price period in force on
``--date`` (default: today) is compared with the other data set, looking the
model up by its id and aliases (with the key forms each data set uses).
Differences are printed as a table (model, source, field, ours, theirs),
followed by the models that could not be found. The exit status is 0 whatever
the differences; it is 2 only when a file cannot be read or parsed.

genai-prices ships its data as Python source (``genai_prices/data.py``, a list of
``Provider(...)`` constructor calls); it is read with ``ast`` without importing
it. A wheel (``.whl``) or a JSON export (``data.json``) of the same data is
accepted too. litellm's per-token floats are converted through their ``repr``
to ``Decimal``, never with float arithmetic.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

MILLION = Decimal(1_000_000)
# Token rates of a period (schema 2 names), then the variants' input and output rates.
TOKEN_FIELDS = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_5m_per_mtok",
    "cache_write_30m_per_mtok",
    "cache_write_1h_per_mtok",
    "cache_write_12h_per_mtok",
    "audio_input_per_mtok",
    "image_input_per_mtok",
    "video_input_per_mtok",
    "cache_read_audio_per_mtok",
    "cache_read_image_per_mtok",
    "audio_output_per_mtok",
    "image_output_per_mtok",
)
VARIANT_TIERS = ("batch", "flex", "priority")
VARIANT_FIELDS = tuple(
    f"{tier}_{side}_per_mtok" for tier in VARIANT_TIERS for side in ("input", "output")
)
PRICE_FIELDS = (*TOKEN_FIELDS, *VARIANT_FIELDS, "web_search_per_kcall")
TIER_FIELDS = TOKEN_FIELDS[:7]
# schema 1 names -> schema 2 names
V1_FIELDS = {"cache_write_per_mtok": "cache_write_5m_per_mtok"}

# litellm key -> our field (per-token floats); cache_creation_input_token_cost is the
# 5-minute write for Anthropic-family entries and the 30-minute write for OpenAI's.
LITELLM_FIELDS = {
    "input_per_mtok": "input_cost_per_token",
    "output_per_mtok": "output_cost_per_token",
    "cache_read_per_mtok": "cache_read_input_token_cost",
    "cache_write_5m_per_mtok": "cache_creation_input_token_cost",
    "cache_write_30m_per_mtok": "cache_creation_input_token_cost",
    "cache_write_1h_per_mtok": "cache_creation_input_token_cost_above_1hr",
    "cache_write_12h_per_mtok": "cache_creation_input_token_cost_above_12hr",
    "audio_input_per_mtok": "input_cost_per_audio_token",
    "image_input_per_mtok": "input_cost_per_image_token",
    "video_input_per_mtok": "input_cost_per_video_token",
    "cache_read_audio_per_mtok": "cache_read_input_audio_token_cost",
    "cache_read_image_per_mtok": "cache_read_input_image_token_cost",
    "audio_output_per_mtok": "output_cost_per_audio_token",
    "image_output_per_mtok": "output_cost_per_image_token",
    **{
        f"{tier}_{side}_per_mtok": f"{side}_cost_per_token_{suffix}"
        for tier, suffix in (("batch", "batches"), ("flex", "flex"), ("priority", "priority"))
        for side in ("input", "output")
    },
}

# our provider -> key prefixes tried in litellm, in order
LITELLM_PREFIXES = {
    "openai": ("", "openai/"),
    "anthropic": ("", "anthropic/"),
    "google": ("gemini/", "", "vertex_ai/"),
    "deepseek": ("", "deepseek/"),
    "mistral": ("mistral/", ""),
    "xai": ("xai/", ""),
}
# providers whose "-latest" key is tried before the bare id
LATEST_FIRST = frozenset({"mistral"})
# host models: our alias prefix -> litellm prefixes
LITELLM_HOSTS = {
    "groq/": ("groq/",),
    "together/": ("together_ai/", ""),
    "bedrock/": ("", "bedrock/", "bedrock_converse/"),
}

# our provider -> genai-prices provider id
GENAI_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "deepseek": "deepseek",
    "mistral": "mistral",
    "xai": "x-ai",
    "groq": "groq",
    "together": "together",
    "bedrock": "aws",
}
GENAI_FIELDS = {
    "input_per_mtok": "input_mtok",
    "output_per_mtok": "output_mtok",
    "cache_read_per_mtok": "cache_read_mtok",
    "cache_write_5m_per_mtok": "cache_write_mtok",
    "cache_write_1h_per_mtok": "cache_write_1h_mtok",
    "audio_input_per_mtok": "input_audio_mtok",
    "image_input_per_mtok": "input_image_mtok",
    "video_input_per_mtok": "input_video_mtok",
    "cache_read_audio_per_mtok": "cache_audio_read_mtok",
    "cache_read_image_per_mtok": "cache_image_read_mtok",
    "audio_output_per_mtok": "output_audio_mtok",
    "image_output_per_mtok": "output_image_mtok",
}


class DataError(Exception):
    """A data file could not be read or understood."""


@dataclass
class Rates:
    """One side's rates for a model: flat fields and tiers keyed by threshold."""

    values: dict[str, Decimal] = field(default_factory=dict)
    tiers: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    remark: str = ""


@dataclass
class Row:
    model: str
    source: str
    field: str
    ours: str
    theirs: str


def fmt(value: Decimal | None) -> str:
    if value is None:
        return "-"
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def per_mtok_from_float(value: Any) -> Decimal | None:
    """litellm per-token number -> Decimal USD per million tokens, via repr."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return Decimal(repr(value)) * MILLION
    except InvalidOperation:
        return None


# ------------------------------------------------------------------ ours


def load_ours(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    models = doc.get("models") if isinstance(doc, dict) else None
    if not isinstance(models, list):
        raise DataError(f"{path}: no 'models' list")
    return [m for m in models if isinstance(m, dict)]


def current_period(entry: dict[str, Any], on: dt.date) -> dict[str, Any] | None:
    chosen: dict[str, Any] | None = None
    for period in entry.get("prices", []):
        start = period.get("from")
        # an instant ("2026-04-24T16:00:00Z") counts from its UTC day
        if start is None or dt.date.fromisoformat(str(start)[:10]) <= on:
            chosen = period
    return chosen


def _schema2(level: dict[str, Any]) -> dict[str, Decimal]:
    out = {}
    for name, value in level.items():
        name = V1_FIELDS.get(name, name)
        if name in TOKEN_FIELDS and value is not None:
            out[name] = Decimal(value)
    return out


def our_rates(period: dict[str, Any]) -> Rates:
    """The rates of one period of a schema 2 (or 1) file, variants resolved to input/output."""
    rates = Rates(values=_schema2(period))
    for tier in period.get("tiers", []):
        rates.tiers[int(tier["above_input_tokens"])] = {
            k: v for k, v in _schema2(tier).items() if k in TIER_FIELDS
        }
    for side in ("input", "output"):  # schema 1 batch rates
        if period.get(f"batch_{side}_per_mtok") is not None:
            rates.values[f"batch_{side}_per_mtok"] = Decimal(period[f"batch_{side}_per_mtok"])
    for variant in period.get("variants", []):
        tier = variant.get("service_tier")
        if tier not in VARIANT_TIERS or variant.get("speed"):
            continue
        for side in ("input", "output"):
            base = rates.values.get(f"{side}_per_mtok")
            if variant.get("multiplier") is not None and base is not None:
                value: Decimal | None = base * Decimal(variant["multiplier"])
            else:
                raw = variant.get(f"{side}_per_mtok")
                value = None if raw is None else Decimal(raw)
            if value is not None:
                rates.values[f"{tier}_{side}_per_mtok"] = value
    search = (period.get("tool_per_kcall") or {}).get("web_search")
    if search is not None:
        rates.values["web_search_per_kcall"] = Decimal(search)
    return rates


def names_of(entry: dict[str, Any]) -> list[str]:
    return [str(entry["model"]), *(str(a) for a in entry.get("aliases", []))]


# ------------------------------------------------------------------ litellm


def load_litellm(path: Path) -> dict[str, dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise DataError(f"{path}: expected a JSON object")
    return {k: v for k, v in doc.items() if isinstance(v, dict) and k != "sample_spec"}


def litellm_candidates(entry: dict[str, Any]) -> list[str]:
    provider = str(entry.get("provider", ""))
    out: list[str] = []
    for name in names_of(entry):
        forms = [name]
        if not name.endswith("-latest"):
            # Mistral's bare ids in litellm are often stale; its -latest alias is what our id means
            forms.insert(0 if provider in LATEST_FIRST else 1, name + "-latest")
        for form in forms:
            host = next((h for h in LITELLM_HOSTS if form.startswith(h)), None)
            if host is not None:
                bare = form[len(host) :]
                out.extend(prefix + bare for prefix in LITELLM_HOSTS[host])
            else:
                out.extend(prefix + form for prefix in LITELLM_PREFIXES.get(provider, ("",)))
    return list(dict.fromkeys(out))


def tier_suffix(threshold: int) -> str:
    # 200000 -> "200k"; xAI's inclusive ">= 200k" is stored as 199999 here.
    if (threshold + 1) % 1000 == 0:
        threshold += 1
    return f"{threshold // 1000}k"


def litellm_rates(spec: dict[str, Any], tiers: list[int], write: str) -> Rates:
    """litellm's rates; its cache_creation cost is compared with our *write* TTL field."""
    rates = Rates()
    for ours, theirs in LITELLM_FIELDS.items():
        if ours in ("cache_write_5m_per_mtok", "cache_write_30m_per_mtok") and ours != write:
            continue
        value = per_mtok_from_float(spec.get(theirs))
        if value is not None:
            rates.values[ours] = value
    search = spec.get("search_context_cost_per_query")
    if isinstance(search, dict) and len({repr(v) for v in search.values()}) == 1:
        value = per_mtok_from_float(next(iter(search.values())))
        if value is not None:
            rates.values["web_search_per_kcall"] = value / 1000  # per 1,000 calls
    for threshold in tiers:
        suffix = tier_suffix(threshold)
        tier: dict[str, Decimal] = {}
        for ours in TIER_FIELDS:
            # e.g. cache_creation_input_token_cost_above_1hr_above_200k_tokens
            if ours in ("cache_write_5m_per_mtok", "cache_write_30m_per_mtok") and ours != write:
                continue
            key = f"{LITELLM_FIELDS[ours]}_above_{suffix}_tokens"
            value = per_mtok_from_float(spec.get(key))
            if value is not None:
                tier[ours] = value
        if tier:
            rates.tiers[threshold] = tier
    # tiers litellm has that we may not: report thresholds it prices
    for key in spec:
        match = re.fullmatch(r"input_cost_per_token_above_(\d+)k_tokens", key)
        if match:
            threshold = int(match.group(1)) * 1000
            if threshold not in rates.tiers and threshold - 1 not in rates.tiers:
                value = per_mtok_from_float(spec[key])
                if value is not None:
                    rates.tiers[threshold] = {"input_per_mtok": value}
    return rates


# ------------------------------------------------------------------ genai-prices


def _literal(node: ast.AST) -> Any:
    """Evaluate the constructor-call data in genai_prices/data.py into plain values."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return {_literal(k): _literal(v) for k, v in pairs if k is not None}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_literal(node.operand)
    if isinstance(node, ast.Call):
        func = node.func
        name = "?"
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute):
            name = func.attr
        args = [_literal(a) for a in node.args]
        if name == "Decimal":
            return Decimal(str(args[0]))
        if name == "date":
            return dt.date(*args)
        if name == "time":
            return dt.time(*args)
        result: dict[str, Any] = {"_type": name}
        for index, arg in enumerate(args):
            result[f"_{index}"] = arg
        for keyword in node.keywords:
            if keyword.arg is not None:
                result[keyword.arg.rstrip("_")] = _literal(keyword.value)
        return result
    raise DataError(f"unsupported syntax in genai-prices data: {ast.dump(node)[:80]}")


def _genai_from_python(source: str) -> list[dict[str, Any]]:
    tree = ast.parse(source)
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id == "providers" and value is not None:
            providers = _literal(value)
            if isinstance(providers, list):
                return [p for p in providers if isinstance(p, dict)]
    raise DataError("no 'providers' list in genai-prices data")


def _json_price(value: Any) -> Any:
    """Normalise genai-prices JSON export values to the shapes the .py parser yields."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value))
    if isinstance(value, dict) and "base" in value and "tiers" in value:
        return {
            "_type": "TieredPrices",
            "base": _json_price(value["base"]),
            "tiers": [
                {"start": t["start"], "price": _json_price(t["price"])} for t in value["tiers"]
            ],
        }
    return value


def _genai_from_json(text: str) -> list[dict[str, Any]]:
    doc = json.loads(text)
    providers = doc.get("providers") if isinstance(doc, dict) else doc
    if not isinstance(providers, list):
        raise DataError("no providers list in genai-prices JSON")
    for provider in providers:
        for model in provider.get("models", []):
            prices = model.get("prices")
            if isinstance(prices, list):
                for cond in prices:
                    cond["prices"] = {k: _json_price(v) for k, v in cond.get("prices", {}).items()}
                    constraint = cond.get("constraint") or {}
                    if "start_date" in constraint:
                        constraint["start_date"] = dt.date.fromisoformat(constraint["start_date"])
                        constraint["_type"] = "StartDateConstraint"
                    elif constraint:
                        constraint["_type"] = "TimeOfDateConstraint"
            elif isinstance(prices, dict):
                model["prices"] = {k: _json_price(v) for k, v in prices.items()}
    return [p for p in providers if isinstance(p, dict)]


def load_genai(path: Path) -> list[dict[str, Any]]:
    try:
        if path.suffix == ".whl" or zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as wheel:
                names = [n for n in wheel.namelist() if n.endswith("genai_prices/data.py")]
                name = names[0] if names else None
                if name is None:
                    raise DataError(f"{path}: no genai_prices/data.py inside")
                return _genai_from_python(wheel.read(name).decode("utf-8"))
        if path.is_dir():
            path = path / "data.py"
        text = path.read_text(encoding="utf-8")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc
    try:
        if path.suffix == ".json":
            return _genai_from_json(text)
        return _genai_from_python(text)
    except (SyntaxError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"cannot parse {path}: {exc}") from exc


def clause_matches(clause: Any, name: str) -> bool:
    if not isinstance(clause, dict):
        return False
    if "or" in clause:
        return any(clause_matches(c, name) for c in clause["or"])
    if "and" in clause:
        return all(clause_matches(c, name) for c in clause["and"])
    if "equals" in clause:
        return name == str(clause["equals"])
    if "starts_with" in clause:
        return name.startswith(str(clause["starts_with"]))
    if "ends_with" in clause:
        return name.endswith(str(clause["ends_with"]))
    if "contains" in clause:
        return str(clause["contains"]) in name
    if "regex" in clause:
        return re.search(str(clause["regex"]), name) is not None
    return False


def genai_lookup(providers: list[dict[str, Any]], entry: dict[str, Any]) -> dict[str, Any] | None:
    provider_id = GENAI_PROVIDERS.get(str(entry.get("provider")))
    provider = next((p for p in providers if p.get("id") == provider_id), None)
    if provider is None:
        return None
    models = [m for m in provider.get("models", []) if isinstance(m, dict)]
    names: list[str] = []
    latest_first = entry.get("provider") in LATEST_FIRST
    for name in names_of(entry):
        bare = name.split("/", 1)[1] if name.startswith(tuple(LITELLM_HOSTS)) else name
        names.extend([bare + "-latest", bare] if latest_first else [bare, bare + "-latest"])
    # exact id first, then Equals clauses, then any clause
    for name in names:
        for model in models:
            if model.get("id") == name:
                return model
    for name in names:
        for model in models:
            if clause_matches(model.get("match"), name):
                return model
    return None


def _genai_value(
    value: Any, threshold_map: dict[int, dict[str, Decimal]], ours: str
) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, dict) and value.get("_type") == "TieredPrices":
        for tier in value.get("tiers", []):
            threshold_map.setdefault(int(tier["start"]), {})[ours] = Decimal(tier["price"])
        base = value.get("base")
        return base if isinstance(base, Decimal) else None
    return None


def genai_rates(model: dict[str, Any], on: dt.date) -> Rates:
    rates = Rates()
    prices = model.get("prices")
    chosen: dict[str, Any] | None = None
    if isinstance(prices, list):
        timed = False
        for cond in prices:
            constraint = cond.get("constraint")
            kind = constraint.get("_type") if isinstance(constraint, dict) else None
            if constraint is None:
                chosen = cond.get("prices")
            elif kind == "StartDateConstraint":
                start = constraint.get("start_date")
                if isinstance(start, dt.date) and start <= on:
                    chosen = cond.get("prices")
            else:
                timed = True
        if timed:
            rates.remark = (
                "genai-prices has time-of-day prices; compared with its default (first) price"
            )
    elif isinstance(prices, dict):
        chosen = prices
    for ours, theirs in GENAI_FIELDS.items():
        if chosen and theirs in chosen:
            value = _genai_value(chosen[theirs], rates.tiers, ours)
            if value is not None:
                rates.values[ours] = value
    for tier in VARIANT_TIERS:
        chosen_variant: dict[str, Any] | None = None
        best: dt.date | None = None
        for variant in model.get("price_variants") or []:
            when = variant.get("when", {})
            key = "processing" if tier == "batch" else "service_tier"
            if when.get(key) != tier:
                continue
            constraint = variant.get("constraint") or {}
            start = constraint.get("start_date") if isinstance(constraint, dict) else None
            start = start if isinstance(start, dt.date) else dt.date.min
            if start <= on and (best is None or start >= best):
                best, chosen_variant = start, variant.get("prices")
        if chosen_variant:
            for side in ("input", "output"):
                if f"{side}_mtok" in chosen_variant:
                    value = _genai_value(chosen_variant[f"{side}_mtok"], {}, side)
                    if value is not None:
                        rates.values[f"{tier}_{side}_per_mtok"] = value
    return rates


# ------------------------------------------------------------------ compare


def compare(
    model: str, source: str, ours: Rates, theirs: Rates, fields: tuple[str, ...]
) -> list[Row]:
    rows: list[Row] = []
    for name in fields:
        a, b = ours.values.get(name), theirs.values.get(name)
        if b is None and name.startswith(("batch_", "flex_", "priority_", "web_search")):
            continue  # a source without variant data says nothing about variants
        if a != b:
            rows.append(Row(model, source, name, fmt(a), fmt(b)))
    for threshold in sorted(set(ours.tiers) | set(theirs.tiers)):
        mine = ours.tiers.get(threshold)
        other = theirs.tiers.get(threshold)
        if mine is None or other is None:
            a_text = "-" if mine is None else "yes"
            b_text = "-" if other is None else "yes"
            rows.append(Row(model, source, f"tier>{threshold}", a_text, b_text))
            continue
        for name in TIER_FIELDS:
            a, b = mine.get(name), other.get(name)
            if a != b:
                rows.append(Row(model, source, f"tier>{threshold}.{name}", fmt(a), fmt(b)))
    return rows


def print_table(rows: list[Row]) -> None:
    headers = ("model", "source", "field", "ours", "theirs")
    table = [headers, *((r.model, r.source, r.field, r.ours, r.theirs) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for index, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--litellm", type=Path, help="litellm model_prices_and_context_window.json")
    parser.add_argument(
        "--genai-prices",
        type=Path,
        help="genai-prices data: genai_prices/data.py, its wheel, or a data.json export",
    )
    parser.add_argument(
        "--prices",
        type=Path,
        default=root / "src" / "llmcost" / "data" / "prices.json",
        help="our prices.json (default: the shipped file)",
    )
    parser.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="compare the period in force on this date (default: today)",
    )
    parser.add_argument(
        "--limits", action="store_true", help="also compare max_output_tokens with litellm"
    )
    args = parser.parse_args(argv)
    if args.litellm is None and args.genai_prices is None:
        parser.error("give --litellm and/or --genai-prices")

    try:
        entries = load_ours(args.prices)
        litellm = load_litellm(args.litellm) if args.litellm else None
        genai = load_genai(args.genai_prices) if args.genai_prices else None
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    rows: list[Row] = []
    missing: list[tuple[str, str]] = []
    remarks: list[str] = []
    for entry in entries:
        model = str(entry.get("model"))
        period = current_period(entry, args.date)
        if period is None:
            remarks.append(f"{model}: no price period in force on {args.date}")
            continue
        ours = our_rates(period)
        if litellm is not None:
            key = next((c for c in litellm_candidates(entry) if c in litellm), None)
            if key is None:
                missing.append((model, "litellm"))
            else:
                spec = litellm[key]
                write = (
                    "cache_write_30m_per_mtok"
                    if "cache_write_30m_per_mtok" in ours.values
                    or entry.get("provider") == "openai"
                    else "cache_write_5m_per_mtok"
                )
                theirs = litellm_rates(spec, sorted(ours.tiers), write)
                rows.extend(compare(model, "litellm", ours, theirs, PRICE_FIELDS))
                if args.limits:
                    a, b = entry.get("max_output_tokens"), spec.get("max_output_tokens")
                    if a != b:
                        rows.append(Row(model, "litellm", "max_output_tokens", str(a), str(b)))
        if genai is not None:
            found = genai_lookup(genai, entry)
            if found is None:
                missing.append((model, "genai-prices"))
            else:
                theirs = genai_rates(found, args.date)
                if theirs.remark:
                    remarks.append(f"{model}: {theirs.remark}")
                rows.extend(compare(model, "genai-prices", ours, theirs, PRICE_FIELDS))

    print(f"Compared {len(entries)} models (periods in force on {args.date}).")
    print()
    if rows:
        print_table(rows)
    else:
        print("No differences.")
    print()
    if missing:
        print(f"Not found ({len(missing)}):")
        for model, source in missing:
            print(f"  {model}  [{source}]")
    for remark in remarks:
        print(f"note: {remark}")
    return 0


if __name__ == "__main__":
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 0
    sys.exit(status)
