"""The pricing registry: shipped data, name resolution, dated prices, price files."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

import llmcost
from llmcost import ModelPrice, PriceDataError, Registry, UnknownModelError
from llmcost._when import start_of

from .strategies import default_models, model_names

UTC = timezone.utc

REQUIRED = {
    "openai": [
        "gpt-4o", "gpt-4o-2024-05-13", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
        "o1", "o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-5.1",
        "gpt-5.2", "gpt-5.2-pro", "gpt-4-turbo", "gpt-4", "gpt-3.5-turbo",
    ],
    "anthropic": [
        "claude-opus-4-5", "claude-opus-4-1", "claude-sonnet-4-5", "claude-sonnet-4",
        "claude-3-7-sonnet", "claude-haiku-4-5", "claude-3-5-haiku", "claude-3-haiku",
    ],
    "google": [
        "gemini-3-pro-preview", "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
        "gemini-2.0-flash", "gemini-2.0-flash-lite",
    ],
    "deepseek": ["deepseek-chat", "deepseek-reasoner"],
}  # fmt: skip


def shipped_json() -> dict[str, object]:
    """The shipped price file, parsed as plain JSON."""
    path = Path(llmcost.__file__).parent / "data" / "prices.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- the shipped data ---


def test_shipped_data_loads_with_required_models() -> None:
    """Every model the project promises is in the shipped data, under its provider."""
    reg = Registry.default()
    for provider, models in REQUIRED.items():
        listed = llmcost.list_models(provider=provider, include_retired=True)
        for model in models:
            assert model in listed, model
            assert reg.get(model).provider == provider


def test_shipped_data_size_and_freshness() -> None:
    """The data covers 100+ models and says how fresh it is."""
    reg = Registry.default()
    assert len(reg) >= 100
    assert reg.as_of is not None
    assert reg.as_of <= date.today()


def test_shipped_entries_are_sourced() -> None:
    """Every entry has an https source and a checked date; prices are decimal strings."""
    doc = shipped_json()
    entries = doc["models"]
    assert isinstance(entries, list)
    for entry in entries:
        assert entry["source_url"].startswith("https://"), entry["model"]
        date.fromisoformat(entry["checked"])
        for period in entry["prices"]:
            for key, value in period.items():
                if key.endswith("_per_mtok"):
                    assert isinstance(value, str)
                    assert Decimal(value) >= 0


def test_shipped_names_unique() -> None:
    """No two entries share an id, and no alias names two models (case-insensitively)."""
    doc = shipped_json()
    entries = doc["models"]
    assert isinstance(entries, list)
    owner: dict[str, str] = {}
    for entry in entries:
        for name in [entry["model"], *entry.get("aliases", [])]:
            key = name.lower()
            assert owner.setdefault(key, entry["model"]) == entry["model"], name
            if name != entry["model"]:
                assert key != entry["model"].lower()


def test_zero_prices_are_explained() -> None:
    """A price of exactly zero appears only in an entry whose note explains it."""
    reg = Registry.default()
    for model in reg:
        for p in reg.history(model):
            rates = [p.input_per_mtok, p.output_per_mtok]
            if any(r == 0 for r in rates):
                assert p.note, model


def test_gpt_4o_prices() -> None:
    """The issue's worked example: gpt-4o at 2.5 / 10, under every way of naming it."""
    for name in ["gpt-4o", "openai/gpt-4o", "GPT-4o", "gpt-4o-2024-08-06"]:
        p = llmcost.get_price(name)
        assert (p.model, p.input_per_mtok, p.output_per_mtok) == (
            "gpt-4o",
            Decimal("2.5"),
            Decimal("10"),
        )


def test_dated_snapshot_with_its_own_price() -> None:
    """gpt-4o-2024-05-13 is listed with its own 5 / 15 price, not gpt-4o's."""
    p = llmcost.get_price("gpt-4o-2024-05-13")
    assert (p.model, p.input_per_mtok, p.output_per_mtok) == (
        "gpt-4o-2024-05-13",
        Decimal("5"),
        Decimal("15"),
    )


@pytest.mark.parametrize(
    ("model", "day", "expected"),
    [
        ("o3", date(2025, 6, 9), ("10", "40")),
        ("o3", date(2025, 6, 10), ("2", "8")),
        ("deepseek-reasoner", date(2025, 9, 4), ("0.55", "2.19")),
        # DeepSeek's page: 0.56 / 1.68 from 2025-09-05 16:00 UTC, 0.28 / 0.42 from 2025-09-29.
        ("deepseek-reasoner", datetime(2025, 9, 5, 15, 59, tzinfo=UTC), ("0.55", "2.19")),
        ("deepseek-reasoner", datetime(2025, 9, 5, 16, 0, tzinfo=UTC), ("0.56", "1.68")),
        ("deepseek-reasoner", date(2025, 9, 6), ("0.56", "1.68")),
    ],
)
def test_dated_prices(model: str, day: date, expected: tuple[str, str]) -> None:
    """A price change takes effect at its date or instant, not a day or a minute before."""
    p = llmcost.get_price(model, at=day)
    assert (p.input_per_mtok, p.output_per_mtok) == tuple(Decimal(x) for x in expected)
    when = day if isinstance(day, datetime) else datetime(*day.timetuple()[:3], tzinfo=UTC)
    assert p.valid_from is None or start_of(p.valid_from) <= when
    assert p.valid_to is None or when < start_of(p.valid_to)


