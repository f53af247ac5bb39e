"""Why a model or LoRA failed to load, told honestly: the software is incomplete, or the files are bad.

diffusers and transformers import their pipeline modules lazily and wrap a failed import in a RuntimeError
("Failed to import diffusers.pipelines..."), so the first line of the error says nothing about the cause. The
whole chain goes to a log file; the one line on screen names which of the two it is, and the innermost cause.
"""

from __future__ import annotations

from studio.crash_log import write_crash_log
from studio.errors import InvalidInput, SoftwareIncomplete, StudioError

# A missing module, shared library or package record (importlib.metadata.PackageNotFoundError is an ImportError).
_SOFTWARE_FAULTS = (ImportError,)
# What diffusers' and transformers' lazy modules raise when importing one of their own modules failed, whatever
# the cause (a missing data file of a dependency reads as FileNotFoundError): model files are never read there.
_LAZY_IMPORT_FAILURE = "Failed to import "


def exception_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it was raised from or while handling, outermost first (cycles cut)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def software_fault(exc: BaseException) -> BaseException | None:
    """The exception in the chain that shows the software itself is incomplete, or None."""
    for link in exception_chain(exc):
        if isinstance(link, _SOFTWARE_FAULTS) or (
            isinstance(link, RuntimeError) and str(link).startswith(_LAZY_IMPORT_FAILURE)
        ):
            return link
    return None


def load_failure(what: str, exc: BaseException, *, bad_files_hint: str) -> StudioError:
    """The error to raise (from `exc`) for `what` ("Model X", "LoRA Y") that could not be loaded."""
    try:
        details = f"details in {write_crash_log(exc, f'loading {what}')}"
    except OSError:
        details = "the details could not be saved"
    root = exception_chain(exc)[-1]  # the innermost cause: what actually went wrong
    if software_fault(exc) is not None:
        return SoftwareIncomplete(
            f"{what} could not be loaded because Remix Studio's generation software is incomplete "
            f"({type(root).__name__}: {first_line(root)})",
            hint=f"reinstall Remix Studio; {details}",
        )
    cause = first_line(exc)
    if root is not exc and first_line(root) not in cause:
        cause = f"{cause}: {first_line(root)}"
    return InvalidInput(f"{what} could not be loaded: {cause}", hint=f"{bad_files_hint}; {details}")
