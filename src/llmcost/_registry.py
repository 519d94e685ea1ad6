"""The pricing registry: model prices by canonical id, their history, and name resolution."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

import attrs

from ._errors import InvalidTypeError, PriceDataError, UnknownModelError
from ._families import EXACT_TOKENIZERS, TOKENIZERS
from ._names import HOSTS, MAX_NAME, candidates, normalise
from ._prices import ModelPrice, to_instant, with_periods
from ._when import ambiguous_day, instant_of, now, on_or_after, within_day

__all__ = [
    "EXACT_TOKENIZERS",
    "TOKENIZERS",
    "ModelPrice",
    "Registry",
    "get_price",
    "list_models",
    "on_default_change",
]

# Called (without arguments) whenever a new default registry is built, so that caches keyed
# by model name elsewhere (token counters) forget stale entries. A module registers its hook
# once it is fully imported, so a half-imported module is never called (the first-use race).
_DEFAULT_LISTENERS: list[Callable[[], None]] = []


def on_default_change(hook: Callable[[], None]) -> None:
    """Call *hook* whenever the default registry changes (``$LLMCOST_PRICES`` was set)."""
    _DEFAULT_LISTENERS.append(hook)


@attrs.frozen
class _Meta:
    """What listing and resolving a model needs, known before its prices are built."""

    provider: str
    kind: str
    retired_at: datetime | None
    checked: date | None
    names: set[str] = attrs.field(eq=False)


class Registry:
    """An immutable set of model prices with deterministic name resolution.

    Resolution: the exact canonical id, an alias or a display name, then the documented
    normalisations of `llmcost._names` (case and spaces; vendor prefixes such as ``openai/``;
    host prefixes such as ``groq/`` and AWS Bedrock ids, which select that host's entry; dated
    snapshot suffixes, which fall back to the undated model only when the snapshot itself is
    not listed; dotted versions; Claude's two word orders). Never a bare prefix match. A bare
    name that several hosts sell raises `UnknownModelError` listing the host-qualified names.

    >>> reg = Registry.default()
    >>> reg.get("openai/GPT-4o-2024-08-06").model
    'gpt-4o'
    >>> "gpt-4o-mini" in reg, "gpt-4o-mini-foo" in reg
    (True, False)
    """

    __slots__ = (
        "_as_of", "_by_model", "_hosted", "_index", "_lock", "_meta", "_raw", "_resolved",
    )  # fmt: skip

    def __init__(self, prices: Iterable[ModelPrice] = ()) -> None:
        groups: dict[str, list[ModelPrice]] = {}
        if not isinstance(prices, Iterable) or isinstance(prices, (str, bytes)):
            msg = f"a Registry takes an iterable of ModelPrice values, not {type(prices).__name__}"
            raise InvalidTypeError(msg)
        for p in prices:
            if not isinstance(p, ModelPrice):
                msg = f"a Registry holds ModelPrice values, not {type(p).__name__}"
                raise InvalidTypeError(msg)
            groups.setdefault(p.model, []).append(p)
        by_model = {model: with_periods(groups[model]) for model in sorted(groups)}
        meta = {}
        for model, history in by_model.items():
            names = {model}
            for p in history:
                names.update(p.aliases)
                if p.display_name:
                    names.add(p.display_name)
            last = history[-1]
            checked = [p.checked for p in history if p.checked is not None]
            meta[model] = _Meta(
                last.provider, last.kind, last.retired_at, max(checked, default=None), names
            )
        self._setup(by_model, meta, {})

    def _setup(
        self,
        by_model: dict[str, tuple[ModelPrice, ...]],
        meta: dict[str, _Meta],
        raw: dict[str, tuple[dict[str, Any], int, str, int]],
    ) -> None:
        index: dict[str, str] = {}
        hosted: dict[str, list[str]] = {}
        for model in sorted(meta):
            for name in sorted(meta[model].names):
                key = normalise(name)
                owner = index.get(key)
                if owner is not None and owner != model:
                    msg = f"name {name!r} of model {model!r} collides with model {owner!r}"
                    raise PriceDataError(msg)
                index[key] = model
            host, _, base = normalise(model).partition("/")
            if base and host in HOSTS:
                hosted.setdefault(base, []).append(model)
        self._by_model = by_model
        self._meta = dict(sorted(meta.items()))
        self._raw = raw
        self._lock = threading.Lock()
        self._index = index
        self._hosted = hosted
        self._resolved: dict[str, str] = {}
        checked = [m.checked for m in meta.values() if m.checked is not None]
        self._as_of = max(checked) if checked else None

    @classmethod
    def _from_text(cls, text: str, file: str) -> Registry:
        """The registry of a price file whose entries are parsed on first use (the shipped
        file: its 321 entries would take 25 ms to build, and a process often prices a few)."""
        from ._pricefile import price_file_entries  # the parser (and json) on first use: 3 ms

        version, entries = price_file_entries(text, file)
        meta: dict[str, _Meta] = {}
        raw: dict[str, tuple[dict[str, Any], int, str, int]] = {}
        for i, entry in enumerate(entries):
            model = entry["model"]
            names = {model, *entry.get("aliases", ())}
            if entry.get("display_name"):
                names.add(entry["display_name"])
            retired = entry.get("retired")
            checked = entry.get("checked")
            meta[model] = _Meta(
                str(entry.get("provider", "")).lower(),
                str(entry.get("kind", "chat")),
                None if retired is None else to_instant(retired, "retired"),
                None if checked is None else date.fromisoformat(checked),
                names,
            )
            raw[model] = (entry, version, file, i)
        reg = cls.__new__(cls)
        reg._setup({}, meta, raw)
        return reg

    def _history(self, model: str) -> tuple[ModelPrice, ...]:
        """The price periods of canonical id *model*, built from the file on first use."""
        found = self._by_model.get(model)
        if found is None:
            with self._lock:
                found = self._by_model.get(model)
                if found is None:
                    from ._pricefile import parse_entry

                    entry, version, file, i = self._raw[model]
                    found = with_periods(parse_entry(entry, version, file, i))
                    self._by_model[model] = found
        return found

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
                        try:
                            reg = reg.with_prices(*cls.from_file(extra).prices())
                        except PriceDataError as e:
                            msg = f"$LLMCOST_PRICES={extra!r}: {e}"
                            raise PriceDataError(msg) from None
                    _DEFAULTS[extra] = reg
                    for hook in tuple(_DEFAULT_LISTENERS):
                        hook()
        return reg

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Registry:
        """A registry from a JSON price file in the shipped schema (see ``data/prices.json``).

        Files written for llmcost 0.1 (schema 1) are read too.
        """
        from ._pricefile import parse_price_file, read_text

        name, text = read_text(path)
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
        """The chat and embedding models of a litellm ``model_prices_and_context_window.json``.

        Per-token prices become exact Decimals per million through their decimal text. Each
        entry that cannot be mapped faithfully is left out and, when *skipped* is a list,
        reported there as ``"name: reason"``. Combine with the curated prices with
        ``Registry.default().merged(Registry.from_litellm(path))``.
        """
        from ._litellm import from_litellm  # the reader sits above the registry (no cycle)

        return from_litellm(path, skipped=skipped)

    def with_prices(self, *prices: ModelPrice) -> Registry:
        """A new registry where these prices win: each model given replaces its whole history.

        >>> reg = Registry.default().with_prices(ModelPrice(
        ...     model="gpt-4o", provider="openai", tokenizer="o200k_base",
        ...     input_per_mtok="2", output_per_mtok="8"))
        >>> reg.get("gpt-4o").input_per_mtok
        Decimal('2')
        """
        for p in prices:
            if not isinstance(p, ModelPrice):
                msg = f"with_prices takes ModelPrice values, not {type(p).__name__}"
                raise InvalidTypeError(msg)
        replaced = {p.model for p in prices}
        kept = [p for p in self.prices() if p.model not in replaced]
        return Registry([*kept, *(attrs.evolve(p, valid_to=None) for p in prices)])

    def merged(self, other: Registry) -> Registry:
        """A new registry with this registry's models first and *other*'s models added after.

        Models this registry already has are kept: a model of *other* is added only when none
        of its names already resolves here (``gemini/gemini-2.5-pro`` resolves to the curated
        ``gemini-2.5-pro``, so litellm's entry of that name is left out).
        """
        if not isinstance(other, Registry):
            msg = f"merged takes a Registry, not {type(other).__name__}"
            raise InvalidTypeError(msg)
        extra: list[ModelPrice] = []
        for model, meta in other._meta.items():
            if any(name in self for name in meta.names):
                continue
            extra.extend(other._history(model))
        return Registry([*self.prices(), *extra])

    def prices(self) -> list[ModelPrice]:
        """Every price period of every model, model by model, oldest period first.

        Layer one registry's prices over another with ``a.with_prices(*b.prices())``.

        >>> len(Registry.default().prices()) >= len(Registry.default())
        True
        """
        return [p for model in self._meta for p in self._history(model)]

    # --- lookup ---

    def resolve(self, model: str) -> str:
        """The canonical id that *model* names; raises `UnknownModelError` with suggestions.

        >>> Registry.default().resolve("anthropic/claude-sonnet-4-5-20250929")
        'claude-sonnet-4-5'
        """
        try:
            found = self._resolved.get(model)
        except TypeError:  # unhashable: certainly not a name
            found = None
        if found is not None:
            return found
        if not isinstance(model, str):
            msg = f"model must be a str, not {type(model).__name__}"
            raise InvalidTypeError(msg)
        found = self._find(normalise(model)) if len(model) <= MAX_NAME * 2 else None
        if found is None:
            raise UnknownModelError(model, self.suggest(model))
        if len(self._resolved) < 4096:
            self._resolved[model] = found
        return found

    def _find(self, key: str) -> str | None:
        cands = candidates(key)
        index = self._index
        for host, k in cands:
            hit = index.get(k if host is None else f"{host}/{k}")
            if hit is not None:
                return hit
        # A host-qualified name the host has no entry for: the vendor's own (first-party)
        # model stands in (hosts such as Bedrock list most first-party models at list price).
        for host, k in cands:
            if host is not None:
                hit = index.get(k)
                if hit is not None and "/" not in hit:
                    return hit
        for host, k in cands:
            hosts = self._hosted.get(k) if host is None else None
            if hosts:
                if len(hosts) > 1:
                    raise UnknownModelError(
                        k, sorted(hosts), reason=f"model {k!r} is sold by several hosts; name one"
                    )
                return hosts[0]
        return None

    def suggest(self, model: str, n: int = 3) -> list[str]:
        """Up to *n* canonical ids close to *model* (for error messages)."""
        import difflib  # only on the error path

        if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= 100:
            msg = f"n must be an int from 1 to 100, not {n!r:.40}"
            raise InvalidTypeError(msg)
        if not isinstance(model, str):
            msg = f"model must be a str, not {type(model).__name__}"
            raise InvalidTypeError(msg)
        key = normalise(model[:MAX_NAME])
        out: list[str] = []
        for name in difflib.get_close_matches(key, list(self._index), n=n * 3, cutoff=0.6):
            canonical = self._index[name]
            if canonical not in out:
                out.append(canonical)
        return out[:n]

    def get(self, model: str, *, at: date | datetime | None = None) -> ModelPrice:
        """The prices of *model* in force at *at*: a `datetime` (naive means UTC), a UTC
        `date`, or now. A retired model's last prices are returned (pricing a request after
        the retirement raises, see `cost`).

        >>> Registry.default().get("o3", at=date(2025, 1, 1)).input_per_mtok
        Decimal('10')
        """
        history = self._history(self.resolve(model))
        when = now() if at is None else instant_of(at)
        return period_at(history, when)

    def history(self, model: str) -> tuple[ModelPrice, ...]:
        """Every price period of *model*, oldest first."""
        return self._history(self.resolve(model))

    def models(self, provider: str | None = None, *, include_retired: bool = False) -> list[str]:
        """Canonical ids, sorted; only *provider*'s when given; retired models only if asked."""
        if provider is not None and not isinstance(provider, str):
            msg = f"provider must be a str, not {type(provider).__name__}"
            raise InvalidTypeError(msg)
        want = None if provider is None else provider.strip().lower()
        t = now()
        return [
            m
            for m, meta in self._meta.items()
            if (want is None or meta.provider == want)
            and (include_retired or meta.retired_at is None or t < meta.retired_at)
        ]

    def providers(self) -> list[str]:
        """The providers that have at least one model, sorted."""
        return sorted({meta.provider for meta in self._meta.values()})

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
        return len(self._meta)

    def __iter__(self) -> Iterator[str]:
        return iter(self._meta)

    def __repr__(self) -> str:
        as_of = self._as_of.isoformat() if self._as_of else None
        return f"<Registry of {len(self)} models, as of {as_of}>"


def period_at(history: tuple[ModelPrice, ...], when: datetime | date) -> ModelPrice:
    """The period of *history* in force at *when*; a bare date inside a change is refused."""
    if not isinstance(when, datetime):
        for p in history:
            if within_day(p.valid_from, when):
                raise ambiguous_day(p.model, when, f"a new price starts at {p.valid_from}")
    for p in reversed(history):
        if p.valid_from is None or on_or_after(when, p.valid_from):
            return p
    return history[0]


_DEFAULTS: dict[str, Registry] = {}
# os.environ.get() of a missing key costs about 0.8 us (it raises and catches KeyError); the
# mapping behind os.environ answers in 40 ns, and cost() reads it on every call.
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
    return Registry._from_text(text, "llmcost/data/prices.json")


def registry_or_default(registry: object) -> Registry:
    """*registry*, or the default one when it is None; anything else is an `InvalidTypeError`."""
    if registry is None:
        return Registry.default()
    if not isinstance(registry, Registry):
        msg = f"registry must be a Registry, not {type(registry).__name__}"
        raise InvalidTypeError(msg)
    return registry


def get_price(
    model: str, *, at: date | datetime | None = None, registry: Registry | None = None
) -> ModelPrice:
    """The prices of *model* in force at *at* (default: now), from *registry* or the default.

    >>> p = get_price("gpt-4o")
    >>> p.model, p.input_per_mtok, p.output_per_mtok
    ('gpt-4o', Decimal('2.5'), Decimal('10'))
    """
    return registry_or_default(registry).get(model, at=at)


def list_models(
    provider: str | None = None, *, include_retired: bool = False, registry: Registry | None = None
) -> list[str]:
    """Canonical model ids, sorted; only *provider*'s when given; retired ones only if asked.

    >>> "claude-sonnet-4-6" in list_models(provider="anthropic")
    True
    """
    return registry_or_default(registry).models(provider, include_retired=include_retired)