def test_a_bare_date_inside_a_change_is_refused() -> None:
    """On the UTC day a price changes at an instant, a bare date is ambiguous: it raises."""
    with pytest.raises(llmcost.InvalidInputError, match="pass at= a datetime"):
        llmcost.get_price("deepseek-reasoner", at=date(2025, 9, 5))


def test_current_price_is_todays_period() -> None:
    """Without `at`, get() returns the one period in force today."""
    reg = Registry.default()
    now = datetime.now(UTC)
    for model in reg:
        (current,) = [
            p for p in reg.history(model)
            if (p.valid_from is None or start_of(p.valid_from) <= now)
            and (p.valid_to is None or now < start_of(p.valid_to))
        ]  # fmt: skip
        assert reg.get(model) == current


# --- name resolution (on the shipped data) ---


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("GPT-4O-MINI", "gpt-4o-mini"),
        ("openai/gpt-4.1", "gpt-4.1"),
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
        ("claude-3-7-sonnet-latest", "claude-3-7-sonnet"),
        ("gemini/gemini-2.5-pro", "gemini-2.5-pro"),
        ("google/gemini-2.5-flash", "gemini-2.5-flash"),
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("deepseek/deepseek-chat", "deepseek-chat"),
    ],
)
def test_resolution_table(name: str, canonical: str) -> None:
    """Names resolve to the documented canonical id."""
    assert llmcost.get_price(name).model == canonical


