"""The pricing commands: ``cost`` (one request, line by line) and ``compare`` (many models)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ._common import (
    EXIT_OK,
    Failure,
    UsageError,
    candidates,
    context,
    now,
    registry,
    resolve,
    usage,
    want_json,
    when_text,
)
from ._output import count, out, plain, print_json, table, usd, wrap

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import date, datetime
    from decimal import Decimal

    from llmcost._prices import ModelPrice
    from llmcost._registry import Registry
    from llmcost._usage import Cost, Usage

# The rows of a breakdown: (label, count field or a function of the usage, rate, Cost line).
_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("input", "text_in", "input_per_mtok", "input"),
    ("audio input", "audio_in", "audio_input_per_mtok", "input"),
    ("image input", "image_in", "image_input_per_mtok", "input"),
    ("video input", "video_in", "video_input_per_mtok", "input"),
    ("cache read", "text_cached", "cache_read_per_mtok", "cache_read"),
    ("cache read, audio", "cache_read_audio_tokens", "cache_read_audio_per_mtok", "cache_read"),
    ("cache read, image", "cache_read_image_tokens", "cache_read_image_per_mtok", "cache_read"),
    ("cache read, video", "cache_read_video_tokens", "cache_read_video_per_mtok", "cache_read"),
    ("cache write 5 min", "cache_write_5m_tokens", "cache_write_5m_per_mtok", "cache_write"),
    ("cache write 30 min", "cache_write_30m_tokens", "cache_write_30m_per_mtok", "cache_write"),
    ("cache write 1 hour", "cache_write_1h_tokens", "cache_write_1h_per_mtok", "cache_write"),
    ("cache write 12 h", "cache_write_12h_tokens", "cache_write_12h_per_mtok", "cache_write"),
    ("output", "text_out", "output_per_mtok", "output"),
    ("audio output", "audio_output_tokens", "audio_output_per_mtok", "output"),
    ("image output", "image_output_tokens", "image_output_per_mtok", "output"),
)


def _parts(u: Usage) -> dict[str, int]:
    """Every count a rate applies to: the text remainders and the media and cache parts."""
    d = u.counts()
    media = ("audio", "image", "video")
    media_in = {m: d[f"{m}_input_tokens"] - d[f"cache_read_{m}_tokens"] for m in media}
    cached_media = sum(d[f"cache_read_{m}_tokens"] for m in media)
    d["text_in"] = u.uncached_input_tokens - sum(media_in.values())
    d |= {f"{m}_in": n for m, n in media_in.items()}
    d["text_cached"] = d["cache_read_tokens"] - cached_media
    d["text_out"] = d["output_tokens"] - d["audio_output_tokens"] - d["image_output_tokens"]
    return d


def breakdown(
    c: Cost, price: ModelPrice, when: date | datetime
) -> tuple[list[tuple[str, int, str, Decimal]], list[str]]:
    """(rows of label, count, rate shown, amount; what selected the rates) for a cost.

    The rates are the library's own rate levels for the request context and instant; the rows
    of each `Cost` line must add up to it, else the breakdown falls back to the lines alone.
    """
    from llmcost._money import CTX, ZERO
    from llmcost._rates import R, context_key, levels
    from llmcost._when import window_at

    key = context_key(c.service_tier, c.speed, c.inference_geo, False)
    window = window_at(price, when) if price.windows else None
    lv = levels(price, key, window)
    level = lv[0]
    for candidate in lv[1:]:
        if c.usage.input_tokens > candidate.above:
            level = candidate
    how = []
    tier, speed, geo = key
    if tier:
        how.append(f"service tier {tier}")
    if speed:
        how.append(f"speed {speed}")
    if geo:
        how.append(f"inference geo {geo}")
    if level.above >= 0:
        how.append(f"long-context rates (input over {level.above:,} tokens)")
    if window is not None:
        factor = f" (x{window.multiplier})" if window.multiplier is not None else ""
        how.append(f"{window.start}-{window.end} {window.timezone} rates{factor}")
    parts = _parts(c.usage)
    rows: list[tuple[str, int, str, Decimal]] = []
    sums: dict[str, Decimal] = {}
    for label, field, rate_name, line in _ROWS:
        n = parts[field]
        r = level.rates[R[rate_name]]
        if n and r is not None:
            amount = CTX.multiply(r, n)
            rows.append((label, n, _plain_rate(CTX.multiply(r, 1_000_000)), amount))
            sums[line] = CTX.add(sums.get(line, ZERO), amount)
        elif label == "input" or (label == "output" and r is not None):
            shown = None if r is None else CTX.multiply(r, 1_000_000)
            rows.append((label, n, _plain_rate(shown), ZERO))
    for name, n in c.usage.tool_calls.items():
        r = price.tool_per_kcall[name]
        amount = CTX.divide(CTX.multiply(r, n), 1000)
        rows.append((f"{name} uses", n, f"{_plain_rate(r)}/1K", amount))
        sums["tools"] = CTX.add(sums.get("tools", ZERO), amount)
    if price.request_per_kcall is not None:
        n = c.usage.requests
        amount = CTX.divide(CTX.multiply(price.request_per_kcall, n), 1000)
        rows.append(("requests", n, f"{_plain_rate(price.request_per_kcall)}/1K", amount))
        sums["request_fees"] = amount
    lines = ("input", "cache_read", "cache_write", "output", "tools", "request_fees")
    if any(sums.get(line, ZERO) != getattr(c, line) for line in lines):  # pragma: no cover
        u = c.usage
        rows = [
            ("input (uncached)", u.uncached_input_tokens, "", c.input),
            ("cache read", u.cache_read_tokens, "", c.cache_read),
            ("cache write", u.cache_write_tokens, "", c.cache_write),
            ("output", u.output_tokens, "", c.output),
            ("tools", sum(u.tool_calls.values()), "", c.tools),
            ("request fees", u.requests, "", c.request_fees),
        ]
    return rows, how


def _plain_rate(r: Decimal | None) -> str:
    from ._output import rate

    return rate(r)


def print_cost(c: Cost, price: ModelPrice, when: date | datetime) -> None:
    """A cost's breakdown: tokens, the rate that applied, and the amount, per part."""
    rows, how = breakdown(c, price, when)
    title = f"{c.model} ({c.provider}): prices in force at {when_text(when)}"
    out(*wrap("", ", ".join([title, *how]), width=0), "")
    body = [[label, count(n), r, usd(amount)] for label, n, r, amount in rows]
    if c.usage.reasoning_tokens:
        at = next((k + 1 for k, row in enumerate(body) if row[0] == "output"), len(body))
        body.insert(at, ["  of which reasoning", count(c.usage.reasoning_tokens), "", ""])
    u = c.usage
    footer = [["total", count(u.input_tokens + u.output_tokens), "", usd(c.total)]]
    out(*table(["", "tokens", "USD per 1M", "cost"], body, right=(1, 2, 3), footer=footer))
    exact = plain(c.total)
    if len(exact.partition(".")[2]) > 6:  # the table rounds to a millionth
        out("", f"exact total: {exact} USD")


