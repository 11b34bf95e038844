"""How the `stance` subcommands report failures: one `stance: error:` line, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from classifier.errors import StanceError

__all__ = ["fail", "guarded"]


def fail(message: str) -> int:
    """Print ``stance: error: message`` on stderr and return 1."""
    print(f"stance: error: {message}", file=sys.stderr)
    return 1


def guarded(work: Callable[[], int], *, interrupted: str, value_errors: bool = False) -> int:
    """Run ``work`` and turn the failures a user can cause into an error line and status 1.

    ``interrupted`` says what Ctrl-C left behind ("no output file was written").
    ``value_errors`` also reports ValueError, for commands whose library calls raise it on
    unusable input (fitting on a single tone).
    """
    try:
        return work()
    except StanceError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail(f"interrupted; {interrupted}")
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `| head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{exc.strerror or exc}")
    except ValueError as exc:
        if not value_errors:
            raise
        return fail(str(exc))
