"""Child process of :func:`corpcredit.services.sqlite_arrow.read_frames`.

``python _adbc_read.py DATABASE BATCH_ROWS`` opens the SQLite file ``DATABASE``
read-only with the ADBC driver, then reads jobs from standard input, one per
line: a JSON object ``{"sql": …, "output": …}``. It runs each query and writes
its rows to ``output`` as an Arrow IPC file, then prints ``done`` on standard
output and waits for the next job; it ends when its input is closed. One child
serves several queries in turn, so the reads pay for one interpreter and one
driver start each, not one per query.

It runs as a script, never imported, so that the driver's own copy of SQLite
lives in a process of its own: two copies of SQLite in one process would release
each other's POSIX file locks on the registry
(https://www.sqlite.org/howtocorrupt.html, 2.2.1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The driver's modules import NumPy, pandas and Polars when they are installed, to
# offer them as backends; a reader needs none of them, and importing them took two
# thirds of its start (0.4 s of processor time of 0.55 s). Marked missing, they are
# skipped as if not installed.
for _unused in ("numpy", "pandas", "polars"):
    sys.modules[_unused] = None  # type: ignore[assignment]

import adbc_driver_sqlite.dbapi as adbc  # noqa: E402
import pyarrow.ipc as ipc  # noqa: E402


def main() -> None:
    database, batch_rows = sys.argv[1], sys.argv[2]
    uri = Path(database).resolve().as_uri() + "?mode=ro"
    with adbc.connect(uri) as conn:
        for line in sys.stdin:
            job = json.loads(line)
            with conn.cursor() as cursor:
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": batch_rows})
                cursor.execute(job["sql"])
                reader = cursor.fetch_record_batch()
                with ipc.new_file(job["output"], reader.schema) as writer:
                    for batch in reader:
                        writer.write_batch(batch)
            sys.stdout.write("done\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
