"""The price commands: ``models``, ``price`` and ``prices``."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import llmcost
from llmcost import Registry

from .cli_helpers import D, run, run_json, widest

NOW = datetime.now(timezone.utc)


def _current(model: str) -> bool:
    last = Registry.default().history(model)[-1]
    return last.retired_at is None or last.retired_at > NOW


# --- models ------------------------------------------------------------------------------------


def test_models_table_matches_prices(capsys: pytest.CaptureFixture[str]) -> None:
    """Each row shows the model's current rates, batch rates, context window and checked date."""
    status, out, err = run(capsys, "models", "--provider", "anthropic")
    assert status == 0, err
    assert widest(out) <= 100
    rows = {line.split()[0]: line.split() for line in out.splitlines() if " anthropic " in line}
    assert set(rows) == set(llmcost.list_models(provider="anthropic"))
    for model, cells in rows.items():
        p = llmcost.get_price(model)
        _, provider, inp, outp, cached, batch, context, checked = cells
        assert provider == "anthropic"
        assert (D(inp), D(outp)) == (p.input_per_mtok, p.output_per_mtok)
        assert (
            cached == "-" if p.cache_read_per_mtok is None else D(cached) == p.cache_read_per_mtok
        )
        v = p.variant("batch")
        if v is None:
            assert batch == "-"
        else:
            assert v.multiplier is not None  # Anthropic states batch as 50% of every rate
            b_in, b_out = batch.split("/")
            assert D(b_in) == p.input_per_mtok * v.multiplier
            assert D(b_out) == p.output_per_mtok * v.multiplier  # type: ignore[operator]
        assert int(context.replace(",", "")) == p.context_window
        assert checked == str(p.checked)


def test_models_lists_current_models_only(capsys: pytest.CaptureFixture[str]) -> None:
    """Retired models are left out unless --include-retired, and then marked with *."""
    current = run_json(capsys, "models", "--provider", "deepseek")
    assert {d["model"] for d in current} == set(llmcost.list_models(provider="deepseek"))
    assert "deepseek-chat" not in {d["model"] for d in current}
    assert all(d["current"] for d in current)
    every = run_json(capsys, "models", "--provider", "deepseek", "--include-retired")
    by_model = {d["model"]: d for d in every}
    assert set(by_model) == set(llmcost.list_models(provider="deepseek", include_retired=True))
    chat = by_model["deepseek-chat"]
    assert chat["current"] is False
    assert chat["successor"] == llmcost.get_price("deepseek-chat").successor
    assert chat["retired_at"] == "2026-07-24T15:59:00+00:00"
    status, out, _ = run(capsys, "models", "--provider", "deepseek", "--include-retired")
    assert status == 0
    assert re.search(r"^deepseek-chat\*\s", out, re.M)
    assert "* retired by then" in out


def test_models_at_a_date_before_a_retirement(capsys: pytest.CaptureFixture[str]) -> None:
    """--at shows the models current then, with the prices in force then."""
    data = run_json(capsys, "models", "--provider", "deepseek", "--at", "2026-01-01")
    by_model = {d["model"]: d for d in data}
    assert "deepseek-chat" in by_model  # retired only in July 2026
    want = llmcost.get_price("deepseek-chat", at=date(2026, 1, 1))
    assert D(by_model["deepseek-chat"]["input_per_mtok"]) == want.input_per_mtok


def test_models_json_equals_library(capsys: pytest.CaptureFixture[str]) -> None:
    """--json lists every current model with the library's field names and exact values."""
    data = run_json(capsys, "models")
    assert {d["model"] for d in data} == set(llmcost.list_models())
    for d in data:
        p = llmcost.get_price(d["model"])
        for field in ("input_per_mtok", "output_per_mtok", "cache_read_per_mtok",
                      "cache_write_30m_per_mtok", "audio_input_per_mtok"):  # fmt: skip
            want = getattr(p, field)
            assert (d[field] is None) if want is None else D(d[field]) == want
        assert {k: D(v) for k, v in d["tool_per_kcall"].items()} == dict(p.tool_per_kcall)
        assert d["provider"] == p.provider
        assert d["kind"] == p.kind
        assert d["context_window"] == p.context_window
        assert d["checked"] == (p.checked.isoformat() if p.checked else None)
        assert d["aliases"] == list(p.aliases)
        assert len(d["variants"]) == len(p.variants)


def test_models_kind_filter(capsys: pytest.CaptureFixture[str]) -> None:
    """--kind embedding lists the embedding models only."""
    data = run_json(capsys, "models", "--kind", "embedding")
    want = {m for m in llmcost.list_models() if llmcost.get_price(m).kind == "embedding"}
    assert {d["model"] for d in data} == want
    assert "text-embedding-3-small" in want


def test_models_all_fit_100_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """The full list fits 100 columns and names every current model."""
    status, out, _ = run(capsys, "models")
    assert status == 0
    assert widest(out) <= 100
    for model in llmcost.list_models():
        assert re.search(rf"^{re.escape(model[:20])}", out, re.M), model


