"""``python -m api`` is the ``omnibox`` command, for environments without the console script."""

from api.cli import main

main()
