"""Entry point of the packaged app (the same as the `studio` console script)."""

from studio.launcher import main

main()