def test_models_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown provider is a usage error that lists the providers."""
    status, out, err = run(capsys, "models", "--provider", "acme")
    assert status == 2
    assert out == ""
    assert "no models for provider 'acme'" in err
    assert "anthropic" in err


# --- price -------------------------------------------------------------------------------------


def test_price_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    """Every rate, the aliases, source, note and the whole history are shown."""
    p = llmcost.get_price("o3")
    status, out, err = run(capsys, "price", "o3")
    assert status == 0, err
    assert out.startswith("o3 (openai), chat model\n")
    for alias in p.aliases:
        assert alias in out
    assert p.source_url in out
    assert "exact (o200k_base)" in out
    assert " ".join(out.split()).count(p.note.split(".")[0]) == 1
    assert re.search(rf"^  input\s+{p.input_per_mtok}$", out, re.M)
    assert re.search(rf"^  output\s+{p.output_per_mtok}$", out, re.M)
    assert re.search(r"^  cache write 5 min\s+-$", out, re.M)
    history = Registry.default().history("o3")
    assert len(history) == 2
    section = out.split("Price history")[1].splitlines()
    rows = [line.split() for line in section[3:] if line.startswith("  ") and "(*" not in line]
    assert len(rows) == 2
    for h, cells in zip(history, rows, strict=True):
        assert cells[0] == (h.valid_from.isoformat() if h.valid_from else "(first)")
        assert (D(cells[2]), D(cells[3])) == (h.input_per_mtok, h.output_per_mtok)
    assert rows[1][-1] == "*" and rows[0][-1] != "*"
    assert widest(out) <= 100


def test_price_variants_windows_geo_and_tools(capsys: pytest.CaptureFixture[str]) -> None:
    """Variants show their effective rates; windows, regional multipliers and tool rates show."""
    p = llmcost.get_price("gpt-5.5")
    status, out, _ = run(capsys, "price", "gpt-5.5")
    assert status == 0
    section = out.split("Service tiers and speeds")[1].split("\n\n")[0]
    flex = next(line.split() for line in section.splitlines() if "service_tier=flex" in line)
    v = p.variant("flex")
    assert v is not None and v.multiplier is not None
    assert flex[1] == f"x{v.multiplier}"
    assert (D(flex[2]), D(flex[3])) == (
        p.input_per_mtok * v.multiplier,
        p.output_per_mtok * v.multiplier,
    )  # type: ignore[operator]
    priority = p.variant("priority")
    assert priority is not None
    row = next(line.split() for line in section.splitlines() if "service_tier=priority" in line)
    assert (row[1], D(row[2])) == ("rates", priority.input_per_mtok)
    for name, value in p.tool_per_kcall.items():
        assert re.search(rf"^  {name}\s+{value}$", out, re.M)
    for geo, factor in p.inference_geo.items():
        assert re.search(rf"^  {geo}\s+x{factor}$", out, re.M)
    status, out, _ = run(capsys, "price", "deepseek-v4-flash")
    w = llmcost.get_price("deepseek-v4-flash").windows[0]
    assert f"Time-of-day rates ({w.timezone}" in out
    assert f"Mon-Fri {w.start}-{w.end}" in out
    assert f"x{w.multiplier} every token rate" in out
    assert w.except_dates[0].isoformat() in out
    assert widest(out) <= 100


def test_price_retired_model_names_successor(capsys: pytest.CaptureFixture[str]) -> None:
    """A retired model's page says when it retired and its successor."""
    p = llmcost.get_price("deepseek-chat")
    status, out, _ = run(capsys, "price", "deepseek-chat")
    assert status == 0
    assert re.search(rf"^retired\s+2026-07-24 15:59 UTC; successor: {p.successor}$", out, re.M)
    data = run_json(capsys, "price", "deepseek-chat")
    assert (data["retired"], data["successor"]) == ("2026-07-24", p.successor)


def test_price_at_date_and_alias(capsys: pytest.CaptureFixture[str]) -> None:
    """--at picks the period; a dated or prefixed name resolves and is echoed."""
    data = run_json(capsys, "price", "openai/o3-2025-04-16", "--at", "2025-01-01")
    want = llmcost.get_price("o3", at=date(2025, 1, 1))
    assert data["model"] == "o3"
    assert data["requested"] == "openai/o3-2025-04-16"
    assert data["at"] == "2025-01-01T00:00:00+00:00"
    assert D(data["input_per_mtok"]) == want.input_per_mtok == D(10)
    history = Registry.default().history("o3")
    assert [h["valid_from"] for h in data["history"]] == [
        h.valid_from.isoformat() if h.valid_from else None for h in history
    ]


def test_price_at_an_instant(capsys: pytest.CaptureFixture[str]) -> None:
    """--at takes a date-time: the period that started at an instant that day is chosen."""
    history = Registry.default().history("deepseek-v4-flash")
    start = next(h.valid_from for h in history if isinstance(h.valid_from, datetime))
    assert isinstance(start, datetime)
    before = run_json(capsys, "price", "deepseek-v4-flash", "--at",
                      f"{start.date()}T{start.hour - 1:02d}:00")  # fmt: skip
    after = run_json(capsys, "price", "deepseek-v4-flash", "--at", f"{start:%Y-%m-%dT%H:%M}Z")
    assert before["valid_from"] != after["valid_from"] == start.isoformat()


