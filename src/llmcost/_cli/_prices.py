"""The price commands: ``models`` (the list), ``price`` (one model in full), ``prices`` (export)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._common import EXIT_OK, candidates, display_instant, registry, resolve, want_json, when_text
from ._output import attrs_dict, count, out, print_json, rate, table, wrap

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime
    from decimal import Decimal

    from llmcost._prices import ModelPrice
    from llmcost._rates import Level
    from llmcost._registry import Registry

#: Short column labels of the token rates, in `TOKEN_RATES` order.
RATE_LABELS = {
    "input_per_mtok": ("input", "input"),
    "output_per_mtok": ("output", "output"),
    "cache_read_per_mtok": ("cached", "cache read"),
    "cache_write_5m_per_mtok": ("write 5m", "cache write 5 min"),
    "cache_write_30m_per_mtok": ("write 30m", "cache write 30 min"),
    "cache_write_1h_per_mtok": ("write 1h", "cache write 1 hour"),
    "cache_write_12h_per_mtok": ("write 12h", "cache write 12 hours"),
    "audio_input_per_mtok": ("audio in", "audio input"),
    "image_input_per_mtok": ("image in", "image input"),
    "video_input_per_mtok": ("video in", "video input"),
    "cache_read_audio_per_mtok": ("cached audio", "cache read, audio"),
    "cache_read_image_per_mtok": ("cached image", "cache read, image"),
    "cache_read_video_per_mtok": ("cached video", "cache read, video"),
    "audio_output_per_mtok": ("audio out", "audio output"),
    "image_output_per_mtok": ("image out", "image output"),
}
#: Rates shown for every model, set or not ('-': such tokens are refused).
_ALWAYS = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_5m_per_mtok",
    "cache_write_30m_per_mtok",
    "cache_write_1h_per_mtok",
    "cache_write_12h_per_mtok",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def price_dict(p: ModelPrice) -> dict[str, object]:
    """A `ModelPrice` under its constructor's names, with `retired` as a date."""
    d = attrs_dict(p)
    d["retired_at"] = p.retired_at
    d["retired"] = p.retired
    return d


def per_mtok(level_rate: Decimal | None) -> Decimal | None:
    """A per-token rate of a `Level` as USD per 1M tokens (exact)."""
    from llmcost._money import CTX

    return None if level_rate is None else CTX.multiply(level_rate, 1_000_000)


def context_levels(
    p: ModelPrice, tier: str | None, speed: str | None, geo: str | None = None
) -> tuple[Level, ...] | None:
    """The rate levels of *p* for that context (None: it has no rates for it)."""
    from llmcost._errors import MissingRateError
    from llmcost._rates import levels

    try:
        return levels(p, (tier, speed, geo), None)
    except MissingRateError:
        return None


def _retired(p: ModelPrice, when: datetime) -> bool:
    return p.retired_at is not None and when >= p.retired_at


def _batch_rates(p: ModelPrice) -> str:
    lv = context_levels(p, "batch", None)
    if lv is None:
        return "-"
    from llmcost._rates import R

    i, o = (per_mtok(lv[0].rates[R[f]]) for f in ("input_per_mtok", "output_per_mtok"))
    if i is None:
        return "-"
    return f"{rate(i)}/{rate(o)}"


# --- models ------------------------------------------------------------------------------------


def models(args: argparse.Namespace) -> int:
    """``llmcost models``: the models with their main rates, current ones unless asked."""
    reg = registry(args)
    when = display_instant(args)
    names = candidates(
        reg, args.provider, kind=args.kind, include_retired=args.include_retired, when=when
    )
    prices = sorted((reg.get(m, at=when) for m in names), key=lambda p: (p.provider, p.model))
    if want_json(args):
        rows = []
        for p in prices:
            d = price_dict(p)
            d["current"] = not _retired(reg.history(p.model)[-1], when)
            rows.append(d)
        print_json(rows)
        return EXIT_OK
    rows_text = []
    retired = 0
    for p in prices:
        gone = _retired(reg.history(p.model)[-1], when)
        retired += gone
        rows_text.append(
            [
                p.model + ("*" if gone else ""),
                p.provider,
                rate(p.input_per_mtok),
                rate(p.output_per_mtok),
                rate(p.cache_read_per_mtok),
                _batch_rates(p),
                count(p.context_window),
                p.checked.isoformat() if p.checked else "-",
            ]
        )
    headers = ["model", "provider", "input", "output", "cached", "batch in/out", "context"]
    out(f"Prices in force at {when_text(when)}, USD per 1M tokens ('-': no such rate)", "")
    out(*table([*headers, "checked"], rows_text, right=range(2, 7)))
    as_of = reg.as_of.isoformat() if reg.as_of else "unknown"
    out("", f"{len(prices)} models; prices checked up to {as_of}")
    if retired:
        out("* retired by then (`llmcost price MODEL` names the successor)")
    return EXIT_OK


