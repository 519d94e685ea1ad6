"""The pricing commands: ``cost`` and ``compare``."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import llmcost
from llmcost import Usage

from .cli_helpers import D, cost_rows, run, run_json, usd, widest

M = D(1_000_000)


# --- cost --------------------------------------------------------------------------------------


def test_cost_plain(capsys: pytest.CaptureFixture[str]) -> None:
    """The breakdown's rates and amounts are the model's rates times the tokens."""
    p = llmcost.get_price("gpt-4o")
    status, out, err = run(capsys, "cost", "gpt-4o", "--input", "1.2k", "--output", "300")
    assert status == 0, err
    rows = cost_rows(out)
    c_in, c_out = p.input_per_mtok * 1_200 / M, p.output_per_mtok * 300 / M  # type: ignore[operator]
    assert rows["input"] == ["1,200", str(p.input_per_mtok), usd(c_in)]
    assert rows["output"] == ["300", str(p.output_per_mtok), usd(c_out)]
    assert rows["total"] == ["1,500", usd(c_in + c_out)]
    assert "exact total" not in out


def test_cost_every_part(capsys: pytest.CaptureFixture[str]) -> None:
    """Cache reads, TTL cache writes, reasoning and tool uses: each row at its own rate."""
    p = llmcost.get_price("claude-opus-4-8")
    argv = ["cost", "anthropic/claude-opus-4-8", "--input", "130,000", "--output", "2k"]
    argv += ["--cache-read", "100k", "--cache-write-5m", "5_000", "--cache-write-1h", "2k"]
    argv += ["--reasoning", "1.5k", "--tool", "web_search=3"]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    rows = cost_rows(out)
    assert p.cache_read_per_mtok and p.cache_write_5m_per_mtok and p.cache_write_1h_per_mtok
    parts = {
        "input": (23_000, p.input_per_mtok),
        "cache read": (100_000, p.cache_read_per_mtok),
        "cache write 5 min": (5_000, p.cache_write_5m_per_mtok),
        "cache write 1 hour": (2_000, p.cache_write_1h_per_mtok),
        "output": (2_000, p.output_per_mtok),
    }
    total = D(0)
    for label, (n, r) in parts.items():
        assert r is not None
        amount = r * n / M
        total += amount
        assert rows[label] == [f"{n:,}", str(r), usd(amount)], label
    search = p.tool_per_kcall["web_search"] * 3 / 1000
    assert rows["web_search uses"] == ["3", f"{p.tool_per_kcall['web_search']}/1K", usd(search)]
    assert rows["of which reasoning"] == ["1,500"]
    assert rows["total"] == ["132,000", usd(total + search)]
    data = run_json(capsys, *argv)
    assert D(data["total"]) == total + search
    assert D(data["tools"]) == search
    assert data["usage"]["cache_write_1h_tokens"] == 2_000
    assert data["usage"]["tool_calls"] == {"web_search": 3}
    assert (data["model"], data["currency"], data["batch"]) == ("claude-opus-4-8", "USD", False)


def test_cost_service_tier_and_long_context(capsys: pytest.CaptureFixture[str]) -> None:
    """--service-tier flex above the long-context threshold: the flex tier's rates."""
    p = llmcost.get_price("gpt-5.5")
    tier, flex = p.tiers[0], p.variant("flex")
    assert flex is not None and flex.multiplier is not None
    n = tier.above_input_tokens + 1
    argv = ["cost", "gpt-5.5", "--input", str(n), "--output", "1k", "--service-tier", "flex"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert "service tier flex" in out
    assert f"long-context rates (input over {tier.above_input_tokens:,} tokens)" in " ".join(
        out.split()
    )
    rows = cost_rows(out)
    r_in, r_out = tier.input_per_mtok * flex.multiplier, tier.output_per_mtok * flex.multiplier  # type: ignore[operator]
    assert D(rows["input"][1]) == r_in
    assert D(rows["output"][1]) == r_out
    assert rows["total"][-1] == usd(r_in * n / M + r_out * 1000 / M)
    data = run_json(capsys, *argv)
    assert data["service_tier"] == "flex"


def test_cost_batch_and_inference_geo(capsys: pytest.CaptureFixture[str]) -> None:
    """--batch and --inference-geo multiply the rates as the price says."""
    p = llmcost.get_price("claude-opus-4-8")
    batch, geo = p.variant("batch"), p.inference_geo["us"]
    assert batch is not None and batch.multiplier is not None
    argv = ["cost", "claude-opus-4-8", "--input", "1M", "--output", "0"]
    data = run_json(capsys, *argv, "--batch", "--inference-geo", "us")
    assert D(data["total"]) == p.input_per_mtok * batch.multiplier * geo
    assert (data["batch"], data["inference_geo"]) == (True, "us")
    same = run_json(capsys, *argv, "--service-tier", "batch", "--inference-geo", "US")
    assert same["total"] == data["total"]


def test_cost_at_a_peak_and_an_off_peak_instant(capsys: pytest.CaptureFixture[str]) -> None:
    """DeepSeek V4 costs twice as much at 10:00 Beijing time on a weekday as at 20:00."""
    w = llmcost.get_price("deepseek-v4-flash").windows[0]
    assert w.multiplier is not None
    argv = ["cost", "deepseek-v4-flash", "--input", "1M", "--output", "0"]
    peak = run_json(capsys, *argv, "--at", "2026-11-25T10:00+08:00")  # a Wednesday
    off = run_json(capsys, *argv, "--at", "2026-11-25T12:00")  # 20:00 in Beijing
    base = llmcost.get_price(
        "deepseek-v4-flash", at=datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    )
    assert D(off["total"]) == base.input_per_mtok
    assert D(peak["total"]) == base.input_per_mtok * w.multiplier
    assert peak["at"] == "2026-11-25T02:00:00+00:00"
    status, out, _ = run(capsys, *argv, "--at", "2026-11-25T02:00")
    assert status == 0
    assert f"{w.start}-{w.end} {w.timezone} rates (x{w.multiplier})" in " ".join(out.split())


def test_cost_bare_date_where_the_price_varies(capsys: pytest.CaptureFixture[str]) -> None:
    """A bare --at date for a model priced by the time of day asks for a date-time (exit 1)."""
    status, out, err = run(capsys, "cost", "deepseek-v4-flash", "--input", "1", "--output", "1",
                           "--at", "2026-11-25")  # fmt: skip
    assert (status, out) == (1, "")
    assert "time-of-day" in err and "--at a date-time" in err


def test_cost_at_date(capsys: pytest.CaptureFixture[str]) -> None:
    """--at prices with the period in force then."""
    data = run_json(capsys, "cost", "o3", "--input", "1M", "--output", "1M", "--at", "2025-01-01")
    p = llmcost.get_price("o3", at=date(2025, 1, 1))
    assert D(data["total"]) == p.input_per_mtok + p.output_per_mtok  # type: ignore[operator]
    assert data["at"] == "2025-01-01"


def test_cost_retired_model_names_successor(capsys: pytest.CaptureFixture[str]) -> None:
    """A retired model exits 1 naming its successor; before the retirement it prices."""
    successor = llmcost.get_price("deepseek-chat").successor
    assert successor
    status, out, err = run(capsys, "cost", "deepseek-chat", "--input", "1k", "--output", "1")
    assert (status, out) == (1, "")
    assert "retired" in err and repr(successor) in err and "--at" in err
    old = run_json(capsys, "cost", "deepseek-chat", "--input", "1M", "--output", "0",
                   "--at", "2026-07-24T15:00")  # fmt: skip
    p = llmcost.get_price("deepseek-chat", at=datetime(2026, 7, 24, 15, tzinfo=timezone.utc))
    assert D(old["total"]) == p.input_per_mtok


def test_cost_embedding_model(capsys: pytest.CaptureFixture[str]) -> None:
    """An embedding model needs no --output; output tokens are refused (exit 1)."""
    p = llmcost.get_price("text-embedding-3-small")
    data = run_json(capsys, "cost", "text-embedding-3-small", "--input", "10k")
    assert D(data["total"]) == p.input_per_mtok * 10_000 / M
    status, _, err = run(capsys, "cost", "text-embedding-3-small", "--input", "1", "--output", "1")
    assert status == 1
    assert "output" in err
    status, _, err = run(capsys, "cost", "gpt-4o", "--input", "1")
    assert status == 2
    assert "--output N is required" in err


def test_cost_exact_total_when_rounding_hides_it(capsys: pytest.CaptureFixture[str]) -> None:
    """A total below a millionth of a dollar also prints the exact amount."""
    p = llmcost.get_price("gpt-4o")
    status, out, _ = run(capsys, "cost", "gpt-4o", "--input", "1", "--output", "0")
    assert status == 0
    assert f"exact total: {(p.input_per_mtok / M).normalize():f} USD" in out


def test_cost_missing_rate_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A rate or a context the model lacks exits 1 with the library's explanation."""
    base = ["cost", "gpt-4o", "--input", "100", "--output", "0"]
    status, out, err = run(capsys, *base, "--cache-write", "10")
    assert (status, out) == (1, "")
    assert "no 5-minute cache-write rate" in err
    status, _, err = run(capsys, *base, "--service-tier", "flex")
    assert status == 1
    assert "service_tier='flex'" in err
    status, _, err = run(capsys, *base, "--speed", "fast")
    assert status == 1
    status, _, err = run(capsys, *base, "--tool", "x_search=1")
    assert (status, "x_search" in err) == (1, True)


def test_cost_inconsistent_usage_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Parts beyond their total exit 2 and speak of the options."""
    status, _, err = run(capsys, "cost", "gpt-4o", "--input", "10", "--cache-read", "20",
                         "--output", "0")  # fmt: skip
    assert status == 2
    assert "exceed --input" in err
    status, _, err = run(capsys, "cost", "gpt-4o", "--input", "10", "--output", "1",
                         "--reasoning", "2")  # fmt: skip
    assert status == 2
    assert "--reasoning" in err and "--output" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--input", "1.5", "--output", "1"], "not a whole number"),
        (["--input", "lots", "--output", "1"], "not a token count"),
        (["--input", "-1.2k", "--output", "1"], "expected one"),
        (["--input", "1", "--output", "1", "--tool", "web_search"], "NAME=N"),
        (["--input", "1", "--output", "1", "--at", "28/11/2026"], "not a date"),
        (["--input", "1", "--output", "1", "--requests", "0"], "positive"),
    ],
)
def test_bad_option_values_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    """A bad option value exits 2 with argparse's usage line and the reason."""
    status, out, err = run(capsys, "cost", "gpt-4o", *argv)
    assert (status, out) == (2, "")
    assert "usage: llmcost cost" in err
    assert needle in err


def test_cost_huge_counts_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A count beyond what llmcost prices exactly is a usage error, never a rounded total."""
    status, out, err = run(capsys, "cost", "gpt-4o", "--input", "1" + "0" * 70, "--output", "0")
    assert (status, out) == (2, "")
    assert "--input" in err


def test_cost_requests_and_request_fees(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--requests counts the requests a per-request fee applies to; the fee has its own row."""
    rates = {"input_per_mtok": "1", "output_per_mtok": "2", "request_per_kcall": "5"}
    entry = {"model": "fee-1", "provider": "acme", "tokenizer": "llama", "prices": [rates]}
    path = tmp_path / "fees.json"
    path.write_text(json.dumps({"schema_version": 2, "models": [entry]}))
    argv = ["cost", "fee-1", "--input", "1M", "--output", "0", "--requests", "4"]
    data = run_json(capsys, *argv, "--registry", str(path))
    assert D(data["request_fees"]) == D(5) * 4 / 1000
    assert D(data["total"]) == 1 + D(5) * 4 / 1000
    status, out, _ = run(capsys, *argv, "--registry", str(path))
    assert status == 0
    assert cost_rows(out)["requests"] == ["4", "5/1K", usd(D("0.02"))]


# --- compare -----------------------------------------------------------------------------------


def test_compare_matches_library(capsys: pytest.CaptureFixture[str]) -> None:
    """Cheapest first, with the ratio to the cheapest; equal to llmcost.compare."""
    want = llmcost.compare(input_tokens=10_000, output_tokens=1_000)
    data = run_json(capsys, "compare", "--input", "10k", "--output", "1k")
    assert [d["model"] for d in data] == [c.model for c in want]
    assert [D(d["total"]) for d in data] == [c.total for c in want]
    assert [d["rank"] for d in data] == list(range(1, len(want) + 1))
    cheapest = next(c.total for c in want if c.total)
    for d in data:
        if D(d["total"]) and want[0].total:
            assert abs(D(d["ratio"]) - D(d["total"]) / cheapest) < D("0.0001")


def test_compare_current_models_only(capsys: pytest.CaptureFixture[str]) -> None:
    """Retired models are left out unless --include-retired (before their retirement)."""
    argv = ["compare", "--input", "1k", "--output", "1", "--provider", "deepseek"]
    current = {d["model"] for d in run_json(capsys, *argv)}
    assert "deepseek-chat" not in current
    assert current == {c.model for c in llmcost.compare(input_tokens=1_000, output_tokens=1,
                                                        provider="deepseek")}  # fmt: skip
    then = run_json(capsys, *argv, "--include-retired", "--at", "2026-07-01T12:00")
    assert "deepseek-chat" in {d["model"] for d in then}


def test_compare_top_table(capsys: pytest.CaptureFixture[str]) -> None:
    """--top K shows the K cheapest, and the table's numbers are the library's."""
    want = llmcost.compare(input_tokens=10_000, output_tokens=1_000, cache_read_tokens=5_000,
                           provider="openai")  # fmt: skip
    argv = ["compare", "--input", "10k", "--output", "1k", "--cache-read", "5k"]
    status, out, err = run(capsys, *argv, "--provider", "openai", "--top", "3")
    assert status == 0, err
    rows = [line.split() for line in out.splitlines() if re.match(r"^\d+\s+\S+\s+openai\s", line)]
    assert len(rows) == 3
    for cells, c in zip(rows, want[:3], strict=True):
        _, model, provider, total, _ratio, inp, cache, output = cells
        assert (model, provider) == (c.model, c.provider)
        assert (total, inp, cache, output) == (
            usd(c.total), usd(c.input), usd(c.cache_read + c.cache_write), usd(c.output)
        )  # fmt: skip
    assert f"{len(want) - 3} more not shown" in out
    assert widest(out) <= 100


def test_compare_service_tier_leaves_out_models(capsys: pytest.CaptureFixture[str]) -> None:
    """Models without the requested tier are left out, and the output says how many."""
    want = llmcost.compare(input_tokens=1_000, output_tokens=100, service_tier="flex")
    status, out, _ = run(capsys, "compare", "--input", "1k", "--output", "100",
                         "--service-tier", "flex")  # fmt: skip
    assert status == 0
    considered = [m for m in llmcost.list_models() if llmcost.get_price(m).kind == "chat"]
    left_out = len(considered) - len(want)
    assert left_out > 0
    assert f"{left_out} left out" in out
    assert "flex rates" in out


def test_compare_embeddings(capsys: pytest.CaptureFixture[str]) -> None:
    """--kind embedding compares the embedding models on input alone."""
    data = run_json(capsys, "compare", "--input", "1M", "--kind", "embedding")
    want = llmcost.compare(input_tokens=10**6, kind="embedding")
    assert [(d["model"], D(d["total"])) for d in data] == [(c.model, c.total) for c in want]
    for d in data:
        assert D(d["total"]) == llmcost.get_price(d["model"]).input_per_mtok


def test_compare_models_list_dedupes_names(capsys: pytest.CaptureFixture[str]) -> None:
    """--models resolves names and drops repeats of the same model."""
    argv = ["compare", "--input", "1M", "--output", "100k"]
    data = run_json(capsys, *argv, "--models", "gpt-4o, gpt-4o-2024-08-06,claude-sonnet-4-6")
    assert sorted(d["model"] for d in data) == ["claude-sonnet-4-6", "gpt-4o"]
    for d in data:
        p = llmcost.get_price(d["model"])
        assert D(d["total"]) == p.input_per_mtok + p.output_per_mtok / 10  # type: ignore[operator]


def test_compare_models_missing_rate(capsys: pytest.CaptureFixture[str]) -> None:
    """A named model without the needed context is an error, not silently dropped."""
    status, _, err = run(capsys, "compare", "--input", "1k", "--output", "1", "--service-tier",
                         "flex", "--models", "gpt-5.5,gpt-4o")  # fmt: skip
    assert status == 1
    assert "gpt-4o has no rates for service_tier='flex'" in err


def test_compare_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """--models with --provider, an empty list, an unknown model, --top 0: all exit 2."""
    base = ["compare", "--input", "1k", "--output", "1"]
    assert run(capsys, *base, "--models", "gpt-4o", "--provider", "openai")[0] == 2
    assert run(capsys, *base, "--models", " , ")[0] == 2
    status, _, err = run(capsys, *base, "--models", "gpt-4o,nope-model")
    assert status == 2
    assert "unknown model 'nope-model'" in err
    assert run(capsys, *base, "--top", "0")[0] == 2
    assert run(capsys, "compare", "--input", "1k")[0] == 2


def test_compare_json_equals_cost(capsys: pytest.CaptureFixture[str]) -> None:
    """Each compared total is what `cost` gives for the same request."""
    u = Usage(input_tokens=50_000, output_tokens=2_000, cache_read_tokens=20_000)
    data = run_json(capsys, "compare", "--input", "50k", "--output", "2k", "--cache-read", "20k",
                    "--provider", "anthropic")  # fmt: skip
    for d in data:
        assert D(d["total"]) == llmcost.cost(d["model"], u).total
