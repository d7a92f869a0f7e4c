"""One writer per database: a crawl holds an exclusive lock beside the file for as long as it runs.

Cron may start a run while the last one is still going; the second must not write. The lock is an
``fcntl`` lock, so it is released by the kernel when its process ends, even by SIGKILL: a killed run
never blocks the next one.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path


class DatabaseLocked(RuntimeError):
    """Another process is writing this database."""


class RunLock:
    def __init__(self, db_path: str):
        # The file's real path: two runs given the same database through a symlink share one lock.
        self.path = Path(f"{os.path.realpath(db_path)}.lock")
        self.handle = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")  # noqa: SIM115 - held for the life of the run
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "{}"
            self.handle.close()
            info = json.loads(holder) if holder.startswith("{") else {}
            raise DatabaseLocked(
                f"another crawl is writing {self.path.with_suffix('')} (pid {info.get('pid', '?')}, "
                f"started {info.get('started', '?')}); this run did not start. Try again when it has finished."
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(json.dumps({"pid": os.getpid(),
                                      "started": datetime.now(UTC).isoformat(timespec="seconds")}))
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        if self.handle:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
