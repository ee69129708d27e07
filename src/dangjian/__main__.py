"""The `dangjian` console script: Django's manage.py for this project."""

import os
import sys

#: Commands that read a spreadsheet FILE, with every option of theirs that takes a value (so it is not taken for
#: FILE). Their FILE is checked and parsed (in a child process) while Django starts: see dangjian.core.lib.workbooks.
READ_AHEAD = {
    "import-members": frozenset({"--org", "--errors", "--settings", "--pythonpath", "-v", "--verbosity"}),
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    read_ahead(sys.argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def read_ahead(args: list[str]) -> None:
    if not args or args[0] not in READ_AHEAD:
        return
    from dangjian.core.lib import workbooks

    file = workbooks.command_file(args[1:], value_options=READ_AHEAD[args[0]])
    if file is not None:
        workbooks.read_ahead(file)


if __name__ == "__main__":
    main()
