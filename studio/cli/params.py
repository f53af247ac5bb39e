"""Validated option and argument types shared by the commands.

A value the studio cannot use is refused while the command line is parsed, before the library is opened,
so a bad number never reaches a service that would silently replace it with a default. NaN and infinities
are refused everywhere: they pass every `<`/`>` range check.
"""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import click

from studio.core.amounts import UNITS_PER_PERCENT, parse_ip_amount, parse_percent_units
from studio.core.urls import check_http_url
from studio.errors import InvalidInput
from studio.store.reading import describe_mode

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class _Type(click.ParamType):
    def fail_value(self, value: Any, why: str, param: click.Parameter | None, ctx: click.Context | None) -> None:
        self.fail(f"{str(value)[:80]!r} {why}", param, ctx)


class Number(_Type):
    """A finite float within [low, high] (or (low, high] when `low_open`)."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None, *, low_open: bool = False) -> None:
        self.low, self.high, self.low_open = low, high, low_open

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            if self.low_open:
                return f"above {self.low:g} and at most {self.high:g}"
            return f"between {self.low:g} and {self.high:g}"
        if self.low is not None:
            return f"{'above' if self.low_open else 'at least'} {self.low:g}"
        return f"at most {self.high:g}" if self.high is not None else "finite"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float) and math.isfinite(value):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail_value(value, f"is not a number (use a number {self._range()})", param, ctx)
        if not math.isfinite(number):
            self.fail_value(value, f"is not a finite number (use a number {self._range()})", param, ctx)
        below = self.low is not None and (number <= self.low if self.low_open else number < self.low)
        if below or (self.high is not None and number > self.high):
            self.fail_value(value, f"is out of range (use a number {self._range()})", param, ctx)
        return number


class WholeNumber(_Type):
    """An integer within [low, high]; '1e3' and '2.0' are refused rather than guessed at."""

    name = "integer"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not re.fullmatch(r"[+-]?\d{1,30}", text):
                self.fail_value(value, f"is not a whole number (use {self.low} to {self.high})", param, ctx)
            number = int(text)
        if not self.low <= number <= self.high:
            self.fail_value(value, f"is out of range (use a whole number from {self.low} to {self.high})", param, ctx)
        return number


class Size(_Type):
    """WIDTHxHEIGHT, each side a multiple of 8 the generator accepts."""

    name = "WIDTHxHEIGHT"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        match = re.fullmatch(r"\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*", str(value))
        if not match:
            self.fail_value(value, "is not WIDTHxHEIGHT (e.g. 512x512)", param, ctx)
        width, height = int(match[1]), int(match[2])
        if not all(self.low <= side <= self.high and side % 8 == 0 for side in (width, height)):
            self.fail_value(value, f"is not a usable size (each side a multiple of 8 from {self.low} to {self.high})",
                            param, ctx)
        return width, height


class Text(_Type):
    """Text that must not be empty or hold control characters (an empty --license must not mean the default)."""

    name = "text"

    def __init__(self, max_length: int = 200) -> None:
        self.max_length = max_length

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not text:
            self.fail("must not be empty (leave the option out for the default)", param, ctx)
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
            self.fail("must not contain control characters", param, ctx)
        if len(text) > self.max_length:
            self.fail(f"is longer than {self.max_length} characters", param, ctx)
        return text


class Prompt(_Type):
    """A prompt: not blank, at most `max_length` characters; line breaks and tabs allowed, other controls not."""

    name = "prompt"

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text.strip():
            self.fail("is empty: describe the image to make", param, ctx)
        if any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 for c in text):
            self.fail("must not contain control characters", param, ctx)
        if len(text) > self.max_length:
            self.fail(f"is {len(text)} characters long; keep it under {self.max_length}", param, ctx)
        return text


class RegularFile(click.Path):
    """An existing regular file (symlinks followed): never a folder, a named pipe or a device, whose reading
    would hang or never end."""

    def __init__(self) -> None:
        super().__init__(exists=True, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            self.fail(f"{str(value)[:200]!r} is {describe_mode(mode)}, not a file", param, ctx)
        return path


class LoraSpec(_Type):
    """NAME or NAME:WEIGHT, the weight a finite number within ±`max_weight` (default 1)."""

    name = "NAME:WEIGHT"

    def __init__(self, max_weight: float) -> None:
        self.weight = Number(-max_weight, max_weight)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, float]:
        if isinstance(value, tuple):
            return value
        name, sep, weight = str(value).rpartition(":")
        if not sep:
            name, weight = str(value), "1"
        if not name.strip():
            self.fail_value(value, "has no LoRA name (e.g. --lora ink:0.8)", param, ctx)
        return name, self.weight.convert(weight, param, ctx)


class WalletName(Text):
    """A wallet's name in the keyring; a private key pasted here by mistake is refused without being echoed."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = super().convert(value, param, ctx)
        if re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", text):
            self.fail("looks like a private key, not a wallet name; the key is read from a hidden prompt by "
                      "`studio wallet import` (consider this key exposed if others can see your terminal history)",
                      param, ctx)
        return text


class IpAmount(_Type):
    """An amount of IP ('1.5') or of wei ('250wei'), returned in wei."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return parse_ip_amount(str(value))
        except ValueError as exc:
            self.fail_value(value, str(exc), param, ctx)


class Address(_Type):
    """A 20-byte hex address (0x + 40 hex digits); a mixed-case one must carry a valid EIP-55 checksum."""

    name = "address"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not _HEX_ADDRESS.fullmatch(text):
            self.fail_value(value, "is not an address (0x followed by 40 hex digits)", param, ctx)
        digits = text[2:]
        if digits != digits.lower() and digits != digits.upper() and checksum_address(text) != text:
            self.fail_value(value, "has a wrong checksum (a mistyped letter?); copy the address again", param, ctx)
        return text


def checksum_address(address: str) -> str:
    """The EIP-55 spelling of a 20-byte hex address: a letter is upper-case where the keccak-256 of the lower-case
    hex digits has a nibble of 8 or more."""
    from Crypto.Hash import keccak  # pycryptodome, installed with the publish extra; no web3 in the CLI layer

    digits = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=digits.encode("ascii")).hexdigest()
    return "0x" + "".join(c.upper() if int(n, 16) >= 8 else c for c, n in zip(digits, digest[:40], strict=True))


class HttpUrl(_Type):
    """An http(s) URL with a host and a usable port, holding no credentials (RPC endpoints, services)."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_http_url(str(value), "URL", "https://aeneid.storyrpc.io")
        except InvalidInput as exc:  # its message never repeats a credential, so the value is not quoted again
            self.fail(str(exc), param, ctx)


class RoyaltyPolicy(_Type):
    """Story's royalty policy of a new root work: lap (liquid absolute) or lrp (liquid relative)."""

    name = "lap|lrp"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip().lower()
        if text not in ("lap", "lrp"):
            self.fail_value(value, "is not a royalty policy (use lap or lrp)", param, ctx)
        return text


class Percent(_Type):
    """A share in percent, 0 to 100 in Story's steps of 0.000001 %; returned in percent (exact to those steps)."""

    name = "percent"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            return parse_percent_units(str(value)) / UNITS_PER_PERCENT
        except ValueError as exc:
            self.fail_value(value, str(exc), param, ctx)


PERCENT = Percent()
FRACTION = Number(0, 1, low_open=True)
TEXT = Text()
WALLET_NAME = WalletName(max_length=100)
ADDRESS = Address()
HTTP_URL = HttpUrl()
IP_AMOUNT = IpAmount()
ROYALTY_POLICY = RoyaltyPolicy()
REGULAR_FILE = RegularFile()
