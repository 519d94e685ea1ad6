"""Fuzz every public function and method with arbitrary arguments (issue 16 #9).

The promise: only `LLMCostError` subclasses escape (each also the builtin a caller would
catch). Deliberate exceptions are listed in `fuzz_targets.DELIBERATE` (and exception classes
are not fuzzed, `fuzz_targets.NOT_FUZZED`).

Every input the fuzz once found escaping as a bare builtin is kept in `FOUND` as a
regression test.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import llmcost
from tests.hostile.fuzz_targets import calls, escapes, targets

TARGETS = targets()

EXAMPLES = int(os.environ.get("LLMCOST_FUZZ_EXAMPLES", "100"))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_only_llmcost_errors_escape(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arbitrary arguments of the right arity: the result, or an LLMCostError, nothing else."""
    monkeypatch.chdir(tmp_path)  # writers write here (their paths are kept relative)
    fn = TARGETS[name]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(calls(name, fn))
    def fuzz(call: tuple[list[Any], dict[str, Any]]) -> None:
        args, kwargs = call
        error = escapes(name, fn, args, kwargs)
        if error is not None:
            raise error

    fuzz()


GIF = b"GIF89a" + (4).to_bytes(2, "little") + (4).to_bytes(2, "little") + bytes(3)
#: Inputs the fuzz once found escaping as bare builtins, kept as regression tests.
FOUND: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("get_price", ["gpt-4o"], {"registry": 5}),
    ("list_models", [], {"registry": "x"}),
    ("count_tokens", ["hi", "gpt-4o"], {"registry": {}}),
    ("count_stream_tokens", [None, "claude-sonnet-4-6"], {}),
    ("tokenizer_for", ["gpt-4o"], {"registry": 5}),
    ("count_file_tokens", ["x.txt", "gpt-4o"], {"encoding": "\x00"}),
    ("Usage", [], {"tool_calls": {"web_search": 10**400}}),
    ("Registry.merged", [5], {}),
    ("Registry.with_prices", [None], {}),
    (
        "ReportGroup",
        [],
        {
            **dict.fromkeys(
                (
                    "key",
                    "records",
                    "total",
                    "input",
                    "cache_read",
                    "cache_write",
                    "output",
                    "tools",
                    "request_fees",
                    "tool_calls",
                ),
                0,
            ),
            "tokens": None,
        },
    ),
    ("Registry.suggest", ["gpt", "3"], {}),
]


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        pytest.param(name, args, kwargs, id=f"{name}-{i}")
        for i, (name, args, kwargs) in enumerate(FOUND)
    ],
)
def test_inputs_the_fuzz_found_raise_llmcost_errors(
    name: str, args: list[Any], kwargs: dict[str, Any], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Each input the fuzz once found escaping as a bare builtin now raises an LLMCostError."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("hi")
    error = escapes(name, TARGETS[name], args, kwargs)
    assert error is None, f"{type(error).__name__}: {error}"


def test_every_public_name_is_fuzzed_or_explained() -> None:
    """Each name of llmcost.__all__ is a fuzz target or has a reason not to be."""
    from tests.hostile.fuzz_targets import NOT_FUZZED

    for name in llmcost.__all__:
        assert name in TARGETS or name in NOT_FUZZED, name
    assert {"Tracker.record", "Budget.charge", "CostRecord.from_json"} <= set(TARGETS)
