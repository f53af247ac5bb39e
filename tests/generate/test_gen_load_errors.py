"""How a load failure is told: incomplete software (a failed import, whatever its cause) or bad model files."""

from __future__ import annotations

from pathlib import Path

from studio.errors import InvalidInput, SoftwareIncomplete
from studio.generate.load_errors import exception_chain, load_failure, software_fault


def raised(make) -> BaseException:
    try:
        make()
    except BaseException as exc:  # the test wants whatever was raised
        return exc
    raise AssertionError("nothing raised")


def lazy_import_failure() -> None:
    """What diffusers' lazy module raises when one of its modules fails to import (here: a dependency's data
    file is missing, so the innermost error is not an ImportError)."""
    try:
        Path("/nonexistent/kernels/_internals/python_depends.json").read_text()
    except FileNotFoundError as exc:
        raise RuntimeError("Failed to import diffusers.pipelines.pipeline_utils because of the following error "
                           f"(look up to see its traceback):\n{exc}") from exc


def test_a_failed_import_of_the_library_is_incomplete_software_named_by_its_innermost_cause():
    error = load_failure("Model studio-emoji", raised(lazy_import_failure), bad_files_hint="check the model")
    assert isinstance(error, SoftwareIncomplete) and error.exit_code == 70
    line = str(error)
    assert line.startswith("Model studio-emoji could not be loaded because Remix Studio's generation software is "
                           "incomplete (FileNotFoundError: [Errno 2] No such file or directory: ")
    assert "python_depends.json" in line and "check the model" not in line and "\n" not in line
    log = Path(line.rsplit("details in ", 1)[1].rstrip(")")).read_text()
    assert "FileNotFoundError" in log and "Failed to import diffusers.pipelines.pipeline_utils" in log


def test_a_missing_package_record_is_incomplete_software():
    from importlib.metadata import PackageNotFoundError, version

    exc = raised(lambda: version("a-distribution-that-is-not-installed"))
    assert isinstance(exc, PackageNotFoundError)
    assert isinstance(load_failure("Model m", exc, bad_files_hint="x"), SoftwareIncomplete)


def test_bad_files_stay_a_bad_input_with_their_cause_and_the_hint():
    def corrupt() -> None:
        try:
            raise ValueError("header too large")
        except ValueError as inner:
            raise OSError("Error no file named diffusion_pytorch_model.safetensors found") from inner

    error = load_failure("Model broken", raised(corrupt), bad_files_hint="check that it is a complete model")
    assert type(error) is InvalidInput and software_fault(raised(corrupt)) is None
    assert str(error).startswith("Model broken could not be loaded: Error no file named "
                                 "diffusion_pytorch_model.safetensors found: header too large (check that it is a "
                                 "complete model; details in ")


def test_the_chain_follows_causes_and_contexts_and_stops_on_a_cycle():
    first, second = ValueError("a"), KeyError("b")
    first.__cause__, second.__context__ = second, first
    assert exception_chain(first) == [first, second]
