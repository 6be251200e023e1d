"""``python -m widget``: the same as the ``widget`` command."""

from widget.cli import main

main()
