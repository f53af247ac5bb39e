"""Which module defines each `studio` command, and the line `studio --help` shows for it.

The `studio` group loads a command's module only when that command runs (or its own help is asked for), so
`studio --help` imports none of them. Each module declares its commands in its own `COMMANDS` list;
tests/cli/test_startup.py checks this index against those lists and their help texts.
"""

from __future__ import annotations

# command name -> (module in studio.cli, the command's one-line summary)
COMMAND_INDEX: dict[str, tuple[str, str]] = {
    "import": ("library_cmds", "Import a PNG, JPEG or WebP image into the library."),
    "show": ("library_cmds", "Show one work: its details, recipe, parents and children."),
    "list": ("library_cmds", "List the works in the library."),
    "lineage": ("library_cmds", "Show where a work came from (ancestors) and what came from it (descendants)."),
    "link": ("library_cmds", "Record that an existing work came from other works."),
    "doctor": (
        "library_cmds",
        "Check the library database, delete crash leftovers, quarantine stored files no work refers to, and "
        "settle training jobs whose process was killed (they become resumable).",
    ),
    "retitle": ("library_cmds", "Change a work's title."),
    "license": ("license_cmds", "Licenses: the catalogue, and what a work's license allows."),
    "royalty": ("license_cmds", "Who receives what share of a work's revenue."),
    "train-permission": (
        "license_cmds",
        'Mark a work "do not train" (deny), allow training on a work you made (allow), or clear the choice.',
    ),
    "generate": ("generate_cmds", "Make a new image from a prompt (text to image)."),
    "remix": ("generate_cmds", "Remix one parent image (image to image)."),
    "inpaint": ("generate_cmds", "Repaint the masked region of a parent image."),
    "blend": ("generate_cmds", "Combine two or more parents into one new work: `studio blend ID ID [...] PROMPT`."),
    "models": ("generate_cmds", "Base models and LoRAs (they are works too, with their own licenses)."),
    "defaults": (
        "generate_cmds",
        "Show or set what new works get when a command leaves it unset: the creator and the licence.",
    ),
    "engines": ("engine_cmds", "ComfyUI servers that generate for the studio (`studio generate ..."),
    "report": (
        "review_cmds",
        "Lineage & compliance report of a work: ancestry, licenses, credits, royalties, problems.",
    ),
    "review": ("review_cmds", "Release review: approve or reject works after reading their report."),
    "credentials": (
        "review_cmds",
        "The Content Credentials verdict recorded for a work (on import, or on its first export).",
    ),
    "export": (
        "review_cmds",
        "Write a work's image signed with Content Credentials that state its lineage, recipe and license.",
    ),
    "devnet": (
        "publish_cmds",
        "The local Story devnet (anvil with Story-compatible contracts), kept in the library folder.",
    ),
    "wallet": ("publish_cmds", "The publishing wallet."),
    "publish": ("publish_cmds", "Publish works on Story: `studio publish ID`, `studio publish status [ID]`."),
    "import-ip": (
        "publish_cmds",
        "Import an IP asset from Story (with its parents) as a work whose terms mirror the chain's; an IP "
        "whose media hash is a work the library already holds is linked to that work.",
    ),
    "revenue": ("revenue_cmds", "Revenue of published works: pay a tip, show what can be claimed, claim it."),
    "demo": (
        "demo_cmd",
        "Build a demo library from the sample works and walk through lineage, licenses and royalties.",
    ),
    "train": ("train_cmds", "Train models: the built-in model from its credited data, and LoRAs from library works."),
    "library": (
        "team_cmds",
        "Team libraries: set one up on a PostgreSQL server, its members, logging in as a member, its bucket, and "
        "copying a local library into it.",
    ),
    "collection": ("collection_cmds", "Named sets of works, e.g. the works a model is trained on."),
}
