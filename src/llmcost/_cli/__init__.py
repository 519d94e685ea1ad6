"""The ``llmcost`` command line: prices, token counts, costs, comparisons and cost-log reports.

Entry point of the ``llmcost`` console script and of ``python -m llmcost``. The modules:
`_main` (the parser and `main`), `_args` (argument types), `_output` (escaping, tables, JSON),
`_common` (exit statuses, errors, the registry, shared options), and one module per group of
commands: `_prices` (models, price, prices), `_costs` (cost, compare), `_files` (count,
estimate), `_logs` (report). Each command is a function from the parsed arguments to an exit
status. Only the standard library's cheapest modules are imported until a command runs, so
``llmcost --help`` stays fast.
"""

from __future__ import annotations

from ._args import parse_tokens
from ._main import build_parser, main

__all__ = ["build_parser", "main", "parse_tokens"]
