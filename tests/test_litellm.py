"""Reading litellm's price list: exact Decimal prices, faithful mapping, every skip reported."""

from __future__ import annotations

import collections
import doctest
import importlib
import importlib.util
import json
import os
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal, Inexact, localcontext
from pathlib import Path

import pytest

import llmcost
from llmcost._litellm import from_litellm, tokenizer_for
from llmcost._rows import alias_rows, price_rows

SAMPLE = Path(__file__).parent / "data" / "litellm_sample.json"

MAPPED = {
    "azure/codex-mini", "azure/eu/gpt-4o-mini", "azure/gpt-4o", "azure/gpt-6-astra",
    "bedrock/ap-south-1/qwen.qwen3-next-80b-a3b", "claude-opus-4-8", "claude-sonnet-4-5",
    "claude-sonnet-5-5", "coralbricks/glm-5.3", "dashscope/qwen-max", "deepseek-v4-flash",
    "deepseek/deepseek-chat", "empiriolabs/qwen3-7-flash", "gemini/gemini-2.5-flash",
    "gemini/gemini-2.5-pro", "gpt-3.5-turbo", "gpt-3.5-turbo-instruct", "gpt-4o", "gpt-4o-mini",
    "gpt-5.4", "gpt-5.5", "kyma/grok-4.3", "mistral/mistral-large-latest", "o3-mini",
    "odd/request-fee", "odd/sized-search", "odd/weird-host-cache", "text-embedding-3-large",
    "text-embedding-3-small", "vertex_ai/claude-3-haiku", "vertex_ai/claude-sonnet-4-5",
    "xai/grok-4.3",
}  # fmt: skip
ONLY = "(only chat, completion, responses and embedding models are priced)"
SKIPPED = {
    "sample_spec": "litellm's schema example, not a model",
    "tts-1": f"mode 'audio_speech' {ONLY}",
    "whisper-1": f"mode 'audio_transcription' {ONLY}",
    "1024-x-1024/50-steps/stability.stable-diffusion-xl-v1": "mode 'image_generation' (only",
    "cohere.rerank-v3-5:0": "mode 'rerank' (only",
    "deepgram/aura": f"no mode {ONLY}",
    "odd/list-mode": f"a mode of type list {ONLY}",
    "vertex_ai/gemini-2.0-flash": "priced per character",
    "bedrock/ap-northeast-1/1-month-commitment/anthropic.claude-v1": "priced per second",
    "gemini-2.5-flash": "its prices above 200k tokens lack input_per_mtok and output_per_mtok",
    "dashscope/qwen-flash": "priced by token ranges (tiered_pricing)",
    "chatgpt/gpt-5.2": "no input_cost_per_token",
    "codestral/codestral-2405": "input price 0 (llmcost never prices at $0",
    "perplexity/pplx-7b-online": "input price 0 (llmcost never prices at $0",
    "perplexity/sonar-small-online": "input price 0 (llmcost never prices at $0",
    "azure/model-router": "output price 0 (llmcost never prices at $0",
    "novita/deepseek/deepseek-v4-pro": "input_cost_per_token 0.0000016000000000000001 has more "
    "than 12 decimals per million tokens (a float artifact)",
    "odd/huge-price": "input_cost_per_token 1E+999999999 is not a price llmcost can hold exactly",
    "odd/video-output": "litellm key 'output_cost_per_video_token' is not one llmcost maps",
    "dashscope/qwen-turbo": "reasoning tokens are priced apart from output tokens",
    "databricks/databricks-claude-haiku-4-5": "priced in Databricks DBUs",
    "tencent/deepseek-v4.1-flash": "off-peak hours in UTC but weekdays in 'Asia/Shanghai'",
    "tts-latest": "alias of 'tts-1', which is not mapped",
}
UTC = timezone.utc


@pytest.fixture(scope="module")
def sample() -> tuple[llmcost.Registry, list[str]]:
    """The trimmed litellm file, mapped, with its skip report."""
    skipped: list[str] = []
    return from_litellm(SAMPLE, skipped=skipped), skipped


def write(tmp_path: Path, text: str) -> Path:
    """A litellm-style file holding *text*."""
    path = tmp_path / "prices.json"
    path.write_text(text, encoding="utf-8")
    return path