def _at(args: argparse.Namespace) -> date | datetime:
    at: date | datetime | None = args.at
    return now() if at is None else at


def cost(args: argparse.Namespace) -> int:
    """``llmcost cost MODEL``: the exact cost of one request, part by part."""
    from llmcost import _cost

    reg = registry(args)
    model = resolve(reg, args.model)
    when = _at(args)
    embedding = reg.history(model)[-1].kind == "embedding"
    u = usage(args, embedding=embedding)
    c = _cost.cost(model, u, **context(args), at=when, registry=reg)
    if want_json(args):
        print_json({"requested": args.model, "at": when, **cost_dict(c)})
        return EXIT_OK
    print_cost(c, reg.get(model, at=when), when)
    return EXIT_OK


def cost_dict(c: Cost) -> dict[str, object]:
    """A `Cost` under its own field names, with its `Usage` (and no `parts`)."""
    d: dict[str, object] = {
        "model": c.model,
        "provider": c.provider,
        "usage": {**c.usage.counts(), "tool_calls": dict(c.usage.tool_calls)},
    }
    for field in ("input", "cache_read", "cache_write", "output", "tools", "request_fees", "total"):
        d[field] = getattr(c, field)
    d |= {"service_tier": c.service_tier, "speed": c.speed, "inference_geo": c.inference_geo}
    d |= {"batch": c.batch, "input_exact": c.input_exact, "currency": "USD"}
    return d


# --- compare -----------------------------------------------------------------------------------


def ratio(total: Decimal, cheapest: Decimal) -> Decimal | None:
    """*total* over *cheapest* to 4 places, for people (None: only the cheapest is free)."""
    from decimal import ROUND_HALF_EVEN, Context, Decimal

    if not cheapest:
        return Decimal(1) if not total else None
    ctx = Context(prec=120, rounding=ROUND_HALF_EVEN, Emax=10_000, Emin=-10_000)
    return ctx.quantize(ctx.divide(total, cheapest), Decimal("0.0001"))