# --- price -------------------------------------------------------------------------------------


def _tokenizer(p: ModelPrice) -> str:
    from llmcost._families import EXACT_TOKENIZERS

    if p.tokenizer in EXACT_TOKENIZERS:
        return f"exact ({p.tokenizer})"
    return f"estimate ({p.tokenizer} profile)"


def _weekdays(days: Sequence[int]) -> str:
    if len(days) == 7:
        return "every day"
    if list(days) == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"{_DAYS[days[0]]}-{_DAYS[days[-1]]}"
    return ",".join(_DAYS[d] for d in days)


def _columns(levels: Sequence[Sequence[Decimal | None]]) -> list[str]:
    """The token rates any of these levels has, in `TOKEN_RATES` order (input, output first)."""
    from llmcost._prices import TOKEN_RATES

    have = {i for lv in levels for i, r in enumerate(lv) if r is not None}
    return [f for i, f in enumerate(TOKEN_RATES) if i in have or i < 2]


def _level_table(
    rows: Sequence[tuple[Sequence[str], Sequence[Decimal | None]]], lead: Sequence[str]
) -> list[str]:
    """Rows of (lead cells, per-1M rates in `TOKEN_RATES` order) as a table of the rates used."""
    from llmcost._prices import TOKEN_RATES

    cols = _columns([r for _, r in rows])
    idx = [TOKEN_RATES.index(c) for c in cols]
    body = [[*cells, *(rate(r[i]) for i in idx)] for cells, r in rows]
    headers = [*lead, *(RATE_LABELS[c][0] for c in cols)]
    return table(headers, body, right=range(len(lead), len(headers)), indent="  ")


def _level_rows(
    lv: tuple[Level, ...], label: str, how: str
) -> list[tuple[list[str], list[Decimal | None]]]:
    rows = []
    for k, level in enumerate(lv):
        first = label if k == 0 else f"  above {level.above:,}"
        rows.append(([first, how if k == 0 else ""], [per_mtok(r) for r in level.rates]))
    return rows


def _rates_section(p: ModelPrice) -> list[str]:
    from llmcost._prices import TOKEN_RATES

    lines = []
    rates = p.rates()
    for field in TOKEN_RATES:
        if field in _ALWAYS or field in rates:
            lines.append(f"  {RATE_LABELS[field][1]:<24}{rate(rates.get(field))}")
    media = [f for f in TOKEN_RATES if f not in _ALWAYS]
    if not any(f in rates for f in media):
        lines.append(f"  {'audio, image, video':<24}- (no modality rates: such tokens are refused)")
    lines.append("")
    lines.append("Per-use charges, USD per 1,000 uses ('-': none):")
    for name, value in p.tool_per_kcall.items():
        lines.append(f"  {name:<24}{rate(value)}")
    if not p.tool_per_kcall:
        lines.append(f"  {'server tools':<24}- (tool uses are refused)")
    lines.append(f"  {'requests':<24}{rate(p.request_per_kcall)}")
    return lines


def _context_sections(p: ModelPrice) -> list[str]:
    from llmcost._prices import TOKEN_RATES

    lines: list[str] = []
    if p.tiers:
        lines += [
            "",
            "Long-context rates (for the whole request when its input exceeds the "
            "threshold), USD per 1M:",
        ]
        rows = [
            ([f"above {t.above_input_tokens:,}"], [t.rates().get(f) for f in TOKEN_RATES])
            for t in p.tiers
        ]
        lines += _level_table(rows, ["input tokens"])
    if p.variants:
        lines += ["", "Service tiers and speeds (--service-tier, --speed), USD per 1M:"]
        rows = []
        for v in p.variants:
            lv = context_levels(p, v.service_tier, v.speed)
            how = f"x{rate(v.multiplier)}" if v.multiplier is not None else "rates"
            if lv is not None:
                rows += _level_rows(lv, v.key(), how)
        lines += _level_table(rows, ["variant", "how"])
    if p.windows:
        zone = p.windows[0].timezone
        lines += ["", f"Time-of-day rates ({zone} local time; other times: the rates above):"]
        for w in p.windows:
            how = (
                f"x{rate(w.multiplier)} every token rate"
                if w.multiplier is not None
                else (
                    "its own rates: "
                    + ", ".join(f"{RATE_LABELS[f][0]} {rate(r)}" for f, r in w.rates().items())
                )
            )
            lines.append(f"  {_weekdays(w.weekdays) + ' ' + w.start + '-' + w.end:<24}{how}")
            if w.except_dates:
                dates = ", ".join(d.isoformat() for d in w.except_dates)
                lines += wrap("", f"except {dates}", width=26)
    if p.inference_geo:
        lines += ["", "Regional rates (--inference-geo; every token rate times):"]
        for geo, factor in p.inference_geo.items():
            lines.append(f"  {geo:<24}x{rate(factor)}")
    return lines