def test_price_tiers(capsys: pytest.CaptureFixture[str]) -> None:
    """Long-context tiers are listed with their threshold and rates."""
    tier = llmcost.get_price("gpt-5.4").tiers[0]
    status, out, _ = run(capsys, "price", "gpt-5.4")
    assert status == 0
    section = out.split("Long-context rates")[1].split("\n\n")[0]
    cells = section.splitlines()[3].split()
    assert int(cells[1].replace(",", "")) == tier.above_input_tokens
    assert (D(cells[2]), D(cells[3])) == (tier.input_per_mtok, tier.output_per_mtok)
    data = run_json(capsys, "price", "gpt-5.4")
    assert D(data["tiers"][0]["input_per_mtok"]) == tier.input_per_mtok


def test_price_unknown_model_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown model exits 2 and prints the close matches."""
    status, out, err = run(capsys, "price", "gpt-4o-mni")
    assert status == 2
    assert out == ""
    assert err.startswith("llmcost: error: unknown model 'gpt-4o-mni'")
    with pytest.raises(llmcost.UnknownModelError) as info:
        llmcost.get_price("gpt-4o-mni")
    assert info.value.suggestions
    for s in info.value.suggestions:
        assert repr(s) in err
    assert "llmcost models" in err


def test_price_absurd_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A name of thousands of characters is an unknown model, never a traceback."""
    for name in ("gpt-4o" + "-latest" * 994, "openai/" * 497 + "gpt-4o"):
        status, out, err = run(capsys, "price", name)
        assert (status, out) == (2, "")
        assert err.startswith("llmcost: error: unknown model")
        assert widest(err) < 300


# --- escaping ----------------------------------------------------------------------------------


def _hostile_prices(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    model = {
        "model": "evil-1",
        "provider": "acme",
        "tokenizer": "llama",
        "aliases": ["evil\u2028alias"],
        "source_url": "https://example.com/\x1b]8;;https://evil\x07",
        "checked": "2026-11-01",
        "note": "fine\x1b[2J\x1b[H\nFAKE ROW  0  0\u202eesrever",
        "prices": [{"from": None, "input_per_mtok": "1", "output_per_mtok": "2"}],
    }
    path.write_text(json.dumps({"schema_version": 2, "models": [model]}), encoding="utf-8")
    return path


def test_price_file_text_is_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Control characters and ANSI escapes from a price file are shown escaped, never raw."""
    path = str(_hostile_prices(tmp_path))
    for argv in (["price", "evil-1"], ["models", "--provider", "acme"]):
        status, out, err = run(capsys, *argv, "--registry", path)
        assert status == 0, err
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u2028\u202e]", out)
    status, out, _ = run(capsys, "price", "evil-1", "--registry", path)
    assert "\\x1b[2J" in " ".join(out.split())
    assert "\\u2028" in out and "\\u202e" in out
    assert not any(line.startswith("FAKE ROW") for line in out.splitlines())


def test_price_file_text_is_exact_in_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--json keeps the text exactly, with the dangerous characters as JSON escapes."""
    path = str(_hostile_prices(tmp_path))
    status, out, _ = run(capsys, "price", "evil-1", "--registry", path, "--json")
    assert status == 0
    assert not re.search("[\x00-\x1f\x7f\u2028\u202e]", out.replace("\n", ""))
    data = json.loads(out)
    assert data["note"] == "fine\x1b[2J\x1b[H\nFAKE ROW  0  0\u202eesrever"
    assert data["aliases"] == ["evil\u2028alias"]


# --- prices ------------------------------------------------------------------------------------


def test_prices_csv_equals_rows(capsys: pytest.CaptureFixture[str]) -> None:
    """The CSV has the documented columns and one row per price period, as price_rows."""
    from llmcost._rows import PRICE_COLUMNS, price_rows

    status, out, err = run(capsys, "prices", "--format", "csv")
    assert status == 0, err
    reader = csv.DictReader(io.StringIO(out))
    assert tuple(reader.fieldnames or ()) == PRICE_COLUMNS
    got = list(reader)
    want = price_rows(Registry.default())
    assert len(got) == len(want)
    def cell(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"  # as registry_from_rows reads them back
        return "" if v is None else str(v)

    for g, w in zip(got, want, strict=True):
        assert g == {k: cell(v) for k, v in w.items()}


def test_prices_jsonl_and_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON lines carry the rows as they are; --aliases exports the alias table."""
    from llmcost._rows import ALIAS_COLUMNS, alias_rows, price_rows

    status, out, _ = run(capsys, "prices", "--format", "jsonl")
    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == price_rows(Registry.default())
    status, out, _ = run(capsys, "prices", "--format", "jsonl", "--aliases")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows == alias_rows(Registry.default())
    assert tuple(rows[0]) == ALIAS_COLUMNS
    assert run_json(capsys, "prices", "--aliases") == rows


def test_current_helper_agrees_with_list_models() -> None:
    """The test's own notion of a current model matches the library's list."""
    assert all(_current(m) for m in llmcost.list_models())
