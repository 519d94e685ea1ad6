"""The pricing registry: model prices, aliases, dated price periods, and name resolution."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import Any

import attrs

from ._errors import InvalidTypeError, PriceDataError, UnknownModelError
from ._families import EXACT_TOKENIZERS, TOKENIZERS

__all__ = ["EXACT_TOKENIZERS", "on_default_change"]

# Called (without arguments) whenever a new default registry is built, so that caches keyed
# by model name elsewhere (token counters) forget stale entries. A module registers its hook
# once it is fully imported, so a half-imported module is never called (the first-use race).
_DEFAULT_LISTENERS: list[Callable[[], None]] = []


def on_default_change(hook: Callable[[], None]) -> None:
    """Call *hook* whenever the default registry changes (``$LLMCOST_PRICES`` was set)."""
    _DEFAULT_LISTENERS.append(hook)


def to_decimal(value: object, what: str = "price") -> Decimal:
    """Return *value* as a finite, non-negative `Decimal`; floats are refused (they are not exact).

    >>> to_decimal("2.5")
    Decimal('2.5')
    """
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, bool):
        msg = f"{what} must be a Decimal, a decimal string or an int, not a bool"
        raise InvalidTypeError(msg)
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            msg = f"{what} {value!r} is not a decimal number"
            raise PriceDataError(msg) from None
    elif isinstance(value, float):
        msg = (
            f"{what} {value!r} is a float; floats cannot hold money exactly: "
            f"pass Decimal({str(value)!r}) or the string {str(value)!r}"
        )
        raise InvalidTypeError(msg)
    else:
        msg = f"{what} must be a Decimal, a decimal string or an int, not {type(value).__name__}"
        raise InvalidTypeError(msg)
    if not d.is_finite():
        msg = f"{what} {value!r} is not a finite number"
        raise PriceDataError(msg)
    if d < 0:
        msg = f"{what} {value!r} is negative"
        raise PriceDataError(msg)
    return d


_EXACT = Context(prec=60, traps=[Inexact])


def batch_factor(batch: Decimal, full: Decimal) -> Decimal:
    """The exact ratio of a batch rate to its full rate (1 when the full rate is 0).

    `cost()` applies it to the cache and long-context rates of a batch request, and the SQL
    export writes it as a column. A ratio that is not an exact decimal raises
    `decimal.Inexact` (the caller says which model and side).

    >>> batch_factor(Decimal("1.25"), Decimal("2.5"))
    Decimal('0.5')
    """
    if full == 0:
        return Decimal(1)
    return _EXACT.divide(batch, full)


def _opt_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _check_count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{attribute.name} must be a non-negative int, not {value!r}"
        raise PriceDataError(msg)


@attrs.frozen(kw_only=True)
class PriceTier:
    """Long-context rates, applied to the *whole* request when its input exceeds the threshold.

    >>> PriceTier(above_input_tokens=200_000, input_per_mtok="6", output_per_mtok="22.5")
    PriceTier(above_input_tokens=200000, input_per_mtok=Decimal('6'), ...)
    """

    above_input_tokens: int = attrs.field(validator=_check_count)
    input_per_mtok: Decimal = attrs.field(converter=to_decimal)
    output_per_mtok: Decimal = attrs.field(converter=to_decimal)
    cache_read_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    cache_write_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    cache_write_1h_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)


def _to_tiers(value: Iterable[PriceTier]) -> tuple[PriceTier, ...]:
    tiers = tuple(value)
    for t in tiers:
        if not isinstance(t, PriceTier):
            msg = f"tiers must be PriceTier values, not {type(t).__name__}"
            raise InvalidTypeError(msg)
    return tuple(sorted(tiers, key=lambda t: t.above_input_tokens))


def _to_aliases(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _check_tokenizer(_inst: object, _attribute: object, value: str) -> None:
    if value not in TOKENIZERS:
        msg = f"tokenizer {value!r} is not one of {', '.join(sorted(TOKENIZERS))}"
        raise PriceDataError(msg)


def _check_model(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{attribute.name} must be a non-empty string, not {value!r}"
        raise PriceDataError(msg)


@attrs.frozen(kw_only=True)
class ModelPrice:
    """The prices of one model in one period, in USD per million tokens (`None`: no such rate).

    `cache_write_per_mtok` is the default (5-minute) cache write where a vendor has two;
    `tiers` hold long-context rates. `valid_from` / `valid_to` (exclusive) bound the period
    (`None`: open-ended). `tokenizer` names the exact tiktoken encoding or the estimate
    profile that counts this model's text.

    >>> p = ModelPrice(model="my-model", provider="acme", tokenizer="llama",
    ...                input_per_mtok="0.5", output_per_mtok="1.5")
    >>> p.input_per_mtok, p.output_per_mtok
    (Decimal('0.5'), Decimal('1.5'))
    """

    model: str = attrs.field(validator=_check_model)
    provider: str = attrs.field(validator=_check_model)
    input_per_mtok: Decimal = attrs.field(converter=to_decimal)
    output_per_mtok: Decimal = attrs.field(converter=to_decimal)
    tokenizer: str = attrs.field(validator=_check_tokenizer)
    cache_read_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    cache_write_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    cache_write_1h_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    batch_input_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    batch_output_per_mtok: Decimal | None = attrs.field(default=None, converter=_opt_decimal)
    tiers: tuple[PriceTier, ...] = attrs.field(default=(), converter=_to_tiers)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_to_aliases)
    context_window: int | None = attrs.field(default=None, validator=_check_count)
    max_output_tokens: int | None = attrs.field(default=None, validator=_check_count)
    source_url: str = ""
    checked: date | None = None
    note: str = ""
    valid_from: date | None = None
    valid_to: date | None = None

    def tier_for(self, input_tokens: int) -> PriceTier | None:
        """The long-context tier in force for a request of *input_tokens*, if any."""
        found = None
        for tier in self.tiers:
            if input_tokens > tier.above_input_tokens:
                found = tier
        return found


# --- name resolution -------------------------------------------------------------------------

# Prefixes that name the vendor itself: stripped freely.
_VENDOR_PREFIXES = frozenset(
    {
        "openai", "anthropic", "google", "gemini", "vertex_ai", "vertex", "models", "deepseek",
        "deepseek-ai", "mistral", "mistralai", "xai", "x-ai", "meta", "meta-llama", "azure",
        "openrouter", "litellm",
    }
)  # fmt: skip
# Prefixes that name a host selling other vendors' models: they select a host-qualified entry
# (``groq/llama-3.1-70b``); a first-party model under a host prefix is priced at the vendor's
# list price (hosts such as Bedrock list first-party models at the vendor's price).
_HOST_PREFIXES = {
    "groq": "groq",
    "together": "together",
    "together_ai": "together",
    "togetherai": "together",
    "bedrock": "bedrock",
    "aws": "bedrock",
}
_SNAPSHOT = re.compile(r"(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8})|-latest)$")


def _key(name: str) -> str:
    return name.strip().lower()


def _with_periods(history: list[ModelPrice]) -> tuple[ModelPrice, ...]:
    """Sort one model's price periods and fill in each `valid_to` from the next `valid_from`."""
    history.sort(key=lambda p: (p.valid_from is not None, p.valid_from or date.min))
    out = []
    for i, p in enumerate(history):
        nxt = history[i + 1].valid_from if i + 1 < len(history) else None
        if i + 1 < len(history) and nxt is None:
            msg = f"model {p.model!r} has two price periods without a start date"
            raise PriceDataError(msg)
        if nxt is not None and p.valid_from is not None and nxt <= p.valid_from:
            msg = f"model {p.model!r} has two price periods starting {nxt.isoformat()}"
            raise PriceDataError(msg)
        out.append(p if p.valid_to == nxt else attrs.evolve(p, valid_to=nxt))
    return tuple(out)


