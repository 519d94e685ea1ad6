"""The ``llmcost`` argument parser and `main`: parse, run one command, map errors to statuses."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any

from ._args import at_arg, positive_int, tokens_arg
from ._common import (
    EXIT_ERROR,
    EXIT_USAGE,
    Failure,
    UsageError,
    add_context_options,
    add_usage_options,
    unknown_model_lines,
)
from ._costs import compare, cost
from ._files import count_files, estimate
from ._logs import report
from ._output import err
from ._prices import models, price, prices

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

_EXIT_CODES = """\
exit status:
  0  success
  1  error (unreadable file, bad price file, a rate the model does not have, a retired model)
  2  usage error (bad option or value, unknown model or provider)
  3  report: some lines were malformed and skipped (the totals cover the other lines)

environment:
  LLMCOST_PRICES  a JSON price file that extends and overrides the shipped prices
                  (--registry FILE does the same for one command, on top of it)
"""

_MAIN_EXAMPLES = """\
examples:
  llmcost models --provider anthropic
  llmcost price gpt-5.5
  llmcost count notes.md --model claude-sonnet-4-6
  llmcost cost gpt-4o --input 1.2k --output 300
  llmcost cost deepseek-v4-flash --input 100k --output 2k --at 2026-11-25T02:00
  llmcost compare --input 10k --output 1k --top 5
  llmcost estimate prompt.txt --model gpt-4o --max-output 1k --compare
  llmcost report costs.jsonl --by day
  llmcost prices --format csv > prices.csv

"""

_EXAMPLES = {
    "models": """\
examples:
  llmcost models --provider openai
  llmcost models --include-retired --at 2026-01-01
  llmcost models --json | jq '.[] | select(.input_per_mtok | tonumber < 1) | .model'

Current models only, unless --include-retired (retired ones are then marked with *).
""",
    "price": """\
examples:
  llmcost price claude-opus-4-8
  llmcost price deepseek-v4-flash --at 2026-09-01

Every rate (cache writes by TTL, media, tools, requests), the service tiers and speeds, the
time-of-day windows, the regional multipliers, the retirement and successor, the history.
""",
    "count": """\
