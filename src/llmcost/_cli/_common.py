"""What the commands share: exit statuses, errors, the registry, names, instants, usage options."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date, datetime

    from llmcost._errors import UnknownModelError
    from llmcost._registry import Registry
    from llmcost._usage import Usage

#: Exit statuses (documented in ``llmcost --help``).
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3


class UsageError(Exception):
    """A command line that cannot work (exit status 2); the message says what to change."""


class Failure(Exception):
    """A command that could not do its job (exit status 1); the message says why."""


def unknown_model_lines(e: UnknownModelError) -> list[str]:
    """The error for an unknown model: the close matches, and where to add prices."""
    msg = e.reason or f"unknown model {e.model!r:.80}"
    if e.suggestions:
        msg += "; did you mean " + ", ".join(repr(s) for s in e.suggestions) + "?"
    hint = (
        "  `llmcost models` lists the known models; --registry FILE or LLMCOST_PRICES adds "
        "prices for others."
    )
    return [msg, hint]


def want_json(args: argparse.Namespace) -> bool:
    """Whether --json was given (before or after the command)."""
    return bool(getattr(args, "json", False))


def registry(args: argparse.Namespace) -> Registry:
    """The default registry (with ``$LLMCOST_PRICES``), plus ``--registry FILE`` on top."""
    from llmcost._registry import Registry

    reg = Registry.default()
    path = getattr(args, "registry", None)
    if path:
        reg = reg.with_prices(*Registry.from_file(path).prices())
    return reg


def custom_registry(args: argparse.Namespace) -> Registry | None:
    """The registry when --registry was given, else None (the default, also in workers)."""
    return registry(args) if getattr(args, "registry", None) else None


def resolve(reg: Registry, model: str) -> str:
    """The canonical id of a model named on the command line (unknown: a usage error)."""
    from llmcost._errors import UnknownModelError

    try:
        return reg.resolve(model)
    except UnknownModelError as e:
        raise UsageError("\n".join(unknown_model_lines(e))) from None


def candidates(
    reg: Registry,
    provider: str | None,
    *,
    kind: str | None,
    include_retired: bool,
    when: date | datetime,
) -> list[str]:
    """The models a listing or comparison considers: *provider*'s (all if None), of *kind*,
    and current at *when* unless *include_retired*."""
    from llmcost._when import instant_of, on_or_after

    names = reg.models(provider, include_retired=True)
    if provider is not None and not names:
        known = ", ".join(reg.providers())
        msg = f"no models for provider {provider!r:.60}; known providers: {known}"
        raise UsageError(msg)
    at = instant_of(when)
    out = []
    for m in names:
        last = reg.history(m)[-1]
        if kind is not None and last.kind != kind:
            continue
        if not include_retired and last.retired_at and on_or_after(at, last.retired_at):
            continue
        out.append(m)
    return out


def now() -> datetime:
    """The current instant (UTC), taken once per command so every number uses the same."""
    from llmcost._when import now as _now

    return _now()


def when_text(when: date | datetime) -> str:
    """``2026-11-25`` for a day, ``2026-11-25 02:00 UTC`` for an instant."""
    from datetime import datetime

    if isinstance(when, datetime):
        return when.strftime("%Y-%m-%d %H:%M UTC")
    return when.isoformat()


def display_instant(args: argparse.Namespace) -> datetime:
    """--at for showing prices: a date means 00:00 UTC that day; default now."""
    from datetime import date, datetime, timezone

    at = getattr(args, "at", None)
    if at is None:
        return now()
    if isinstance(at, datetime):
        return at
    assert isinstance(at, date)
    return datetime(at.year, at.month, at.day, tzinfo=timezone.utc)


# --- usage and request-context options ---------------------------------------------------------

#: (option, Usage field, help) for the token parts a request can have.
USAGE_OPTIONS = (
    ("--cache-read", "cache_read_tokens", "of the input, tokens read from the prompt cache"),
    ("--cache-write-5m", "cache_write_5m_tokens", "of the input, written to a 5-minute cache"),
    ("--cache-write-30m", "cache_write_30m_tokens", "of the input, written to a 30-minute cache"),
    ("--cache-write-1h", "cache_write_1h_tokens", "of the input, written to a 1-hour cache"),
    ("--cache-write-12h", "cache_write_12h_tokens", "of the input, written to a 12-hour cache"),
    ("--audio-input", "audio_input_tokens", "of the input, audio tokens (cached ones included)"),
    ("--image-input", "image_input_tokens", "of the input, image tokens (cached ones included)"),
    ("--video-input", "video_input_tokens", "of the input, video tokens (cached ones included)"),
    ("--cached-audio", "cache_read_audio_tokens", "of the cache reads, audio tokens"),
    ("--cached-image", "cache_read_image_tokens", "of the cache reads, image tokens"),
    ("--cached-video", "cache_read_video_tokens", "of the cache reads, video tokens"),
    ("--reasoning", "reasoning_tokens", "of the output, reasoning tokens (priced as output)"),
    ("--audio-output", "audio_output_tokens", "of the output, audio tokens"),
    ("--image-output", "image_output_tokens", "of the output, image tokens"),
)
_OPTION_OF = {field: option for option, field, _ in USAGE_OPTIONS} | {
    "input_tokens": "--input",
    "output_tokens": "--output",
    "requests": "--requests",
    "tool_calls": "--tool",
}


def add_usage_options(p: argparse.ArgumentParser) -> None:
    """The token-count options of `cost` and `compare`."""
    from ._args import positive_int, tokens_arg, tool_arg

    g = p.add_argument_group("token counts (1200, 1,200, 1.2k, 3M)")
    g.add_argument(
        "--input",
        type=tokens_arg,
        required=True,
        metavar="N",
        help="all input tokens: cache reads, cache writes and media included",
    )
    g.add_argument(
        "--output",
        type=tokens_arg,
        metavar="N",
        help="all output tokens, reasoning and media included (required, except for "
        "embedding models)",
    )
    for option, _field, what in USAGE_OPTIONS:
        g.add_argument(option, type=tokens_arg, default=0, metavar="N", help=what)
    g.add_argument(
        "--cache-write",
        type=tokens_arg,
        default=0,
        metavar="N",
        help="the same as --cache-write-5m (as in llmcost 0.1)",
    )
    g.add_argument(
        "--tool",
        type=tool_arg,
        action="append",
        default=[],
        metavar="NAME=N",
        help="N server-side tool uses, such as web_search=3 (repeatable)",
    )
    g.add_argument(
        "--requests",
        type=positive_int,
        default=1,
        metavar="N",
        help="how many requests these tokens are (for per-request fees; default 1)",
    )


def add_context_options(p: argparse.ArgumentParser, *, models_hint: bool = False) -> None:
    """The request-context options of `cost`, `compare` and `estimate`."""
    from ._args import at_arg

    g = p.add_argument_group("request context")
    g.add_argument(
        "--service-tier",
        metavar="TIER",
        help="the service tier: batch, flex, priority, ... (default standard)",
    )
    g.add_argument("--speed", metavar="SPEED", help="fast for fast mode (default standard)")
    g.add_argument(
        "--inference-geo",
        metavar="GEO",
        help="where the request ran, for regional prices (us, eu, ...)",
    )
    g.add_argument(
        "--batch",
        action="store_true",
        help="the batch API's rates (the same as --service-tier batch)",
    )
    g.add_argument(
        "--at",
        type=at_arg,
        metavar="WHEN",
        help="when the request was made: an ISO date (UTC) or date-time (naive: UTC); default now",
    )
    if models_hint:
        g.add_argument(
            "--include-retired",
            action="store_true",
            help="also consider models retired before --at",
        )


def context(args: argparse.Namespace) -> dict[str, Any]:
    """The request-context keywords of `cost`, `compare` and `estimate`."""
    return {
        "service_tier": args.service_tier,
        "speed": args.speed,
        "inference_geo": args.inference_geo,
        "batch": args.batch,
    }


def usage(args: argparse.Namespace, *, embedding: bool = False) -> Usage:
    """The `Usage` of the token options (inconsistent counts are a usage error)."""
    from llmcost._errors import InvalidUsageError
    from llmcost._usage import Usage

    if args.output is None and not embedding:
        msg = "--output N is required (all output tokens; 0 for none)"
        raise UsageError(msg)
    counts = {
        field: getattr(args, option[2:].replace("-", "_")) for option, field, _ in USAGE_OPTIONS
    }
    counts["cache_write_5m_tokens"] += args.cache_write
    tools: dict[str, int] = {}
    for name, n in args.tool:
        tools[name] = tools.get(name, 0) + n
    try:
        return Usage(
            input_tokens=args.input,
            output_tokens=args.output or 0,
            requests=args.requests,
            tool_calls=tools,
            **counts,
        )
    except InvalidUsageError as e:
        msg = str(e)
        for field in sorted(_OPTION_OF, key=len, reverse=True):
            msg = msg.replace(field, _OPTION_OF[field])
        raise UsageError(msg) from None
