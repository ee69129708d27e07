"""The `dangjian` console script: Django's manage.py for this project."""

import os
import sys

#: Commands that read a spreadsheet FILE, with every option of theirs that takes a value (so it is not taken for
#: FILE). Their FILE is parsed while Django starts: see dangjian.core.lib.workbooks.
READ_AHEAD = {
    "import-members": frozenset({"--org", "--errors", "--settings", "--pythonpath", "-v", "--verbosity"}),
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    read_ahead(sys.argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    exit_without_teardown()


def read_ahead(args: list[str]) -> None:
    if not args or args[0] not in READ_AHEAD:
        return
    from dangjian.core.lib import workbooks

    file = workbooks.command_file(args[1:], value_options=READ_AHEAD[args[0]])
    if file is not None:
        workbooks.read_ahead(file)


def exit_without_teardown() -> None:
    """After a command has finished (a failed one raises SystemExit and ends as usual): leave at once, without the
    interpreter freeing every object one by one (pypinyin's dictionaries, Django's registries, an import's caches),
    which costs an import of 100,000 rows a third of a second after its work is done. What the teardown would do
    that matters is done here: output flushed, log handlers closed, database connections closed."""
    import logging

    from django.db import connections

    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
