"""Writing files safely: all or nothing."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_PREFIX = ".chainrule-"
_TEMPORARY = re.compile(r"\.chainrule-(\d+)-\w+\.tmp")  # .chainrule-<pid>-<random>.tmp


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(file)``, then put what it wrote in ``path``'s place in one step.

    - The contents are made in memory first, then written under a short hidden temporary name
      beside the target and renamed over it: an interrupted or failing write never leaves a
      half-written file, nor destroys the file that was there, and any exception removes the
      temporary file.  A process killed outright in those few milliseconds cannot clean up
      after itself; its file is named after its process id, and the next save into that
      folder removes it once that process is gone.
    - A file that exists keeps its permission bits; a new one gets those a plain ``open``
      would give it.  A file the user may not write raises ``PermissionError``, as ``open``
      would, although replacing it would have been possible.
    - A symlink is written through: its target gets the new contents, the link stays.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        if not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, "Permission denied: the file is write-protected", str(path))
    buffer = io.BytesIO()
    write(buffer)
    _remove_abandoned(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{_PREFIX}{os.getpid()}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getbuffer())
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return path


def _remove_abandoned(directory: Path) -> None:
    """Remove the temporary files that saves killed mid-write left in ``directory``: those
    whose process no longer runs (a live one may be saving right now)."""
    try:
        names = [name for name in os.listdir(directory) if name.startswith(_PREFIX)]
    except OSError:
        return
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if match is None or _running(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):  # another save removed it first
            os.unlink(directory / name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists (another user's), or cannot tell: leave it
    return True