@pytest.mark.parametrize(
    "name",
    ["gpt-4o-mini-foo", "gpt-4", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini", "o3"],
)
def test_no_bare_prefix_matches(name: str) -> None:
    """A name resolves to itself or is unknown: never to a model it merely starts with."""
    try:
        resolved = llmcost.get_price(name).model
    except UnknownModelError:
        assert name == "gpt-4o-mini-foo"
        return
    assert resolved == name


def test_unknown_model_suggests() -> None:
    """A typo raises UnknownModelError with the close match first and how to add a price."""
    with pytest.raises(UnknownModelError) as info:
        llmcost.get_price("gpt-4o-mni")
    err = info.value
    assert isinstance(err, LookupError)
    assert err.model == "gpt-4o-mni"
    assert err.suggestions[0] == "gpt-4o-mini"
    assert "did you mean 'gpt-4o-mini'" in str(err)
    assert "LLMCOST_PRICES" in str(err)


def test_host_models_need_a_host() -> None:
    """A Llama model several hosts sell must be named with its host; the error lists them."""
    reg = Registry.default()
    hosted = [m for m in reg if m.startswith(("groq/", "together/", "bedrock/"))]
    bases: dict[str, list[str]] = {}
    for m in hosted:
        bases.setdefault(m.split("/", 1)[1], []).append(m)
    shared = {b: ms for b, ms in bases.items() if len(ms) > 1}
    assert shared, "several hosts should sell at least one Llama model"
    for base, models in shared.items():
        with pytest.raises(UnknownModelError) as info:
            reg.resolve(base)
        assert set(info.value.suggestions) == set(models)
        for m in models:
            assert reg.resolve(m) == m
    for host in ("groq", "together", "bedrock"):
        assert any(m.startswith(host + "/") for m in hosted), host


@given(model_names())
def test_any_string_resolves_or_raises_unknown(name: str) -> None:
    """Any string either resolves or raises UnknownModelError, never another exception."""
    try:
        p = llmcost.get_price(name)
    except UnknownModelError as e:
        assert e.model == name
    else:
        assert p.model in llmcost.list_models(include_retired=True)


@given(default_models())
def test_resolution_is_idempotent_and_case_insensitive(model: str) -> None:
    """get_price(get_price(x).model) == get_price(x), in any letter case."""
    p = llmcost.get_price(model)
    assert llmcost.get_price(p.model) == p
    assert llmcost.get_price(model.upper()) == p
    for alias in p.aliases:
        assert llmcost.get_price(alias) == p


# --- the registry on a fixture file ---


def test_fixture_resolution(fixture_registry: Registry) -> None:
    """Aliases, prefixes, snapshots and hosts on a small registry."""
    reg = fixture_registry
    cases = {
        "ALPHA-1": "alpha-1",
        "Alpha-One": "alpha-1",
        "acme/alpha-1": None,
        "openai/alpha-one": "alpha-1",
        "alpha-1-latest": "alpha-1",
        "alpha-1-2026-01-01": "alpha-1",
        "alpha-1-20260101": "alpha-1",
        "groq/llama-x-versatile": "groq/llama-x",
        "together/llama-x-2025-01-01": "together/llama-x",
        "llama-solo": "together/llama-solo",
        "groq/llama-solo": None,
        "bedrock/alpha-1": "alpha-1",
        "alpha-1-mini-foo": None,
        "alpha": None,
    }
    for name, expected in cases.items():
        if expected is None:
            assert name not in reg, name
        else:
            assert reg.resolve(name) == expected, name


def test_fixture_dated_and_tiers(fixture_registry: Registry) -> None:
    """Dated periods get valid_from / valid_to; tiers come sorted with their rates."""
    reg = fixture_registry
    old, new = reg.history("alpha-1")
    assert old.valid_to == new.valid_from == date(2025, 6, 10)
    assert reg.get("alpha-1", at=date(2025, 6, 9)) is old
    assert reg.get("alpha-1", at=date(2025, 6, 10)) is new
    tier = reg.get("beta-long").tier_for(200_001)
    assert tier is not None
    assert tier.input_per_mtok == Decimal(6)
    assert reg.get("beta-long").tier_for(200_000) is None
    assert reg.as_of == date(2025, 7, 1)
    assert reg.models("together") == ["together/llama-solo", "together/llama-x"]


def test_with_prices_and_merged(fixture_registry: Registry) -> None:
    """with_prices replaces a model's whole history; merged only fills gaps."""
    new = ModelPrice(
        model="alpha-1", provider="acme", tokenizer="o200k_base",
        input_per_mtok="1", output_per_mtok="2",
    )  # fmt: skip
    reg = fixture_registry.with_prices(new)
    assert reg.history("alpha-1") == (new,)
    assert fixture_registry.get("alpha-1").input_per_mtok == Decimal(2)  # immutable
    extra = ModelPrice(
        model="gamma", provider="acme", tokenizer="llama", input_per_mtok=1, output_per_mtok=1
    )
    merged = fixture_registry.merged(Registry([new, extra]))
    assert merged.get("alpha-1").input_per_mtok == Decimal(2)
    assert merged.get("gamma") == extra


def test_llmcost_prices_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LLMCOST_PRICES extends and overrides the shipped prices."""
    doc = {
        "models": [
            {
                "model": "gpt-4o", "provider": "openai", "tokenizer": "o200k_base",
                "prices": [{"from": None, "input_per_mtok": "2.25", "output_per_mtok": "9"}],
            },
            {
                "model": "in-house-7b", "provider": "acme", "tokenizer": "llama",
                "prices": [{"from": None, "input_per_mtok": "0.1", "output_per_mtok": "0.2"}],
            },
        ]
    }  # fmt: skip
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setenv("LLMCOST_PRICES", str(path))
    assert llmcost.get_price("gpt-4o").input_per_mtok == Decimal("2.25")
    assert llmcost.get_price("in-house-7b").output_per_mtok == Decimal("0.2")
    assert llmcost.get_price("gpt-4o-mini").model == "gpt-4o-mini"
    monkeypatch.delenv("LLMCOST_PRICES")
    assert llmcost.get_price("gpt-4o").input_per_mtok == Decimal("2.5")


# --- malformed price files ---

GOOD_ENTRY = {
    "model": "m",
    "provider": "acme",
    "tokenizer": "llama",
    "source_url": "https://example.com",
    "checked": "2025-01-01",
    "prices": [{"from": None, "input_per_mtok": "1", "output_per_mtok": "2"}],
}


def _period(**kw: object) -> dict[str, object]:
    return {**GOOD_ENTRY, "prices": [{"from": None, "input_per_mtok": "1", **kw}]}


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ("{not json", "not valid JSON"),
        ({"nothing": []}, "'models'"),
        ({"models": [{**GOOD_ENTRY, "prices": [{"from": None, "input_per_mtok": "1"}]}]},
         "output_per_mtok"),
        ({"models": [_period(output_per_mtok="-1")]}, "non-negative"),
        ({"models": [_period(output_per_mtok=2.5)]}, "decimal string"),
        ({"models": [_period(output_per_mtok="abc")]}, "not a decimal"),
        ({"models": [_period(output_per_mtok="NaN")]}, "finite"),
        ({"models": [{**GOOD_ENTRY, "tokenizer": "bert"}]}, "tokenizer"),
        ({"models": [{**GOOD_ENTRY, "source_url": "http://x"}]}, "https"),
        ({"models": [{**GOOD_ENTRY, "checked": "yesterday"}]}, "ISO date"),
        ({"models": [{**GOOD_ENTRY, "colour": "red"}]}, "unknown field"),
        ({"models": [GOOD_ENTRY, GOOD_ENTRY]}, "duplicate"),
        ({"models": [{**GOOD_ENTRY, "aliases": ["n"]}, {**GOOD_ENTRY, "model": "N"}]},
         "collides"),
        ({"models": [_period(output_per_mtok="0")]}, "needs a note"),
        ({"models": [{**GOOD_ENTRY, "prices": [
            {"from": None, "input_per_mtok": "1", "output_per_mtok": "2"},
            {"from": None, "input_per_mtok": "1", "output_per_mtok": "2"}]}]},
         "two price periods"),
    ],
)  # fmt: skip
def test_malformed_files_name_the_problem(tmp_path: Path, doc: object, needle: str) -> None:
    """Each kind of malformed price file raises PriceDataError naming file, entry and field."""
    path = tmp_path / "bad.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(PriceDataError, match=needle) as info:
        Registry.from_file(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)


def test_missing_file_is_a_price_data_error(tmp_path: Path) -> None:
    """A price file that does not exist raises PriceDataError, not OSError."""
    with pytest.raises(PriceDataError, match="cannot read"):
        Registry.from_file(tmp_path / "nope.json")


def test_model_price_refuses_floats() -> None:
    """A ModelPrice built in code refuses a float price: money must be exact."""
    with pytest.raises(TypeError, match="float"):
        ModelPrice(
            model="m", provider="p", tokenizer="llama", input_per_mtok=0.1, output_per_mtok="1"
        )


def test_round_trip_through_price_file(tmp_path: Path) -> None:
    """Every shipped entry written back as a price file reads back identically."""
    from llmcost._pricefile_write import price_file_entry

    reg = Registry.default()
    doc = {"schema_version": 2, "models": [price_file_entry(reg.history(m)) for m in reg]}
    path = tmp_path / "again.json"
    path.write_text(json.dumps(doc))
    again = Registry.from_file(path)
    assert list(again) == list(reg)
    for m in reg:
        assert again.history(m) == reg.history(m)


def test_explicit_empty_registry_is_not_the_default() -> None:
    """An empty registry passed explicitly knows no model: it is never swapped for the default."""
    empty = Registry()
    assert len(empty) == 0
    with pytest.raises(UnknownModelError):
        llmcost.get_price("gpt-4o", registry=empty)
    with pytest.raises(UnknownModelError):
        llmcost.cost("gpt-4o", input_tokens=1, registry=empty)
    assert llmcost.list_models(registry=empty) == []


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"models": [' * 100_000 + b"]" * 100_000 + b"}", "not a price file"),
        (b'{"schema_version": 1' + b"0" * 5000 + b', "models": []}', "too long"),
        (b'{"schema_version": 2, "models": [{"model": "m", "provider": "p", "tokenizer": "llama",'
         b' "prices": [{"input_per_mtok": "1e999999999", "output_per_mtok": "1"}]}]}', "outside"),
    ],
)  # fmt: skip
def test_hostile_price_files_are_clear_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    """Binary, deeply nested, huge-integer and huge-price files raise PriceDataError naming them."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(PriceDataError, match=needle) as info:
        Registry.from_file(path)
    assert str(path) in str(info.value)


def test_price_file_paths_that_cannot_be_files() -> None:
    """A NUL byte or lone surrogate in a path: InvalidInputError; a missing file: an OSError."""
    for bad in ("prices\x00.json", "prices\ud800.json"):
        with pytest.raises(llmcost.InvalidInputError):
            Registry.from_file(bad)
    with pytest.raises(llmcost.FileAccessError) as info:
        Registry.from_file("/nonexistent/prices.json")
    assert isinstance(info.value, OSError) and isinstance(info.value, PriceDataError)
    with pytest.raises(llmcost.FileAccessError):
        Registry.from_file("/")


def test_an_endless_price_file_is_refused_by_size(tmp_path: Path) -> None:
    """/dev/zero as a price file: refused at the size limit, not read until memory runs out."""
    with pytest.raises(PriceDataError, match="larger than"):
        Registry.from_file("/dev/zero")


def test_llmcost_prices_collisions_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An alias in $LLMCOST_PRICES that another shipped model owns: the error names the file."""
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"schema_version": 2, "models": [{
        "model": "my-model", "provider": "acme", "tokenizer": "llama", "aliases": ["gpt-4o"],
        "prices": [{"input_per_mtok": "1", "output_per_mtok": "1"}]}]}))  # fmt: skip
    monkeypatch.setenv("LLMCOST_PRICES", str(path))
    with pytest.raises(PriceDataError, match="LLMCOST_PRICES") as info:
        Registry.default()
    assert str(path) in str(info.value)
