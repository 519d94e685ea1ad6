"""What every response reader shares: field access for any object, counted blocks, `Reading`.

A response reaches llmcost as parsed JSON (dicts), as an SDK object (pydantic models, plain
attribute objects, protobuf messages) or as an SDK's ``to_dict()`` form. `fields()` lists
the present, non-null fields of any of them and `get()` reads one, so every reader sees the
same thing whatever the form, and no SDK is ever imported.

A `Block` wraps one usage block (and its nested detail objects): each count is validated as
it is read (a non-negative int, never a bool, a float or a string), and the fields a reader
did not read are reported by `Block.finish` as an `UnknownUsageFieldWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from enum import Enum

import attrs

from ._errors import InvalidUsageError, LLMCostError
from ._money import MAX_COUNT
from ._usage import Usage


class UnknownUsageFieldWarning(LLMCostError, UserWarning):
    """A usage field that llmcost's response readers do not know, so it was not priced.

    Providers add fields to their usage blocks often (timings, new cache or tool counts), and
    most are informational, so an unknown field is reported rather than refused: the cost still
    prices every field llmcost knows. Only fields with a value (not null, zero, false or empty)
    are reported. It is an `LLMCostError` too, so where warnings are errors it is caught with
    the others. To refuse such responses::

        warnings.filterwarnings("error", category=llmcost.UnknownUsageFieldWarning)

    >>> import warnings, llmcost
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     _ = llmcost.usage_from_response({"object": "chat.completion", "model": "gpt-4o",
    ...         "usage": {"prompt_tokens": 10, "completion_tokens": 2, "sparkle_tokens": 7}})
    >>> print(seen[0].message)
    OpenAI Chat Completions usage field 'usage.sparkle_tokens' (7) is unknown to llmcost ...
    """


MISSING: object = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
_HIDDEN = frozenset({"model_config", "model_fields", "model_computed_fields"})


def value_of(v: object) -> object:
    """An enum member as its value (google-genai's modalities and traffic types)."""
    return v.value if isinstance(v, Enum) else v


def get(obj: object, name: str) -> object:
    """``obj[name]`` for a mapping, ``obj.name`` for an object; `MISSING` when absent."""
    if type(obj) is dict or isinstance(obj, Mapping):  # parsed JSON first: the common case
        return obj.get(name, MISSING)
    if obj is None or name.startswith("_"):
        return MISSING
    try:
        return getattr(obj, name, MISSING)
    except Exception:  # a property of a foreign object that fails: the field is absent
        return MISSING


def pick(obj: object, *names: str) -> object:
    """The first of the fields *names* (spellings of one field) that has a value, else None."""
    for name in names:
        v = get(obj, name)
        if v is not MISSING and v is not None:
            return v
    return None


def text(obj: object, name: str) -> str | None:
    """A string field (enums as their value), or None when absent; other types are refused."""
    v = value_of(get(obj, name))
    if v is MISSING or v is None:
        return None
    if not isinstance(v, str) or len(v) > 200:
        msg = f"response field {name!r} must be a string, got {v!r:.60}"
        raise InvalidUsageError(msg)
    return v


def fields(obj: object) -> dict[str, object]:
    """The present, non-null fields of a mapping, SDK object or protobuf message, by name."""
    if type(obj) is dict or isinstance(obj, Mapping):
        return {k if isinstance(k, str) else repr(k): v for k, v in obj.items() if v is not None}
    cls = type(obj)
    names: Iterable[str]
    model_fields = getattr(cls, "model_fields", None)  # pydantic v2
    if isinstance(model_fields, Mapping):
        extra = getattr(obj, "model_extra", None) or {}
        names = [*model_fields, *extra]
    elif callable(getattr(obj, "ListFields", None)) and hasattr(obj, "DESCRIPTOR"):  # protobuf
        names = [f.name for f, _ in obj.ListFields()]  # type: ignore[attr-defined]
    elif hasattr(obj, "__dict__"):
        names = list(vars(obj))
    else:
        return {}
    out = {}
    for n in names:
        if n.startswith("_") or n in _HIDDEN:
            continue
        v = get(obj, n)
        if v is not MISSING and v is not None:
            out[n] = v
    return out


def describe(obj: object) -> str:
    """The field names of *obj* for an error message (safe for any key type)."""
    names = sorted(fields(obj))
    shown = ", ".join(names[:30]) + (", ..." if len(names) > 30 else "")
    return f"{type(obj).__name__} with fields [{shown}]"


def is_empty(v: object) -> bool:
    """Whether *v* carries nothing: absent, null, zero, false, empty, or made only of those."""
    v = value_of(v)
    if v is MISSING:
        return True
    if v is None or v is False or v == 0 or v == "":
        return True
    if isinstance(v, (Mapping, list, tuple)):
        return all(is_empty(x) for x in (v.values() if isinstance(v, Mapping) else v))
    if not isinstance(v, (str, int, float)):
        f = fields(v)
        return all(is_empty(x) for x in f.values())
    return False


_SNAKE: dict[str, str] = {}


def snake(name: str) -> str:
    """``promptTokenCount`` -> ``prompt_token_count`` (names already in snake case stay)."""
    found = _SNAKE.get(name)
    if found is None:
        found = "".join("_" + c.lower() if c.isupper() else c for c in name)
        if len(_SNAKE) < 4096:  # field names are few; junk keys must not grow it forever
            _SNAKE[name] = found
    return found


class Block:
    """One usage block (or a nested detail object) whose fields are read and accounted for.

    *shape* names the provider API in messages; *path* is where the block sits
    (``usage.prompt_tokens_details``). *spell* maps field names to one spelling (Gemini's
    camelCase REST fields and its SDK's snake_case ones); two spellings of one field in one
    block are refused.
    """

    __slots__ = ("_children", "_fields", "_spell", "_used", "path", "shape")

    def __init__(
        self,
        obj: object,
        shape: str,
        path: str,
        spell: Callable[[str], str] | None = None,
    ) -> None:
        self.shape = shape
        self.path = path
        raw = fields(obj)
        if spell is not None:
            spelled: dict[str, object] = {}
            for k, v in raw.items():
                key = spell(k)
                if key in spelled:
                    msg = f"{shape} {path} has the field {key!r} twice (in two spellings)"
                    raise InvalidUsageError(msg)
                spelled[key] = v
            raw = spelled
        self._fields = raw
        self._used: set[str] = set()
        self._children: list[Block] = []
        self._spell = spell

    def names(self) -> set[str]:
        """The names of the fields present (non-null)."""
        return set(self._fields)

    def raw_fields(self) -> dict[str, object]:
        """The fields present, by (spelled) name, without marking them read."""
        return dict(self._fields)

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def raw(self, name: str) -> object:
        """The value of *name* (None when absent), marked as read."""
        self._used.add(name)
        return self._fields.get(name)

    def count(self, name: str, *, required: bool = False) -> int:
        """The count *name*: 0 when absent or null (unless *required*), validated."""
        self._used.add(name)
        v = self._fields.get(name)
        if v is None:
            if required:
                msg = (
                    f"{self.shape} usage has no {self.where(name)!r}: cannot price it without "
                    "that count"
                )
                raise InvalidUsageError(msg)
            return 0
        if type(v) is not int:
            if isinstance(v, int) and not isinstance(v, bool):  # an int subclass (numpy)
                v = int(v)
            else:
                kind = "a bool" if isinstance(v, bool) else type(v).__name__
                msg = (
                    f"{self.shape} usage field {self.where(name)!r} must be a non-negative int, "
                    f"got {kind} {v!r:.40}"
                )
                raise InvalidUsageError(msg)
        if not 0 <= v <= MAX_COUNT:
            msg = (
                f"{self.shape} usage field {self.where(name)!r} must be a non-negative int "
                f"up to {MAX_COUNT:.0e}, got {v!r}"
            )
            raise InvalidUsageError(msg)
        return v

    def optional(self, name: str) -> int | None:
        """The count *name*, or None when the block does not report it."""
        if name not in self._fields:
            self._used.add(name)
            return None
        return self.count(name)

    def text(self, name: str) -> str | None:
        """A string field (an enum as its value), or None."""
        self._used.add(name)
        v = value_of(self._fields.get(name))
        if v is None:
            return None
        if not isinstance(v, str) or len(v) > 200:
            msg = f"{self.shape} field {self.where(name)!r} must be a string, got {v!r:.60}"
            raise InvalidUsageError(msg)
        return v

    def sub(self, name: str) -> Block:
        """The nested object *name* as a Block (an empty one when absent)."""
        self._used.add(name)
        v = self._fields.get(name)
        if v is not None and isinstance(v, (str, int, float, list, tuple)):
            msg = f"{self.shape} usage field {self.where(name)!r} must be an object, got {v!r:.40}"
            raise InvalidUsageError(msg)
        child = Block({} if v is None else v, self.shape, self.where(name), self._spell)
        self._children.append(child)
        return child

    def items(self, name: str) -> list[Block]:
        """The list of objects *name* as Blocks (empty when absent)."""
        self._used.add(name)
        v = self._fields.get(name)
        if v is None:
            return []
        if not isinstance(v, (list, tuple)):
            msg = f"{self.shape} usage field {self.where(name)!r} must be a list, got {v!r:.40}"
            raise InvalidUsageError(msg)
        where = self.where(name)
        out = [Block(x, self.shape, f"{where}[{i}]", self._spell) for i, x in enumerate(v)]
        self._children.extend(out)
        return out

    def ignore(self, *names: str) -> None:
        """Mark *names* as known and informational (timings, totals already checked)."""
        self._used.update(names)

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def unknown(self) -> list[tuple[str, object]]:
        """The fields nobody read that carry a value, with their paths (nested included)."""
        out = [
            (self.where(k), v)
            for k, v in self._fields.items()
            if k not in self._used and not is_empty(v)
        ]
        for child in self._children:
            out += child.unknown()
        return out

    def finish(self) -> None:
        """Warn about every unknown field that carries a value (see `UnknownUsageFieldWarning`)."""
        for path, v in self.unknown():
            shown = v if isinstance(v, (int, float, str, bool)) else type(v).__name__
            msg = (
                f"{self.shape} usage field {path!r} ({shown!r:.40}) is unknown to llmcost and "
                "was not priced; check the provider's docs (warnings.filterwarnings('error', "
                "category=llmcost.UnknownUsageFieldWarning) refuses such responses)"
            )
            warnings.warn(msg, UnknownUsageFieldWarning, stacklevel=4)


def make_usage(shape: str, **counts: object) -> Usage:
    """A `Usage` from the reader's counts; an inconsistent one names the shape."""
    try:
        return Usage(**counts)  # type: ignore[arg-type]
    except InvalidUsageError as e:
        msg = f"{shape} usage is inconsistent: {e}"
        raise InvalidUsageError(msg) from None


def check_total(shape: str, name: str, total: int | None, u: Usage) -> None:
    """The provider's own total must equal input + output under the convention."""
    if total is not None and total != u.input_tokens + u.output_tokens:
        msg = (
            f"{shape} usage reports {name}={total:,}, but its counts give "
            f"{u.input_tokens:,} input + {u.output_tokens:,} output tokens = "
            f"{u.input_tokens + u.output_tokens:,}; llmcost refuses a usage it cannot reconcile"
        )
        raise InvalidUsageError(msg)


_MAX_UNIX = 2**33  # year 2242


def instant(v: object, what: str) -> datetime | None:
    """A creation time as reported (unix seconds, RFC 3339 text or a datetime), in UTC."""
    v = value_of(v)
    if v is MISSING or v is None:
        return None
    if isinstance(v, datetime):
        return v.replace(tzinfo=timezone.utc) if v.tzinfo is None else v.astimezone(timezone.utc)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if not 0 < v < _MAX_UNIX or v != v:
            msg = f"response field {what!r} must be unix seconds, got {v!r}"
            raise InvalidUsageError(msg)
        return datetime.fromtimestamp(v, timezone.utc)
    if isinstance(v, str) and len(v) <= 40:
        s = v.strip().replace("Z", "+00:00")
        head, dot, rest = s.partition(".")
        if dot:  # Python 3.10 reads at most 6 fractional digits
            digits = "".join(c for c in rest if c.isdigit())
            s = f"{head}.{digits[:6]}{rest[len(digits) :]}"
        try:
            t = datetime.fromisoformat(s)
        except ValueError:
            pass
        else:
            return (
                t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)
            )
    msg = f"response field {what!r} must be a time (unix seconds or RFC 3339), got {v!r:.60}"
    raise InvalidUsageError(msg)


@attrs.frozen(kw_only=True)
class Reading:
    """What one provider response says about its cost: usage, model and request context.

    `api` names the decision-table row that read it (``"openai.chat"``, ``"anthropic.messages"``,
    ...), `provider` the vendor or host that served it. `service_tier`, `speed` and
    `inference_geo` are as the response reports them (``"on_demand"``, ``"not_available"``);
    `at` is its creation time in UTC, if it has one.
    """

    usage: Usage
    model: str | None
    api: str
    provider: str
    service_tier: str | None = None
    speed: str | None = None
    inference_geo: str | None = None
    at: datetime | None = None
