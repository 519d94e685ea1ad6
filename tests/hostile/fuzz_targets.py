"""What the fuzz calls: every public name of `llmcost.__all__` and the public methods.

Used by test_fuzz.py (and runnable alone to list what escapes: ``python -m
tests.hostile.fuzz_targets [examples]``).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from hypothesis import strategies as st

import llmcost
from tests.strategies_hostile import arguments

#: Names of `llmcost.__all__` that are not fuzzed, and why.
NOT_FUZZED = {
    name: "an exception class: llmcost builds it with the arguments its signature documents"
    for name in llmcost.__all__
    if isinstance(getattr(llmcost, name), type) and issubclass(getattr(llmcost, name), Exception)
}
#: Exceptions that a function raises on purpose although they are not LLMCostError.
DELIBERATE: dict[str, type[BaseException]] = {
    # It is a test assertion: pytest reports it as a failed test, as the docstring says.
    "assert_within_budget": AssertionError,
}
#: Functions that write files: their path arguments are kept inside the working directory.
WRITERS = {"write_cost_log", "CostLogHandler", "cost_report", "Tracker"}


def _tags(**values: object) -> None:
    with llmcost.tags(**values):
        pass


def _register(model: object, count: object, *, name: object, registry: object = None) -> None:
    try:
        llmcost.register_tokenizer(model, count, name=name, registry=registry)  # type: ignore[arg-type]
    finally:
        with contextlib.suppress(llmcost.LLMCostError):
            if isinstance(model, str):
                llmcost.unregister_tokenizer(model)


def _registering(register: Callable[..., object]) -> Callable[..., None]:
    """*register* for the fuzz: whatever it registers is unregistered again."""

    def call(model_or_family: object, path: object, **kwargs: Any) -> None:
        try:
            register(model_or_family, path, **kwargs)
        finally:
            with contextlib.suppress(llmcost.LLMCostError):
                if isinstance(model_or_family, str):
                    llmcost.unregister_tokenizer(model_or_family)

    call.__signature__ = inspect.signature(register)  # type: ignore[attr-defined]
    return call


def _report(*sources: object, **kwargs: Any) -> object:
    workers = kwargs.get("workers")
    if isinstance(workers, int) and workers > 2:
        kwargs["workers"] = 2  # arbitrary, but not a thousand processes
    return llmcost.cost_report(*sources, **kwargs)


def targets() -> dict[str, Callable[..., object]]:
    """Name -> callable, for everything a user can call with their own arguments."""
    out: dict[str, Callable[..., object]] = {
        name: getattr(llmcost, name) for name in llmcost.__all__ if name not in NOT_FUZZED
    }
    out["tags"] = _tags
    out["register_tokenizer"] = _register
    for name in ("register_hf_tokenizer", "register_sentencepiece_file", "register_tiktoken_file"):
        out[name] = _registering(getattr(llmcost, name))
    _report.__signature__ = inspect.signature(llmcost.cost_report)  # type: ignore[attr-defined]
    out["cost_report"] = _report
    stream = llmcost.StreamUsage()
    reg = llmcost.Registry.default()
    tracker = llmcost.Tracker()
    tolerant = llmcost.Tracker(unpriced="record")
    out |= {
        "Tracker.record": tracker.record,
        "Tracker.record(unpriced='record')": tolerant.record,
        "Tracker.record_unpriced": tracker.record_unpriced,
        "Tracker.by_tag": tracker.by_tag,
        "Budget.charge": llmcost.Budget(usd="1").charge,
        "CostRecord.from_json": llmcost.CostRecord.from_json,
        "Registry.from_file": llmcost.Registry.from_file,
        "Registry.from_litellm": llmcost.Registry.from_litellm,
        "Registry.with_prices": reg.with_prices,
        "Registry.merged": reg.merged,
        "Registry.resolve": reg.resolve,
        "Registry.history": reg.history,
        "Registry.get": reg.get,
        "Registry.suggest": reg.suggest,
        "Registry.models": reg.models,
        "Usage.__add__": llmcost.Usage(input_tokens=1).__add__,
        "StreamUsage.add": stream.add,
        "StreamUsage.cost": stream.cost,
        "Cost.__add__": llmcost.cost("gpt-4o", input_tokens=1).__add__,
    }
    return out


_SAFE_NAME = st.text(alphabet="abcdefghij_.-", min_size=1, max_size=10)


def _contained(value: object) -> object:
    """A path argument of a writer, kept relative and inside the working directory."""
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str) and (os.path.isabs(text) or ".." in text or not text.strip()):
            return "fuzz-output.jsonl"
    return value


def calls(
    name: str, fn: Callable[..., object]
) -> st.SearchStrategy[tuple[list[Any], dict[str, Any]]]:
    """Arguments for *fn* in the shape of its signature, with arbitrary values."""
    sig = inspect.signature(fn)
    positional: list[st.SearchStrategy[Any]] = []
    optional_positional: list[st.SearchStrategy[Any]] = []
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    var_kw = False
    var_positional = False
    for p in sig.parameters.values():
        if p.kind is p.POSITIONAL_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and not required):
            (positional if p.default is p.empty else optional_positional).append(arguments)
        elif p.kind is p.POSITIONAL_OR_KEYWORD or p.kind is p.KEYWORD_ONLY:
            (required if p.default is p.empty else optional)[p.name] = arguments
        elif p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind is p.VAR_POSITIONAL:
            var_positional = True
    extra = st.dictionaries(st.text(max_size=8), arguments, max_size=3) if var_kw else st.just({})

    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[Any], dict[str, Any]]:
        args = [draw(s) for s in positional]
        n = draw(st.integers(0, len(optional_positional)))
        args += [draw(s) for s in optional_positional[:n]]
        if var_positional:
            args += draw(st.lists(arguments, max_size=3))
        kwargs = draw(st.fixed_dictionaries(required, optional=optional))
        names = set(sig.parameters)
        kwargs |= {k: v for k, v in draw(extra).items() if k not in names}
        if name in WRITERS:
            args = [_contained(a) for a in args]
            kwargs = {k: _contained(v) for k, v in kwargs.items()}
        return args, kwargs

    return build()


def run(name: str, fn: Callable[..., object], args: list[Any], kwargs: dict[str, Any]) -> None:
    """Call *fn*; consume what it returns lazily; close what it opens."""
    result = fn(*args, **kwargs)
    if isinstance(result, Iterator):
        list(islice(result, 1_000))
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if isinstance(result, llmcost.CostLogHandler):
        result.close()


def escapes(
    name: str, fn: Callable[..., object], args: list[Any], kwargs: dict[str, Any]
) -> BaseException | None:
    """The exception that escapes the promise (only LLMCostError), or None."""
    try:
        with warnings.catch_warnings():
            # Warnings are reports, not escapes: a usage field no reader knows is reported as
            # UnknownUsageFieldWarning by design (filterwarnings=error would raise it here).
            warnings.simplefilter("ignore")
            run(name, fn, args, kwargs)
    except llmcost.LLMCostError:
        return None
    except Exception as e:  # the promise is broken: the test reports this
        allowed = DELIBERATE.get(name)
        if allowed is not None and isinstance(e, allowed):
            return None
        return e
    return None


def explore(n: int) -> None:  # pragma: no cover - an exploration tool, not a test
    """Print each kind of escape per target, with one example, for *n* examples each."""
    from hypothesis import HealthCheck, given, settings

    for name, fn in targets().items():
        seen: dict[str, str] = {}

        def probe(
            call: tuple[list[Any], dict[str, Any]],
            name: str = name,
            fn: Any = fn,
            seen: dict[str, str] = seen,
        ) -> None:
            e = escapes(name, fn, *call)
            if e is not None:
                seen.setdefault(f"{type(e).__name__}: {str(e)[:90]}", repr(call)[:300])

        checks = list(HealthCheck)
        settings(max_examples=n, deadline=None, database=None, suppress_health_check=checks)(
            given(calls(name, fn))(probe)
        )()
        for key, example in seen.items():
            print(f"{name}\t{key}\t{example}")
        sys.stdout.flush()


if __name__ == "__main__":  # pragma: no cover
    os.chdir(os.environ.get("FUZZ_DIR", "/tmp"))
    explore(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
