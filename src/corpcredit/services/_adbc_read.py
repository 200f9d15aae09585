"""Child process of :func:`corpcredit.services.sqlite_arrow.read_frame`.

``python _adbc_read.py DATABASE OUTPUT BATCH_ROWS`` reads one SQL query from
standard input, runs it on the SQLite file ``DATABASE`` (read-only) with the ADBC
driver and writes the result to ``OUTPUT`` as an Arrow IPC file. It runs as a
script, never imported, so that the driver's own copy of SQLite lives in a process
of its own: two copies of SQLite in one process would release each other's POSIX
file locks on the registry (https://www.sqlite.org/howtocorrupt.html, 2.2.1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import adbc_driver_sqlite.dbapi as adbc
import pyarrow.ipc as ipc


def main() -> None:
    database, output, batch_rows = sys.argv[1], sys.argv[2], sys.argv[3]
    sql = sys.stdin.read()
    uri = Path(database).resolve().as_uri() + "?mode=ro"
    with adbc.connect(uri) as conn, conn.cursor() as cursor:
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": batch_rows})
        cursor.execute(sql)
        reader = cursor.fetch_record_batch()
        with ipc.new_file(output, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)


if __name__ == "__main__":
    main()
