"""The one list of modules that may be imported inside a function in studio/; every other import is at module level.

An import inside a function hides a dependency from the reader and from the import-cycle check, so it is kept for
two reasons only: the library is heavy to import or an optional extra that may not be installed, and the studio
must start (CLI and window) without it; or the project module is the one that loads such a library.
tests/test_import_structure.py fails on any other import inside a function, and on any import cycle.

An entry names a module; it also covers that module's submodules (`torch` covers `torch.nn`). Every entry is used
(the test fails on one that no function imports): peft, accelerate, web3 and c2pa are imported at module level, in
the modules the import-linter contracts in pyproject.toml allow, and those modules are what load lazily.
"""

from __future__ import annotations

LAZY_IMPORTS: dict[str, str] = {
    # --- heavy or optional libraries ----------------------------------------------------------------
    "torch": "seconds to import and the `generate` extra; only a generation or a training run needs it",
    "diffusers": "imports torch; the `generate` extra",
    "transformers": "imports torch; the `generate` extra",
    "safetensors": "its torch loader imports torch; the `generate` extra",
    "huggingface_hub": "comes with the `generate` extra and loads an HTTP stack; only downloading a model needs it",
    "numpy": "not a core dependency (it comes with the `generate` extra); the engines blend parents with it only "
             "when a request blends, so an install with only the ComfyUI extra still starts",
    "story_protocol_python_sdk": "about a second to import and the `publish` extra; only claiming revenue uses it "
                                 "(web3 itself is imported at module level by studio.story.chain, which is "
                                 "loaded only when publishing is)",
    "websockets": "the `comfyui` extra; only a connection to a ComfyUI server needs it",
    "resvg_py": "a development dependency; only rendering the built-in model's OpenMoji training set needs it",
    "eth_account": "the `publish` extra, half a second to import: only making, importing or using a wallet's key "
                   "needs it (studio.story.wallet), never the publishing services' import",
    "Crypto": "pycryptodome, the `publish` extra: keccak-256 for address checksums in the CLI, which never "
              "imports web3",
    # --- project modules that exist to load one of the above -----------------------------------------
    "studio.generate.training.lora_train": "imports torch and peft at module level",
    "studio.generate.training.emoji_train": "imports torch at module level",
    "studio.generate.training.openmoji_data": "imports numpy at module level; only `studio train builtin` renders",
    "studio.store.postgres": "imports psycopg and its pool (the `team` extra, 0.2 s); only a team library needs it",
    "studio.store.team_files": "imports boto3 (0.3 s) and the keyring for a team library's bucket; a local library "
                               "needs neither",
    "studio.secrets": "imports keyring, an optional extra that loads its backends on import; a ComfyUI token is "
                      "the first secret an engine needs",
    "studio.services.credentials": "loads the C2PA SDK; Content Credentials load on first import or export",
    "studio.services.publishing": "loads web3 and the Story SDK; publishing loads on first use",
    "studio.story.chain": "imports web3 and the Story SDK (about 0.9 s); the publishing setup imports it when it "
                          "makes the first chain client, so publishing's plans and values load without them",
    "studio.services.demo": "the demo's steps publish on the devnet (web3 and the Story SDK, about 0.9 s); the "
                            "window loads them when the demo library is asked for, not on the way to its first page",
    "studio.services.studio": "the facade and every engine behind it; the CLI opens a library only for a command "
                              "that needs one (`studio --help` in 0.25 s rather than 1 s)",
    "studio.ui.workspace": "the window's views and the engines behind them, imported on the worker thread that "
                           "opens the first library, so the window shows before they load",
    "studio.ui.launch": "loads Qt (the `gui` extra); the launcher picks the window or the CLI, and the CLI never "
                        "loads Qt",
    "studio.cli.main": "the launcher picks the window or the CLI; the window never loads click's command tree",
}


def is_lazy(module: str) -> bool:
    """Whether `module` (a dotted name) may be imported inside a function."""
    return any(module == name or module.startswith(name + ".") for name in LAZY_IMPORTS)
