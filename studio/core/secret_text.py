"""Recognising secrets in text a person typed in the wrong place: a token pasted as an argument, a password in a
URL, `token=...` in a query. The studio takes secrets only into the OS keyring (`--ask-token`, `--token-stdin`,
a wallet's key from standard input), so anything here is refused or hidden, never echoed or stored.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit, urlunsplit

# Query parameters and `name=value` pairs whose name says the value is a credential.
SECRET_NAMES = re.compile(
    r"(?i)^(?:x-)?(?:access[_-]?token|auth(?:orization)?|api[_-]?key|apikey|key|token|secret|client[_-]?secret|"
    r"password|passwd|pwd|pass|passphrase|private[_-]?key|session(?:[_-]?id)?|sig|signature|jwt|bearer|code|"
    r"credentials?|mnemonic)$"
)
# Prefixes of tokens that well-known services hand out.
_TOKEN_PREFIXES = re.compile(r"^(?:sk-|sk_|pk_|rk_|hf_|ghp_|gho_|ghu_|ghs_|github_pat_|glpat-|xox[abprs]-|AKIA|eyJ)")
_HEX_KEY = re.compile(r"^(?:0x)?[0-9a-fA-F]{32,}$")
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-+/=.~:]+$")
_FILE_NAME = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
_NAMED_VALUE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[=:](.+)$")
_WORD = re.compile(r"[^\s'\"()`,;]+")
HIDDEN = "(hidden: it looks like a secret)"


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def url_credentials(text: str) -> list[str]:
    """What in a URL is a credential: 'a user name or password' for userinfo, the names of secret query parameters."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return []
    found = []
    if parts.scheme and "@" in parts.netloc:
        found.append("a user name or password")
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if SECRET_NAMES.match(name.strip()):
            found.append(f"the query parameter {name.strip()!r}")
    return found


def without_credentials(url: str) -> str:
    """The URL with its userinfo and query removed: safe to show or store."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "(an unreadable URL)"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def looks_like_secret(word: str) -> bool:
    """Whether a single typed word looks like a key, token or password rather than a name, number, path or id."""
    word = word.strip()
    if len(word) < 12:
        return False
    named = _NAMED_VALUE.match(word)
    if named and SECRET_NAMES.match(named.group(1)) and "://" not in word:
        return True
    if "://" in word:
        return bool(url_credentials(word))
    if _HEX_KEY.match(word) or _TOKEN_PREFIXES.match(word):
        return True
    if len(word) < 20 or not _TOKEN_CHARS.match(word) or _FILE_NAME.search(word) or word.startswith(("/", "-")):
        return False
    classes = sum(bool(re.search(p, word)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and _entropy(word) >= 3.5


def hide_secrets(text: str) -> str:
    """`text` with every word that looks like a secret replaced by a note; a URL keeps its harmless parts."""

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        if not looks_like_secret(word):
            return word
        return f"{without_credentials(word)} {HIDDEN}" if "://" in word else HIDDEN

    return _WORD.sub(replace, text)