def ratio_text(r: Decimal | None) -> str:
    """``1.25x`` or ``-``."""
    return "-" if r is None else f"{r:,.2f}x"


def dedupe(names: Iterable[str]) -> list[str]:
    """*names* without repeats, in order."""
    return list(dict.fromkeys(names))


def model_list(reg: Registry, text: str) -> list[str]:
    """The canonical ids of ``--models a,b,c``."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        msg = "--models needs at least one model name (a,b,c)"
        raise UsageError(msg)
    return dedupe(resolve(reg, n) for n in names)


def workload(u: Usage) -> str:
    """The usage in words, for a title."""
    text = f"{u.input_tokens:,} input tokens"
    parts = [
        f"{n:,} {f.removesuffix('_tokens').replace('_', ' ')}"
        for f, n in u.counts().items()
        if n
        and f not in ("input_tokens", "output_tokens", "requests", "reasoning_tokens")
        and not f.endswith("output_tokens")
    ]
    if parts:
        text += f" (of which {', '.join(parts)})"
    text += f" + {u.output_tokens:,} output tokens"
    if u.reasoning_tokens:
        text += f" (of which {u.reasoning_tokens:,} reasoning)"
    if u.tool_calls:
        text += " + " + ", ".join(f"{n:,} {name} uses" for name, n in u.tool_calls.items())
    return text


def ranked_json(
    costs: Sequence[Cost],
    cheapest: Decimal,
    extra: Callable[[Cost], dict[str, object]] | None = None,
) -> list[object]:
    """The ranked costs as JSON objects."""
    rows: list[object] = []
    for i, c in enumerate(costs, 1):
        d: dict[str, object] = {"rank": i, **cost_dict(c), "ratio": ratio(c.total, cheapest)}
        if extra is not None:
            d |= extra(c)
        rows.append(d)
    return rows


def compare(args: argparse.Namespace) -> int:
    """``llmcost compare``: one workload on many models, cheapest first."""
    from llmcost import _cost

    reg = registry(args)
    when = _at(args)
    kind = args.kind
    u = usage(args, embedding=kind == "embedding")
    models = model_list(reg, args.models) if args.models else None
    include = args.include_retired
    considered = models or candidates(
        reg, args.provider, kind=kind, include_retired=include, when=when
    )
    results = _cost.compare(
        usage=u,
        models=models,
        provider=args.provider,
        kind=kind,
        include_retired=include,
        at=when,
        registry=reg,
        **context(args),
    )
    if not results:
        msg = "no model has every rate this workload needs (its service tier, cache or media rates)"
        raise Failure(msg)
    cheapest = results[0].total
    shown = results[: args.top] if args.top else results
    if want_json(args):
        print_json(ranked_json(shown, cheapest))
        return EXIT_OK
    ctx = [v for v in (args.service_tier, args.speed, args.inference_geo) if v]
    ctx += ["batch"] if args.batch else []
    title = f"{workload(u)}, prices in force at {when_text(when)}"
    out(*wrap("", title + (f", {', '.join(ctx)} rates" if ctx else ""), width=0), "")
    cached = any(c.cache_read or c.cache_write for c in shown)
    extras = any(c.tools or c.request_fees for c in shown)
    rows = []
    for i, c in enumerate(shown, 1):
        row = [str(i), c.model, c.provider, usd(c.total), ratio_text(ratio(c.total, cheapest))]
        row += [usd(c.input)]
        if cached:
            row += [usd(c.cache_read + c.cache_write)]
        row += [usd(c.output)]
        if extras:
            row += [usd(c.tools + c.request_fees)]
        rows.append(row)
    headers = ["#", "model", "provider", "total", "vs cheapest", "input"]
    headers += ["cache"] if cached else []
    headers += ["output"] + (["per use"] if extras else [])
    out(*table(headers, rows, right={0, *range(3, len(headers))}, shrink=1))
    notes = []
    if len(shown) < len(results):
        notes.append(f"{len(results) - len(shown)} more not shown (--top {args.top})")
    left_out = len(considered) - len(results)
    if left_out:
        notes.append(f"{left_out} left out for lack of a rate this workload needs")
    if notes:
        out("", f"{len(results)} models priced; " + "; ".join(notes))
    return EXIT_OK
