"""A command-line process that runs one long batch and ends with it (`dangjian import-members`): tuned for the
batch, and left without the interpreter's teardown. Only a command's `run_from_argv` calls these: Django calls it
for the command line alone, never for `call_command`, so the task worker and the web server (long-lived
processes that run imports too) keep Python's defaults. The measured effect is in bench/RESULTS.md, "Issue 9".
"""

import gc
import logging
import os
import sys
from typing import NoReturn

#: Seconds a thread holds the GIL while another waits for it (Python's default: 0.005). The importer's database
#: worker needs it only for moments between batches while the main thread checks rows without a pause; at the
#: default, the database would sit idle waiting for it.
SWITCH_INTERVAL = 0.0005


def tune_for_batch() -> None:
    """The cyclic garbage collector off (it would walk the batch's ever more objects over and over, and nothing a
    batch makes needs it: the process ends with the batch) and a short switch interval, for the rest of the
    process."""
    gc.disable()
    sys.setswitchinterval(min(SWITCH_INTERVAL, sys.getswitchinterval()))


def exit_without_teardown() -> NoReturn:
    """After the command has finished (a failed one raises SystemExit and ends as usual): leave at once, without
    the interpreter freeing every object one by one (pypinyin's dictionaries, Django's registries, the batch's
    caches). What the teardown would do that matters is done here: output flushed, log handlers closed, database
    connections closed."""
    from django.db import connections

    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