def _history(reg: Registry, model: str, shown: ModelPrice) -> list[str]:
    history = reg.history(model)
    cols = [f for f in _ALWAYS if f in ("input_per_mtok", "output_per_mtok")
            or any(getattr(h, f) is not None for h in history)]  # fmt: skip

    def bound(b: object) -> str:
        return when_text(b).removesuffix(" UTC") if b else "-"  # type: ignore[arg-type]

    rows = []
    for h in history:
        extras = [f">{t.above_input_tokens:,}" for t in h.tiers]
        extras += [v.key().replace("service_tier=", "").replace("speed=", "") for v in h.variants]
        if h.windows:
            extras.append("windows")
        rows.append(
            [bound(h.valid_from) if h.valid_from else "(first)", bound(h.valid_to),
             *(rate(getattr(h, f)) for f in cols), " ".join(extras) or "-",
             "*" if h == shown else ""]
        )  # fmt: skip
    headers = ["from (UTC)", "until", *(RATE_LABELS[f][0] for f in cols), "also", ""]
    n = len(headers)
    return table(headers, rows, right=range(2, n - 2), shrink=n - 2, indent="  ")


def price(args: argparse.Namespace) -> int:
    """``llmcost price MODEL``: every rate of one model, its contexts, windows and history."""
    reg = registry(args)
    model = resolve(reg, args.model)
    when = display_instant(args)
    p = reg.get(model, at=when)
    last = reg.history(model)[-1]
    if want_json(args):
        data: dict[str, object] = {"requested": args.model, "at": when, **price_dict(p)}
        data["retired_at"], data["retired"] = last.retired_at, last.retired
        data["successor"] = last.successor
        data["history"] = [price_dict(h) for h in reg.history(model)]
        print_json(data)
        return EXIT_OK
    lines = [f"{p.model} ({p.provider}), {'embedding' if p.kind == 'embedding' else 'chat'} model"]
    if p.display_name:
        lines.append(f"{'display name':<16}{p.display_name}")
    if args.model != p.model:
        lines.append(f"{'requested as':<16}{args.model}")
    if p.aliases:
        lines += wrap("aliases", ", ".join(p.aliases))
    lines.append(f"{'tokenizer':<16}{_tokenizer(p)}")
    lines.append(
        f"{'context':<16}{count(p.context_window)} tokens, "
        f"up to {count(p.max_output_tokens)} output tokens"
    )
    if p.source_url:
        checked = f" (checked {p.checked.isoformat()})" if p.checked else ""
        lines.append(f"{'source':<16}{p.source_url}{checked}")
    if last.retired_at is not None:
        gone = "retired" if when >= last.retired_at else "retires"
        text = f"{when_text(last.retired_at)}; successor: {last.successor or 'none named'}"
        lines.append(f"{gone:<16}{text}")
    if p.note:
        lines += wrap("note", p.note)
    title = f"Prices in force at {when_text(when)}, USD per 1M tokens ('-': no such rate):"
    lines += ["", title]
    lines += _rates_section(p)
    lines += _context_sections(p)
    lines += ["", "Price history (USD per 1M tokens; also: tiers, variants, windows):"]
    lines += _history(reg, model, p)
    lines.append(f"  (* in force at {when_text(when)})")
    out(*lines)
    return EXIT_OK


# --- prices ------------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    from ._output import json_value

    v = json_value(value)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    return str(v)


def prices(args: argparse.Namespace) -> int:
    """``llmcost prices``: the flat price table (or the aliases) as CSV or JSON lines."""
    from llmcost._rows import ALIAS_COLUMNS, PRICE_COLUMNS, alias_rows, price_rows

    from ._output import json_text

    reg = registry(args)
    rows: Sequence[Mapping[str, object]]
    columns: Sequence[str]
    if args.aliases:
        rows, columns = alias_rows(reg), ALIAS_COLUMNS
    else:
        rows, columns = price_rows(reg), PRICE_COLUMNS
    if want_json(args):
        print_json([{c: row.get(c) for c in columns} for row in rows])
    elif args.format == "jsonl":
        for row in rows:
            print(json_text({c: row.get(c) for c in columns}, indent=None))
    else:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return EXIT_OK