class Registry:
    """An immutable set of model prices with deterministic name resolution.

    Resolution: the exact canonical id, then an alias, then a normalisation: case-insensitive;
    vendor prefixes (``openai/``, ``anthropic/``, ``gemini/`` ...) dropped; host prefixes
    (``groq/``, ``together/``, ``bedrock/``) select that host's entry; a dated snapshot suffix
    (``-2024-08-06``, ``-20250929``, ``@20241022``) or ``-latest`` falls back to the undated model
    only when the snapshot itself is not listed. Never a bare prefix match. A bare name that
    several hosts sell raises `UnknownModelError` listing the host-qualified names.

    >>> reg = Registry.default()
    >>> reg.get("openai/GPT-4o-2024-08-06").model
    'gpt-4o'
    >>> "gpt-4o-mini" in reg, "gpt-4o-mini-foo" in reg
    (True, False)
    """

    __slots__ = ("_as_of", "_by_model", "_hosted", "_index", "_resolved")

    def __init__(self, prices: Iterable[ModelPrice] = ()) -> None:
        groups: dict[str, list[ModelPrice]] = {}
        for p in prices:
            if not isinstance(p, ModelPrice):
                msg = f"a Registry holds ModelPrice values, not {type(p).__name__}"
                raise InvalidTypeError(msg)
            groups.setdefault(p.model, []).append(p)
        by_model: dict[str, tuple[ModelPrice, ...]] = {}
        index: dict[str, str] = {}
        hosted: dict[str, list[str]] = {}
        for model in sorted(groups):
            history = _with_periods(groups[model])
            by_model[model] = history
            names = {model}
            for p in history:
                names.update(p.aliases)
            for name in sorted(names):
                key = _key(name)
                owner = index.get(key)
                if owner is not None and owner != model:
                    msg = f"name {name!r} of model {model!r} collides with model {owner!r}"
                    raise PriceDataError(msg)
                index[key] = model
            host, _, base = _key(model).partition("/")
            if base and host in _HOST_PREFIXES.values():
                hosted.setdefault(base, []).append(model)
        self._by_model = by_model
        self._index = index
        self._hosted = hosted
        self._resolved: dict[str, str] = {}
        checked = [p.checked for h in by_model.values() for p in h if p.checked is not None]
        self._as_of = max(checked) if checked else None

    # --- construction ---

    @classmethod
    def default(cls) -> Registry:
        """The shipped prices (parsed once, then cached), extended by ``$LLMCOST_PRICES`` if set.

        >>> Registry.default().get("gpt-4o").input_per_mtok
        Decimal('2.5')
        """
        extra = _env_prices()
        reg = _DEFAULTS.get(extra)
        if reg is None:
            with _DEFAULTS_LOCK:
                reg = _DEFAULTS.get(extra)
                if reg is None:
                    reg = _shipped()
                    if extra:
                        reg = reg.with_prices(*cls.from_file(extra).prices())
                    _DEFAULTS[extra] = reg
                    for hook in tuple(_DEFAULT_LISTENERS):
                        hook()
        return reg

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Registry:
        """A registry from a JSON price file in the shipped schema (see ``data/prices.json``)."""
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            msg = f"{name}: cannot read the price file: {e.strerror or e}"
            raise PriceDataError(msg) from None
        prices = parse_price_file(text, name)
        try:
            return cls(prices)
        except PriceDataError as e:
            msg = f"{name}: {e}"
            raise PriceDataError(msg) from None

    @classmethod
    def from_litellm(
        cls, path: str | os.PathLike[str], *, skipped: list[str] | None = None
    ) -> Registry:
        """The chat models of a litellm ``model_prices_and_context_window.json`` file.

        Per-token prices become exact Decimals per million through their decimal text. Each
        entry that cannot be mapped faithfully is left out and, when *skipped* is a list,
        reported there as ``"name: reason"``. Combine with the curated prices with
        ``Registry.default().merged(Registry.from_litellm(path))``.
        """
        from ._litellm import from_litellm

        return from_litellm(path, skipped=skipped)

    def with_prices(self, *prices: ModelPrice) -> Registry:
        """A new registry where these prices win: each model given replaces its whole history.

        >>> reg = Registry.default().with_prices(ModelPrice(
        ...     model="gpt-4o", provider="openai", tokenizer="o200k_base",
        ...     input_per_mtok="2", output_per_mtok="8"))
        >>> reg.get("gpt-4o").input_per_mtok
        Decimal('2')
        """
        replaced = {p.model for p in prices}
        kept = [p for p in self.prices() if p.model not in replaced]
        return Registry([*kept, *(attrs.evolve(p, valid_to=None) for p in prices)])

    def merged(self, other: Registry) -> Registry:
        """A new registry with this registry's models first and *other*'s models added after.

        Models this registry already has are kept: a model of *other* is added only when none
        of its names already resolves here (``gemini/gemini-2.5-pro`` resolves to the curated
        ``gemini-2.5-pro``, so litellm's entry of that name is left out).
        """
        extra: list[ModelPrice] = []
        for model, history in other._by_model.items():
            names = {model, *(a for p in history for a in p.aliases)}
            if any(name in self for name in names):
                continue
            extra.extend(history)
        return Registry([*self.prices(), *extra])

    def prices(self) -> list[ModelPrice]:
        """Every price period of every model, model by model, oldest period first.

        Layer one registry's prices over another with ``a.with_prices(*b.prices())``.

        >>> len(Registry.default().prices()) >= len(Registry.default())
        True
        """
        return [p for history in self._by_model.values() for p in history]

    # --- lookup ---

    def resolve(self, model: str) -> str:
        """The canonical id that *model* names; raises `UnknownModelError` with suggestions.

        >>> Registry.default().resolve("anthropic/claude-sonnet-4-5-20250929")
        'claude-sonnet-4-5'
        """
        found = self._resolved.get(model)
        if found is not None:
            return found
        if not isinstance(model, str):
            msg = f"model must be a str, not {type(model).__name__}"
            raise InvalidTypeError(msg)
        found = self._find(_key(model))
        if found is None:
            raise UnknownModelError(model, self.suggest(model))
        if len(self._resolved) < 4096:
            self._resolved[model] = found
        return found

    def _find(self, key: str) -> str | None:
        hit = self._lookup(key)
        if hit is not None:
            return hit
        stripped = _SNAPSHOT.sub("", key)
        if stripped != key and stripped:
            return self._find(stripped)
        return None

    def _lookup(self, key: str) -> str | None:
        hit = self._index.get(key)
        if hit is not None:
            return hit
        prefix, sep, rest = key.partition("/")
        if sep and rest:
            if prefix in _VENDOR_PREFIXES:
                return self._find(rest)
            host = _HOST_PREFIXES.get(prefix)
            if host is not None:
                return self._lookup_host(host, rest)
            return None
        hosts = self._hosted.get(key)
        if hosts is None:
            return None
        if len(hosts) > 1:
            raise UnknownModelError(
                key,
                sorted(hosts),
                reason=f"model {key!r} is sold by several hosts; name one",
            )
        return hosts[0]

    def _lookup_host(self, host: str, rest: str) -> str | None:
        """``host/name``: the host's own entry for *name*, else the vendor's first-party model."""
        hit = self._index.get(f"{host}/{rest}")
        if hit is not None:
            return hit
        prefix, sep, tail = rest.partition("/")
        if sep and prefix in _VENDOR_PREFIXES:
            return self._lookup_host(host, tail)
        stripped = _SNAPSHOT.sub("", rest)
        if stripped != rest and stripped:
            return self._lookup_host(host, stripped)
        if rest in self._hosted:
            return None  # other hosts sell it; this one does not
        try:
            found = self._find(rest)
        except UnknownModelError:
            return None
        # Only a first-party model (no host in its id) may stand in for the host's offer.
        return found if found is not None and "/" not in found else None

    def suggest(self, model: str, n: int = 3) -> list[str]:
        """Up to *n* canonical ids close to *model* (for error messages)."""
        import difflib  # only on the error path

        key = _key(str(model))
        out: list[str] = []
        for name in difflib.get_close_matches(key, list(self._index), n=n * 3, cutoff=0.6):
            canonical = self._index[name]
            if canonical not in out:
                out.append(canonical)
        return out[:n]

    def get(self, model: str, *, at: date | None = None) -> ModelPrice:
        """The prices of *model* in force on *at* (default: today).

        >>> Registry.default().get("o3", at=date(2025, 1, 1)).input_per_mtok
        Decimal('10')
        """
        history = self._by_model[self.resolve(model)]
        when = date.today() if at is None else at
        if not isinstance(when, date):
            msg = f"at must be a datetime.date, not {type(at).__name__}"
            raise InvalidTypeError(msg)
        for p in reversed(history):
            if p.valid_from is None or p.valid_from <= when:
                return p
        return history[0]

    def history(self, model: str) -> tuple[ModelPrice, ...]:
        """Every price period of *model*, oldest first."""
        return self._by_model[self.resolve(model)]

    def models(self, provider: str | None = None) -> list[str]:
        """Canonical ids, sorted; only *provider*'s when given."""
        if provider is None:
            return list(self._by_model)
        want = provider.strip().lower()
        return [m for m, h in self._by_model.items() if h[-1].provider == want]

    def providers(self) -> list[str]:
        """The providers that have at least one model, sorted."""
        return sorted({h[-1].provider for h in self._by_model.values()})

    @property
    def as_of(self) -> date | None:
        """The newest `checked` date of any entry: how fresh these prices are."""
        return self._as_of

    def __contains__(self, model: object) -> bool:
        if not isinstance(model, str):
            return False
        try:
            self.resolve(model)
        except UnknownModelError:
            return False
        return True

    def __len__(self) -> int:
        return len(self._by_model)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_model)

    def __repr__(self) -> str:
        as_of = self._as_of.isoformat() if self._as_of else None
        return f"<Registry of {len(self)} models, as of {as_of}>"