def chat(**fields: object) -> dict[str, object]:
    """A minimal mappable litellm chat entry, with *fields* on top."""
    return {
        "litellm_provider": "openai",
        "mode": "chat",
        "input_cost_per_token": Decimal("1E-6"),
        "output_cost_per_token": Decimal("2E-6"),
        **fields,
    }


def dump(doc: Mapping[str, object]) -> str:
    """JSON text of *doc*, Decimals written as their own digits."""
    return json.dumps(doc, default=lambda d: f"@{d}@").replace('"@', "").replace('@"', "")


def test_sample_maps_the_expected_entries(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """The chat models map; everything else is reported with its reason."""
    reg, skipped = sample
    assert set(reg) == MAPPED
    reasons = dict(s.split(": ", 1) for s in skipped)
    assert set(reasons) == set(SKIPPED)
    for name, start in SKIPPED.items():
        assert reasons[name].startswith(start), (name, reasons[name])


def test_every_key_is_accounted_for(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Each key of the file is a mapped id, an alias of one, or reported exactly once."""
    reg, skipped = sample
    keys = json.loads(SAMPLE.read_text(encoding="utf-8"))
    reported = collections.Counter(s.split(": ", 1)[0] for s in skipped)
    assert max(reported.values()) == 1
    aliases = {a for m in reg for a in reg.history(m)[-1].aliases}
    for key in keys:
        assert (key.lower() in reg._by_model) + (key.lower() in aliases) + reported[key] == 1, key


def test_prices_are_exact_per_million(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Per-token prices become exact Decimals per million tokens, every field mapped."""
    reg, _ = sample
    p = reg.get("gpt-4o")
    assert p.rates() == {
        "input_per_mtok": Decimal("2.5"), "output_per_mtok": Decimal("10"),
        "cache_read_per_mtok": Decimal("1.25"),
    }  # fmt: skip
    assert (p.provider, p.tokenizer, p.context_window, p.max_output_tokens) == (
        "openai", "o200k_base", 128_000, 16_384,
    )  # fmt: skip
    batch = p.variant("batch")
    assert batch is not None
    # litellm lists no batch cache-read price for gpt-4o: absent, so such a request raises
    assert batch.rates() == {"input_per_mtok": Decimal("1.25"), "output_per_mtok": Decimal(5)}
    with pytest.raises(llmcost.MissingRateError):
        llmcost.cost("gpt-4o", input_tokens=10, cache_read_tokens=5, batch=True, registry=reg)
    assert str(reg.get("dashscope/qwen-max").input_per_mtok) == "1.6"
    assert str(reg.get("kyma/grok-4.3").output_per_mtok) == "3.838"


def test_cache_write_ttls_by_family(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Claude writes are 5-minute (and 1-hour), OpenAI writes 30-minute, others left out."""
    reg, _ = sample
    c = reg.get("claude-sonnet-4-5")
    assert (c.cache_write_5m_per_mtok, c.cache_write_1h_per_mtok) == (Decimal("3.75"), 6)
    assert c.cache_write_30m_per_mtok is None
    bedrock_style = reg.get("vertex_ai/claude-sonnet-4-5")
    assert bedrock_style.cache_write_5m_per_mtok == Decimal("3.75")
    astra = reg.get("azure/gpt-6-astra")
    assert (astra.cache_write_30m_per_mtok, astra.cache_write_5m_per_mtok) == (12.5, None)
    other = reg.get("odd/weird-host-cache")
    assert other.cache_write_5m_per_mtok is other.cache_write_30m_per_mtok is None
    assert "litellm does not say their TTL" in other.note


def test_variants_and_their_tiers(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """*_batches, *_flex and *_priority become explicit variants with the tiers litellm lists."""
    reg, _ = sample
    p = reg.get("gpt-5.5")
    assert [v.key() for v in p.variants] == [
        "service_tier=batch", "service_tier=flex", "service_tier=priority",
    ]  # fmt: skip
    flex = p.variant("flex")
    assert flex is not None
    assert (flex.input_per_mtok, flex.output_per_mtok, flex.cache_read_per_mtok) == (
        Decimal("2.5"), Decimal(15), Decimal("0.25"),
    )  # fmt: skip
    usage = llmcost.Usage(input_tokens=100_000, output_tokens=1_000)
    # 0.1M x 2.5 + 0.001M x 15, by hand
    got = llmcost.cost("gpt-5.5", usage, service_tier="flex", registry=reg).total
    assert got == Decimal("0.265")
    # priority lists no price above 272k: such a request raises instead of using the base's
    big = llmcost.Usage(input_tokens=300_000)
    with pytest.raises(llmcost.MissingRateError):
        llmcost.cost("gpt-5.5", big, service_tier="priority", registry=reg)
    assert llmcost.cost("gpt-5.5", big, registry=reg).total == Decimal(3)  # 0.3M x $10 above
    assert "ultrafast rates are left out" in reg.get("odd/weird-host-cache").note


def test_long_context_tiers(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Every *_above_<N>k_tokens threshold is a tier that applies once input exceeds it."""
    reg, _ = sample
    (tier,) = reg.get("vertex_ai/claude-sonnet-4-5").tiers
    assert tier == llmcost.PriceTier(
        above_input_tokens=200_000, input_per_mtok="6", output_per_mtok="22.5",
        cache_read_per_mtok="0.6", cache_write_5m_per_mtok="7.5", cache_write_1h_per_mtok="12",
    )  # fmt: skip
    at, over = (
        llmcost.cost("gemini/gemini-2.5-pro", input_tokens=n, output_tokens=0, registry=reg)
        for n in (200_000, 200_001)
    )
    assert at.total == Decimal("0.25")  # 200,000 x $1.25 per million
    assert over.total == Decimal("0.5000025")  # 200,001 x $2.50 per million
    qwen = reg.get("empiriolabs/qwen3-7-flash")
    assert [t.above_input_tokens for t in qwen.tiers] == [32_000, 256_000]


def test_modalities_web_search_geo_and_fees(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Audio rates, a per-call web search, regional uplifts and per-request fees are mapped."""
    reg, _ = sample
    flash = reg.get("gemini/gemini-2.5-flash")
    assert (flash.audio_input_per_mtok, flash.cache_read_audio_per_mtok) == (1, Decimal("0.1"))
    gpt = reg.get("gpt-5.5")
    assert dict(gpt.tool_per_kcall) == {"web_search": Decimal(10)}  # $0.01 per search
    assert dict(gpt.inference_geo) == {"eu": Decimal("1.1"), "us": Decimal("1.1")}
    u = llmcost.Usage(input_tokens=100_000, tool_calls={"web_search": 3})
    c = llmcost.cost("gpt-5.5", u, inference_geo="us", registry=reg)
    assert (c.input, c.tools) == (Decimal("0.55"), Decimal("0.03"))  # tools are not uplifted
    opus = reg.get("claude-opus-4-8")
    assert dict(opus.inference_geo) == {"us": Decimal("1.1")}
    assert "fast-mode factor is left out" in opus.note
    with pytest.raises(llmcost.MissingRateError):
        llmcost.cost("claude-opus-4-8", input_tokens=1, speed="fast", registry=reg)
    sized = reg.get("odd/sized-search")
    assert not sized.tool_per_kcall
    assert "by search context size" in sized.note
    assert "free allowance" in reg.get("gemini/gemini-2.5-pro").note
    fee = reg.get("odd/request-fee")
    assert fee.request_per_kcall == 5  # $0.005 a request
    assert llmcost.cost("odd/request-fee", input_tokens=0, registry=reg).total == Decimal("0.005")


def test_off_peak_windows(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """DeepSeek's off_peak_pricing becomes UTC windows with the off-peak rates."""
    reg, _ = sample
    p = reg.get("deepseek-v4-flash")
    assert [(w.start, w.end, w.weekdays) for w in p.windows] == [
        ("00:00", "01:00", (0, 1, 2, 3, 4)), ("04:00", "06:00", (0, 1, 2, 3, 4)),
        ("10:00", "24:00", (0, 1, 2, 3, 4)), ("00:00", "24:00", (5, 6)),
    ]  # fmt: skip
    u = llmcost.Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    peak = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
    off = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    weekend = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert llmcost.cost("deepseek-v4-flash", u, at=peak, registry=reg).total == Decimal("1.5")
    for at in (off, weekend):
        assert llmcost.cost("deepseek-v4-flash", u, at=at, registry=reg).total == Decimal("0.75")


def test_embeddings_and_deprecation_dates(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Embedding entries map with no output rate; deprecation dates are notes, not retirements."""
    reg, _ = sample
    e = reg.get("text-embedding-3-small")
    assert (e.kind, e.input_per_mtok, e.output_per_mtok) == ("embedding", Decimal("0.02"), None)
    assert llmcost.cost("text-embedding-3-small", input_tokens=10_000, registry=reg).total == (
        Decimal("0.0002")
    )
    with pytest.raises(llmcost.MissingRateError):
        llmcost.cost("text-embedding-3-small", input_tokens=1, output_tokens=1, registry=reg)
    old = reg.get("deepseek/deepseek-chat")  # litellm: deprecation_date 2026-07-24, now past
    assert old.retired is None
    assert "deprecation date of 2026-07-24" in old.note
    assert "does not treat it as a retirement" in old.note
    assert llmcost.cost("deepseek/deepseek-chat", input_tokens=1, registry=reg).total > 0


def test_notes_say_what_was_left_out(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Zero rates, missing tier cache rates and stand-in tokenizers are noted."""
    reg, _ = sample
    qwen = reg.get("bedrock/ap-south-1/qwen.qwen3-next-80b-a3b")
    assert "'llama' estimate profile" in qwen.note
    deepseek = reg.get("deepseek/deepseek-chat")
    assert deepseek.cache_write_5m_per_mtok is None
    assert "Rates of 0 left out" in deepseek.note
    kyma = reg.get("kyma/grok-4.3")
    assert kyma.tiers[0].cache_read_per_mtok is None
    with pytest.raises(llmcost.MissingRateError):
        llmcost.cost("kyma/grok-4.3", input_tokens=300_000, cache_read_tokens=1, registry=reg)


def test_alias_of_entries_become_aliases(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """An `alias_of` entry names its target model; an alias of a skipped model is reported."""
    reg, skipped = sample
    assert reg.resolve("claude-sonnet-latest") == "claude-sonnet-5-5"
    assert reg.resolve("azure/gpt-astra-latest") == "azure/gpt-6-astra"
    assert "tts-latest: alias of 'tts-1', which is not mapped" in skipped


@pytest.mark.parametrize(
    ("name", "provider", "profile"),
    [
        ("gpt-4o", "openai", "o200k_base"),
        ("azure/o3-mini", "azure", "o200k_base"),
        ("ft:gpt-4.1-mini-2025-04-14", "openai", "o200k_base"),
        ("azure/gpt-35-turbo", "azure", "cl100k_base"),
        ("gpt-4-turbo", "openai", "cl100k_base"),
        ("vertex_ai/claude-3-haiku", "vertex_ai-anthropic_models", "claude"),
        ("gemini/gemma-3-27b-it", "gemini", "gemini"),
        ("groq/llama-3.3-70b-versatile", "groq", "llama"),
        ("deepseek/deepseek-chat", "deepseek", "deepseek"),
        ("mistral/codestral-latest", "mistral", "mistral"),
        ("xai/grok-4", "xai", "grok"),
        ("anthropic/some-new-model", "anthropic", "claude"),
        ("bedrock/pixtral-o1", "bedrock", "mistral"),
    ],
)
def test_tokenizer_from_family(name: str, provider: str, profile: str) -> None:
    """Tokenizers follow the model family first, then the provider; no note for those."""
    assert tokenizer_for(name, provider) == (profile, "")


def test_unknown_family_gets_a_noted_estimate() -> None:
    """A family llmcost has no profile for gets the fallback estimate, said in the note."""
    profile, note = tokenizer_for("together_ai/qwen/qwen3-235b", "together_ai")
    assert profile == "llama"
    assert "no tokenizer profile" in note


def test_parses_text_never_floats(tmp_path: Path) -> None:
    """Prices come from the JSON text: 2.3e-07 is 0.23 per million, not a float's 0.2299..."""
    text = (
        '{"m": {"litellm_provider": "x", "mode": "chat", "input_cost_per_token": 2.3e-07, '
        '"output_cost_per_token": 3e-7, "max_input_tokens": 1e6}}'
    )
    p = from_litellm(write(tmp_path, text)).get("m")
    assert (p.input_per_mtok, p.output_per_mtok) == (Decimal("0.23"), Decimal("0.3"))
    assert float("2.3e-07") * 10**6 != 0.23  # the float path would be wrong
    assert p.context_window == 1_000_000


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (chat(input_cost_per_token=Decimal("-1E-6")), "input_cost_per_token is negative"),
        (chat(input_cost_per_token="0.000001"), "input_cost_per_token is not a number"),
        (chat(output_cost_per_token=True), "output_cost_per_token is not a number"),
        (chat(output_cost_per_token=Decimal("0.02")), "is implausible ($20000 per million"),
        (chat(cache_read_input_token_cost=Decimal("1E-19")), "more than 12 decimals"),
        (chat(output_cost_per_token=None), "no output_cost_per_token"),
        (chat(litellm_provider=""), "no litellm_provider"),
        (chat(input_cost_per_token_above_200k_tokens=Decimal("2E-6")), "lack output_per_mtok"),
        (chat(input_cost_per_token_above_128k_tokens=Decimal("2E-6")), "above 128k tokens lack"),
        (chat(mode=5), "a mode of type int"),
        (chat(output_cost_per_token_flex="x"), "is not a number"),
        (chat(off_peak_pricing=[1]), "off_peak_pricing is not an object"),
        (chat(input_cost_per_token=Decimal("1E+999999999")), "not a price llmcost can hold"),
        (chat(new_cost_per_token=Decimal("1E-6")), "'new_cost_per_token' is not one llmcost maps"),
        (chat(mode="moderation"), "mode 'moderation'"),
        ("not an object", "not an object"),
    ],
)
def test_unmappable_values_are_reported(tmp_path: Path, entry: object, reason: str) -> None:
    """Negative, non-numeric, implausible or incomplete prices skip the entry with a reason."""
    skipped: list[str] = []
    reg = from_litellm(write(tmp_path, dump({"bad": entry, "good": chat()})), skipped=skipped)
    assert list(reg) == ["good"]
    assert len(skipped) == 1
    assert skipped[0].startswith("bad: ")
    assert reason in skipped[0]


def test_nan_is_reported(tmp_path: Path) -> None:
    """A NaN price (which Python's JSON reader accepts) is reported, not mapped."""
    skipped: list[str] = []
    text = (
        '{"m": {"litellm_provider": "x", "mode": "chat", "input_cost_per_token": NaN, '
        '"output_cost_per_token": 1e-6}}'
    )
    assert len(from_litellm(write(tmp_path, text), skipped=skipped)) == 0
    assert skipped == ["m: input_cost_per_token is not a number (nan)"]


def test_colliding_names_are_all_reported(tmp_path: Path) -> None:
    """Keys equal once lower-cased are all skipped: which one is right is not guessed."""
    skipped: list[str] = []
    doc = {"Foo-1": chat(), "foo-1": chat(), "bar": chat()}
    reg = from_litellm(write(tmp_path, dump(doc)), skipped=skipped)
    assert list(reg) == ["bar"]
    assert sorted(skipped) == [
        "Foo-1: name collides with 'foo-1' once lower-cased",
        "foo-1: name collides with 'Foo-1' once lower-cased",
    ]


def test_ids_are_lower_cased(tmp_path: Path) -> None:
    """litellm keys keep their text as canonical ids, lower-cased."""
    reg = from_litellm(write(tmp_path, dump({"Together_AI/Meta-Llama/X": chat()})))
    assert list(reg) == ["together_ai/meta-llama/x"]
    assert reg.get("TOGETHER_AI/meta-llama/X").tokenizer == "llama"


@pytest.mark.parametrize(
    ("text", "message"),
    [("[1, 2]", "expected a JSON object"), ("{nope", "not valid JSON")],
)
def test_bad_files_raise_price_data_error(tmp_path: Path, text: str, message: str) -> None:
    """A file that is not a litellm price list raises PriceDataError naming it."""
    with pytest.raises(llmcost.PriceDataError, match=message):
        from_litellm(write(tmp_path, text))
    with pytest.raises(llmcost.PriceDataError, match="cannot read"):
        from_litellm(tmp_path / "missing.json")


def test_unbounded_file_is_refused() -> None:
    """/dev/zero is refused with a clear PriceDataError after a bounded read, no MemoryError."""
    with pytest.raises(llmcost.PriceDataError, match="larger than 64 MiB"):
        from_litellm("/dev/zero")


def test_caller_decimal_context_changes_nothing(tmp_path: Path) -> None:
    """Under prec=3 with Inexact trapped, 3.838 stays 3.838 and refused values stay refused."""
    want_skips: list[str] = []
    want = from_litellm(SAMPLE, skipped=want_skips)
    with localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[Inexact] = True
        ctx.Emax = 3
        skips: list[str] = []
        got = from_litellm(SAMPLE, skipped=skips)
        assert got.get("kyma/grok-4.3").output_per_mtok == Decimal("3.838")
    assert skips == want_skips
    assert [got.history(m) for m in got] == [want.history(m) for m in want]


def test_merged_keeps_curated_prices_first(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """default().merged(litellm) keeps the curated entry for a shared id and adds the rest."""
    lit, _ = sample
    default = llmcost.Registry.default()
    merged = default.merged(lit)
    assert merged.get("gpt-4o") == default.get("gpt-4o")
    assert merged.get("claude-sonnet-4-5", at=date(2026, 1, 1)) == default.get(
        "claude-sonnet-4-5", at=date(2026, 1, 1)
    )
    assert merged.get("dashscope/qwen-max") == lit.get("dashscope/qwen-max")
    added = [m for m in lit if not any(n in default for n in (m, *lit.get(m).aliases))]
    assert added
    assert len(merged) == len(default) + len(added)


def test_merged_keeps_curated_resolution(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Every name the curated registry resolves still resolves to the curated model."""
    lit, _ = sample
    default = llmcost.Registry.default()
    merged = default.merged(lit)
    for name in ("gemini/gemini-2.5-pro", "azure/gpt-4o", "gpt-4o"):
        assert merged.resolve(name) == default.resolve(name), name


def test_mapped_prices_export_to_rows(sample: tuple[llmcost.Registry, list[str]]) -> None:
    """Every mapped litellm entry fits the price rows (and so prices exactly in SQL)."""
    lit, _ = sample
    merged = llmcost.Registry.default().merged(lit)
    rows = price_rows(merged)
    assert {r["model"] for r in rows} == set(merged)
    assert set(merged) - set(llmcost.Registry.default()) <= set(lit)
    assert {r["alias"] for r in alias_rows(lit)} >= {"claude-sonnet-latest", "gpt-4o"}


def test_litellm_doctests() -> None:
    """The docstring examples of llmcost._litellm run and pass."""
    module = importlib.import_module("llmcost._litellm")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --- the whole file, when the litellm wheel (or a copy of its file) is at hand ---------------


def _full_file() -> Path | None:
    env = os.environ.get("LLMCOST_LITELLM_JSON")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("litellm")  # locates the package without importing it
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model_prices_and_context_window_backup.json"
    return path if path.exists() else None


FULL = _full_file()


@pytest.mark.skipif(
    FULL is None,
    reason="the litellm wheel is not installed (pip install --no-deps litellm) and "
    "LLMCOST_LITELLM_JSON is not set",
)
def test_full_litellm_file() -> None:
    """litellm's whole price list maps, reports every skip, and exports to SQL-ready rows."""
    assert FULL is not None
    skipped: list[str] = []
    lit = from_litellm(FULL, skipped=skipped)
    keys = json.loads(FULL.read_text(encoding="utf-8"))
    aliases = {a for m in lit for a in lit.history(m)[-1].aliases}
    assert len(lit) + len(aliases) + len(skipped) == len(keys)
    assert len(lit) > 1_000
    assert all(": " in s for s in skipped)
    merged = llmcost.Registry.default().merged(lit)
    assert len(price_rows(merged)) >= len(merged)
    for model in ("gpt-4o", "claude-sonnet-4-5"):
        assert merged.get(model) == llmcost.Registry.default().get(model)
