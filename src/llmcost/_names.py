"""Model-name normalisation: the spellings people and hosts send, mapped to candidate keys.

Resolution is deterministic and bounded. A name is first *normalised* (case, surrounding
space, inner spaces as hyphens, so display names such as "GPT-4o mini" work). Then
`candidates` lists, in a fixed order, the keys the registry tries: the name itself, then the
results of the rewrites below, breadth first, each rewrite applied to every earlier candidate:

1. a vendor prefix dropped (``openai/``, ``anthropic/``, ``models/`` ...), or a host prefix
   (``groq/``, ``together/``, ``bedrock/``, ``vertex_ai/``) turned into that host;
2. an AWS Bedrock model id or ARN (``us.anthropic.claude-sonnet-4-5-20250929-v1:0``): a
   regional prefix (``us.``, ``eu.``, ``apac.`` ...) selects the Bedrock entry (which carries
   Bedrock's regional price), ``global.`` a ``bedrock-global/`` entry or else the vendor's own
   list price (never the regional one), ``us-gov.`` only a GovCloud entry's own aliases;
3. a snapshot suffix dropped: ``-2024-08-06``, ``-20250929``, ``@20250929``, ``-latest``,
   and Bedrock's version suffixes ``-v1:0``, ``-1:0``, ``:0``;
4. a dotted version written with a hyphen and back (``claude-opus-4.7`` -> ``claude-opus-4-7``,
   ``llama-3-1-8b`` -> ``llama-3.1-8b``), single digits only;
5. Claude's two word orders (``claude-4-opus`` <-> ``claude-opus-4``).

Never a bare prefix match: ``gpt-4o-mini-foo`` is unknown, not ``gpt-4o-mini``. Names longer
than `MAX_NAME` characters are unknown without further work, and at most `MAX_CANDIDATES`
keys are tried, so no spelling can make resolution slow or recursive.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_NAME = 200
MAX_CANDIDATES = 64

#: Prefixes that name the vendor itself (or a router that passes the vendor's id through).
VENDOR_PREFIXES = frozenset(
    {
        "openai", "anthropic", "google", "gemini", "models", "deepseek", "deepseek-ai",
        "mistral", "mistralai", "xai", "x-ai", "meta", "meta-llama", "azure", "openrouter",
        "litellm", "publishers", "qwen",
    }
)  # fmt: skip
#: Prefixes that name a host selling other vendors' models -> the host's canonical prefix.
HOST_PREFIXES = {
    "groq": "groq",
    "together": "together",
    "together_ai": "together",
    "togetherai": "together",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "bedrock-global": "bedrock-global",
    "aws": "bedrock",
    "vertex": "vertex",
    "vertex_ai": "vertex",
}
HOSTS = frozenset(HOST_PREFIXES.values())

_SPACES = re.compile(r"\s+")
_SNAPSHOT = re.compile(r"(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8})|-latest|-v\d+(?::\d+)?|-\d+:\d+|:\d+)$")
_BEDROCK = re.compile(
    r"(?:(us|eu|apac|global|us-gov|jp|au|ca|in|ap|sa|me|af|ch|uk)\.)?"
    r"(anthropic|meta|mistral|amazon|openai|deepseek|qwen|cohere|ai21|writer|google|nvidia"
    r"|minimax|moonshot|moonshotai|twelvelabs|stability|xai|zai)\.(.+)"
)
#: An AWS region in a path (``bedrock/us-east-1/meta.llama3...``).
_AWS_REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d")
_DOT = re.compile(r"(?<![\d.])(\d)\.(\d)(?![\d.])")
_DASH = re.compile(r"(?<![\d-])(\d)-(\d)(?![\d-])")
_CLAUDE_SIZE_LAST = re.compile(r"claude-(\d(?:[.-]\d)?)-(opus|sonnet|haiku)(.*)")
_CLAUDE_SIZE_FIRST = re.compile(r"claude-(opus|sonnet|haiku)-(\d(?:[.-]\d)?)(.*)")


def normalise(name: str) -> str:
    """The lookup key of *name*: stripped, lower case, inner whitespace as single hyphens.

    >>> normalise("  GPT-4o mini ")
    'gpt-4o-mini'
    """
    return _SPACES.sub("-", name.strip().lower())


def _snapshot(key: str) -> str | None:
    out = _SNAPSHOT.sub("", key)
    return out if out != key and out else None


def _dotted(key: str) -> str | None:
    out = _DOT.sub(r"\1-\2", key)
    return out if out != key else None


def _hyphened(key: str) -> str | None:
    out = _DASH.sub(r"\1.\2", key)
    return out if out != key else None


def _claude_order(key: str) -> str | None:
    m = _CLAUDE_SIZE_LAST.fullmatch(key) or _CLAUDE_SIZE_FIRST.fullmatch(key)
    if m is None:
        return None
    a, b, rest = m.groups()
    return f"claude-{b}-{a}{rest}"


_REWRITES: tuple[Callable[[str], str | None], ...] = (_snapshot, _dotted, _hyphened, _claude_order)


def candidates(key: str) -> list[tuple[str | None, str]]:
    """``(host, key)`` pairs to look up, best first; *host* None means a vendor's own id.

    >>> candidates("openai/gpt-4o-2024-08-06")[:3]
    [(None, 'openai/gpt-4o-2024-08-06'), (None, 'gpt-4o-2024-08-06'), (None, 'gpt-4o')]
    """
    if len(key) > MAX_NAME:
        return []
    out: list[tuple[str | None, str]] = []
    seen: set[tuple[str | None, str]] = set()
    queue: list[tuple[str | None, str]] = [(None, key)]
    while queue and len(out) < MAX_CANDIDATES:
        host, k = queue.pop(0)
        if (host, k) in seen or not k:
            continue
        seen.add((host, k))
        out.append((host, k))
        if k.startswith("arn:"):  # a Bedrock ARN: the model or profile id is the last part
            queue.append((host or "bedrock", k.rsplit("/", 1)[-1]))
            continue
        prefix, sep, rest = k.partition("/")
        if sep:
            if prefix in VENDOR_PREFIXES:
                queue.append((host, rest))
            elif prefix in HOST_PREFIXES:
                queue.append((host or HOST_PREFIXES[prefix], rest))
            elif host == "bedrock" and (aws := _AWS_REGION.fullmatch(prefix)) and not aws.group(1):
                queue.append((host, rest))  # (GovCloud prices differ: only its own aliases)
            continue
        m = _BEDROCK.fullmatch(k)
        if m is not None and host in (None, "bedrock", "bedrock-global"):
            region, vendor, base = m.groups()
            if region == "us-gov":
                continue  # GovCloud prices differ: only a GovCloud entry's own aliases resolve
            if region == "global" or host == "bedrock-global":
                # Bedrock's global endpoint bills the vendor's list price: a bedrock-global
                # entry, else the vendor's own model (never the regional bedrock/ entry).
                queue.append(("bedrock-global", base))
                continue
            if region:
                queue.append((host, f"{vendor}.{base}"))  # a host entry's own alias
            queue.append(("bedrock", base))
            continue
        for rewrite in _REWRITES:
            new = rewrite(k)
            if new is not None:
                queue.append((host, new))
    return out