_DEFAULTS: dict[str, Registry] = {}
# os.environ.get() of a missing key costs about 0.8 us (it raises and catches KeyError); the
# mapping behind os.environ answers in 40 ns. Read it where it exists, else the public way.
_ENV_DATA = getattr(os.environ, "_data", None)
try:
    _ENV_KEY: object = os.environ.encodekey("LLMCOST_PRICES")
except AttributeError:  # pragma: no cover - not CPython's os._Environ
    _ENV_DATA = None


def _env_prices() -> str:
    """The value of $LLMCOST_PRICES, or "" when unset."""
    if isinstance(_ENV_DATA, dict) and _ENV_DATA.get(_ENV_KEY) is None:
        return ""
    return os.environ.get("LLMCOST_PRICES") or ""


_DEFAULTS_LOCK = threading.Lock()


def _shipped() -> Registry:
    # A plain open() next to this module: importlib.resources costs more to import than the
    # whole parse. The fallback serves installs where the package is not on a file system.
    path = os.path.join(os.path.dirname(__file__), "data", "prices.json")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        from importlib.resources import files

        text = (files("llmcost") / "data" / "prices.json").read_text(encoding="utf-8")
    return Registry(parse_price_file(text, "llmcost/data/prices.json"))


def get_price(
    model: str, *, at: date | None = None, registry: Registry | None = None
) -> ModelPrice:
    """The prices of *model* in force on *at* (default: today), from *registry* or the default.

    >>> p = get_price("gpt-4o")
    >>> p.model, p.input_per_mtok, p.output_per_mtok
    ('gpt-4o', Decimal('2.5'), Decimal('10'))
    """
    return (Registry.default() if registry is None else registry).get(model, at=at)