examples:
  llmcost count README.md docs/*.md --model gpt-4o
  git diff | llmcost count - --model claude-sonnet-4-6

Counts are exact for OpenAI encodings (o200k_base, cl100k_base) and a calibrated estimate for
other vendors; the output says which. Files are read in chunks: memory stays flat.
""",
    "cost": """\
examples:
  llmcost cost claude-sonnet-4-6 --input 12k --cache-read 10k --output 800
  llmcost cost gpt-5.5 --input 1,200,000 --output 3M --service-tier flex
  llmcost cost claude-opus-4-8 --input 50k --cache-write-1h 40k --output 2k --tool web_search=3
  llmcost cost deepseek-v4-flash --input 100k --output 2k --at 2026-11-25T10:00+08:00

Token counts accept 1200, 1_200, 1,200, 1.2k and 3M (k = 1,000, M = 1,000,000).
--input includes the cache and media tokens; --output the reasoning and media tokens.
""",
    "compare": """\
examples:
  llmcost compare --input 10k --output 1k --top 5
  llmcost compare --input 1M --output 100k --models gpt-5.5,claude-sonnet-4-6,gemini-2.5-pro
  llmcost compare --input 10k --kind embedding

Current models only, unless --include-retired. Without --models, models that lack a rate the
workload needs (a service tier, cache, media) are left out.
""",
    "estimate": """\
examples:
  llmcost estimate prompt.txt --model gpt-4o --max-output 2k
  llmcost estimate prompt.txt --max-output 2k --compare --top 10

The file is counted as plain text and the output is assumed to reach --max-output: an upper
bound on what sending it as a prompt would cost (llmcost.estimate).
""",
    "report": """\
examples:
  llmcost report costs.jsonl --by day
  llmcost report costs.jsonl --by feature      # a tag given to Tracker.record(..., feature=)

Each line is a cost record (as CostLogHandler writes them) or a raw provider response (priced
with cost_of_response, as of its `created` time). Every record is checked (exact, non-negative
amounts whose lines add up to the total; consistent token counts); a malformed line is
reported on stderr with its line number (the first 50; the rest are counted) and skipped; the
exit status is then 3. Use tag:NAME for a tag called "model", "day" or "provider". The log is
streamed (memory stays flat) and a large file is read by several processes at once; the same
report is llmcost.cost_report() in Python.
""",
    "prices": """\
examples:
  llmcost prices --format csv > prices.csv
  llmcost prices --format jsonl --aliases
""",
}


class _Version(argparse.Action):
    """--version, computed only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from importlib.metadata import version

        print(f"llmcost {version('llmcost')}")
        parser.exit()


def _common() -> argparse.ArgumentParser:
    """The options every command takes (SUPPRESS: given before or after the command)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="machine-readable JSON on stdout (amounts as exact decimal strings)",
    )
    group.add_argument(
        "--registry",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="a JSON price file whose models extend and override the shipped prices",
    )
    return common


def _listing(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--at",
        type=at_arg,
        metavar="WHEN",
        help=f"{what} in force then: an ISO date (00:00 UTC) or date-time; default now",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``llmcost`` argument parser (one sub-command per task)."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="llmcost",
        description="What LLM calls cost: prices, token counts, cost estimates and cost-log "
        "reports, offline.",
        epilog=_MAIN_EXAMPLES + _EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> Any:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=_EXAMPLES[name] + "\n" + _EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[common],
        )
        p.set_defaults(func=func)
        return p

    p = command("models", "list the models with their prices per 1M tokens", models)
    p.add_argument("--provider", metavar="P", help="only this provider's models")
    p.add_argument("--kind", choices=("chat", "embedding"), help="only chat or embedding models")
    p.add_argument(
        "--include-retired", action="store_true", help="also list models retired by then (marked *)"
    )
    _listing(p, "prices")

    p = command("price", "show one model's prices in full, with their history", price)
    p.add_argument("model", metavar="MODEL", help="a model id, alias or provider/model name")
    _listing(p, "prices")

    p = command("count", "count the tokens of files or stdin", count_files)
    p.add_argument("files", nargs="*", metavar="FILE", help="files to count ('-' or none: stdin)")
    p.add_argument("--model", required=True, metavar="M", help="count with this model's tokenizer")
    p.add_argument(
        "--estimate",
        action="store_true",
        help="use the fast estimate even where an exact count is possible",
    )

    p = command("cost", "price a request from its token counts", cost)
    p.add_argument("model", metavar="MODEL", help="a model id, alias or provider/model name")
    add_usage_options(p)
    add_context_options(p)

    p = command("compare", "price one workload on many models, cheapest first", compare)
    add_usage_options(p)
    add_context_options(p, models_hint=True)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--models", metavar="A,B,C", help="only these models (comma-separated)")
    which.add_argument("--provider", metavar="P", help="only this provider's models")
    p.add_argument(
        "--kind",
        choices=("chat", "embedding"),
        default="chat",
        help="compare chat (default) or embedding models",
    )
    p.add_argument("--top", type=positive_int, metavar="K", help="show only the K cheapest")

    p = command("estimate", "estimate what sending a file as a prompt would cost", estimate)
    p.add_argument("file", metavar="FILE", help="the prompt, as plain text ('-': stdin)")
    p.add_argument("--model", metavar="M", help="the model (optional with --compare)")
    p.add_argument(
        "--max-output",
        type=tokens_arg,
        required=True,
        metavar="N",
        help="the output is assumed to reach this many tokens",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="price it on every current model, each counted with its own tokenizer",
    )
    p.add_argument("--provider", metavar="P", help="with --compare: only this provider's models")
    p.add_argument(
        "--top", type=positive_int, metavar="K", help="with --compare: show only the K cheapest"
    )
    add_context_options(p, models_hint=True)

    p = command("report", "total the costs in JSON-lines cost logs", report)
    p.add_argument(
        "logs",
        nargs="+",
        metavar="LOG",
        help="cost log(s): JSON lines, '.gz' allowed, '-' for stdin",
    )
    p.add_argument(
        "--by",
        default="model",
        metavar="model|day|provider|TAG",
        help="group by model (default), UTC day, provider, or a tag's value",
    )

    p = command(
        "prices",
        "export the flat price table (or the aliases) as CSV or JSON lines",
        prices,
    )
    p.add_argument(
        "--format", choices=("csv", "jsonl"), default="csv", help="output format (default csv)"
    )
    p.add_argument(
        "--aliases",
        action="store_true",
        help="the alias table (alias -> model) instead of the prices",
    )
    return parser


def _quiet_streams() -> None:
    """Unencodable characters are written as escapes, never a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``llmcost`` command line; return its exit status (see ``llmcost --help``)."""
    from llmcost._errors import (
        InvalidInputError,
        LLMCostError,
        MissingRateError,
        RetiredModelError,
        UnknownModelError,
    )

    _quiet_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error argparse already printed
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    try:
        status: int = args.func(args)
        sys.stdout.flush()
    except UsageError as e:
        first, *rest = str(e).split("\n")
        err(f"error: {first}", *rest)
        return EXIT_USAGE
    except UnknownModelError as e:
        first, *rest = unknown_model_lines(e)
        err(f"error: {first}", *rest)
        return EXIT_USAGE
    except MissingRateError as e:
        err(f"error: {e}", "  (on the command line, --registry FILE can add the rate)")
        return EXIT_ERROR
    except RetiredModelError as e:
        err(f"error: {e}", "  (on the command line: --at WHEN, e.g. --at 2026-07-01T12:00)")
        return EXIT_ERROR
    except InvalidInputError as e:
        hint = ["  (on the command line: --at a date-time, e.g. --at 2026-11-25T10:00)"]
        err(f"error: {e}", *(hint if "pass at=" in str(e) else []))
        return EXIT_ERROR
    except (LLMCostError, Failure) as e:
        # An LLMCostError that is an OSError too carries its message in strerror.
        err(f"error: {getattr(e, 'strerror', None) or e}")
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`llmcost models | head`): stop quietly, like other tools.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_ERROR
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        err(f"error: {where}{e.strerror or e}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return status