def list_models(provider: str | None = None, *, registry: Registry | None = None) -> list[str]:
    """Canonical model ids, sorted; only *provider*'s when given.

    >>> "claude-sonnet-4-5" in list_models(provider="anthropic")
    True
    """
    return (Registry.default() if registry is None else registry).models(provider)


# --- the price file --------------------------------------------------------------------------

RATE_FIELDS = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "cache_write_1h_per_mtok",
    "batch_input_per_mtok",
    "batch_output_per_mtok",
)
TIER_FIELDS = RATE_FIELDS[:5]
_ENTRY_KEYS = frozenset(
    {
        "model", "provider", "aliases", "tokenizer", "context_window", "max_output_tokens",
        "source_url", "checked", "note", "prices",
    }
)  # fmt: skip
_PERIOD_KEYS = frozenset({"from", "tiers", *RATE_FIELDS})
_TIER_KEYS = frozenset({"above_input_tokens", *TIER_FIELDS})


class _Where:
    """Builds PriceDataError messages that name the file, the entry and the field."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.entry = ""

    def error(self, field: str, problem: str) -> PriceDataError:
        where = self.file
        if self.entry:
            where += f": entry {self.entry}"
        if field:
            where += f": field {field!r}"
        return PriceDataError(f"{where}: {problem}")


def _rate(where: _Where, field: str, raw: object) -> Decimal:
    if not isinstance(raw, str):
        kind = "a number" if isinstance(raw, (int, Decimal)) else type(raw).__name__
        raise where.error(field, f'expected a decimal string such as "2.5", got {kind} {raw!r}')
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise where.error(field, f"{raw!r} is not a decimal number") from None
    if not value.is_finite() or value < 0:
        raise where.error(field, f"{raw!r} must be a finite, non-negative price")
    return value


def _date(where: _Where, field: str, raw: object) -> date:
    if not isinstance(raw, str):
        raise where.error(field, f"expected an ISO date string, got {raw!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise where.error(field, f"{raw!r} is not an ISO date (YYYY-MM-DD)") from None


def _int_or_none(where: _Where, field: str, raw: object) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise where.error(field, f"expected a non-negative integer, got {raw!r}")
    return raw


def _str(where: _Where, field: str, raw: object, *, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or (required and not raw.strip()):
        raise where.error(field, f"expected a non-empty string, got {raw!r}")
    return raw


def _unknown_keys(where: _Where, obj: Mapping[str, object], allowed: frozenset[str]) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise where.error(extra[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")


def parse_price_file(text: str, file: str = "<prices>") -> list[ModelPrice]:
    """Parse and validate a JSON price file; every error names the file, entry and field."""
    where = _Where(file)
    try:
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        msg = f"{file}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        raise PriceDataError(msg) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise where.error("models", "the file must be an object with a list under 'models'")
    version = doc.get("schema_version", 1)
    if version != 1:
        raise where.error("schema_version", f"unsupported schema version {version!r}")
    out: list[ModelPrice] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc["models"]):
        where.entry = f"#{i}"
        if not isinstance(entry, dict):
            raise where.error("", "each entry must be an object")
        model = _str(where, "model", entry.get("model"))
        where.entry = f"#{i} ({model!r})"
        if _key(model) in seen:
            raise where.error("model", "duplicate model id")
        seen.add(_key(model))
        out.extend(_parse_entry(where, entry, model))
    return out


def _parse_entry(where: _Where, entry: dict[str, Any], model: str) -> list[ModelPrice]:
    _unknown_keys(where, entry, _ENTRY_KEYS)
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise where.error("aliases", "expected a list of non-empty strings")
    if len({_key(a) for a in aliases} | {_key(model)}) != len(aliases) + 1:
        raise where.error("aliases", "an alias repeats another alias or the model id")
    tokenizer = _str(where, "tokenizer", entry.get("tokenizer"))
    if tokenizer not in TOKENIZERS:
        raise where.error("tokenizer", f"{tokenizer!r} is not one of {sorted(TOKENIZERS)}")
    source_url = _str(where, "source_url", entry.get("source_url"), required=False)
    if source_url and not source_url.startswith("https://"):
        raise where.error("source_url", f"{source_url!r} is not an https URL")
    checked = entry.get("checked")
    common: dict[str, Any] = {
        "model": model,
        "provider": _str(where, "provider", entry.get("provider")).lower(),
        "tokenizer": tokenizer,
        "aliases": tuple(aliases),
        "context_window": _int_or_none(where, "context_window", entry.get("context_window")),
        "max_output_tokens": _int_or_none(
            where, "max_output_tokens", entry.get("max_output_tokens")
        ),
        "source_url": source_url,
        "checked": None if checked is None else _date(where, "checked", checked),
        "note": _str(where, "note", entry.get("note"), required=False),
    }
    periods = entry.get("prices")
    if not isinstance(periods, list) or not periods:
        raise where.error("prices", "expected a non-empty list of price periods")
    out = []
    for j, period in enumerate(periods):
        if not isinstance(period, dict):
            raise where.error(f"prices[{j}]", "each price period must be an object")
        _unknown_keys(where, period, _PERIOD_KEYS)
        rates: dict[str, Any] = {}
        for field in RATE_FIELDS:
            raw = period.get(field)
            if raw is None:
                if field in ("input_per_mtok", "output_per_mtok"):
                    raise where.error(f"prices[{j}].{field}", "missing (a required price)")
                continue
            rates[field] = _rate(where, f"prices[{j}].{field}", raw)
        start = period.get("from")
        valid_from = None if start is None else _date(where, f"prices[{j}].from", start)
        tiers = []
        raw_tiers = period.get("tiers", [])
        if not isinstance(raw_tiers, list):
            raise where.error(f"prices[{j}].tiers", "expected a list of tiers")
        for k, tier in enumerate(raw_tiers):
            field = f"prices[{j}].tiers[{k}]"
            if not isinstance(tier, dict):
                raise where.error(field, "each tier must be an object")
            _unknown_keys(where, tier, _TIER_KEYS)
            above = _int_or_none(
                where, f"{field}.above_input_tokens", tier.get("above_input_tokens")
            )
            if above is None:
                raise where.error(f"{field}.above_input_tokens", "missing")
            tier_rates = {}
            for name in TIER_FIELDS:
                if tier.get(name) is not None:
                    tier_rates[name] = _rate(where, f"{field}.{name}", tier[name])
            for name in ("input_per_mtok", "output_per_mtok"):
                if name not in tier_rates:
                    raise where.error(f"{field}.{name}", "missing (a required price)")
            tiers.append(PriceTier(above_input_tokens=above, **tier_rates))
        zero = [f for f, v in rates.items() if v == 0]
        if zero and not common["note"]:
            raise where.error(
                f"prices[{j}].{zero[0]}",
                "a price of exactly 0 needs a note saying the vendor really charges nothing",
            )
        out.append(ModelPrice(**common, **rates, tiers=tiers, valid_from=valid_from))
    try:
        _with_periods(out)
    except PriceDataError as e:
        raise where.error("prices", str(e)) from None
    return out


def _decimal_str(d: Decimal) -> str:
    """A plain decimal string (no exponent), as the price file writes prices."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _rates_of(obj: ModelPrice | PriceTier, fields: Iterable[str]) -> dict[str, str]:
    return {f: _decimal_str(v) for f in fields if (v := getattr(obj, f)) is not None}


def price_file_entry(history: Iterable[ModelPrice]) -> dict[str, Any]:
    """One model's history as a price-file entry (the inverse of the parser)."""
    periods = list(history)
    last = periods[-1]
    entry: dict[str, Any] = {"model": last.model, "provider": last.provider}
    if last.aliases:
        entry["aliases"] = list(last.aliases)
    entry["tokenizer"] = last.tokenizer
    entry["context_window"] = last.context_window
    entry["max_output_tokens"] = last.max_output_tokens
    if last.source_url:
        entry["source_url"] = last.source_url
    if last.checked:
        entry["checked"] = last.checked.isoformat()
    if last.note:
        entry["note"] = last.note
    entry["prices"] = []
    for p in periods:
        period: dict[str, Any] = {"from": p.valid_from.isoformat() if p.valid_from else None}
        period.update(_rates_of(p, RATE_FIELDS))
        if p.tiers:
            period["tiers"] = [
                {"above_input_tokens": t.above_input_tokens} | _rates_of(t, TIER_FIELDS)
                for t in p.tiers
            ]
        entry["prices"].append(period)
    return entry
