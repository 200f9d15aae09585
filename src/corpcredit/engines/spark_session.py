"""Starting Apache Spark for corpcredit: the two requirements and one quiet session.

Spark is optional: ``pip install 'corpcredit[spark]'`` brings PySpark, and Spark 4
needs a Java 17 (or later) runtime. Both are checked here, before anything else
touches Spark, so a missing piece is a :class:`~corpcredit.errors.CorpCreditError`
that says what to install rather than a JVM stack trace.

The session runs its Python workers with this very interpreter (the one that has
corpcredit, Polars and PyArrow installed), so local mode needs no environment
variables; quiet logging; Arrow on; UTC session time zone, so dates never shift.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from corpcredit.errors import CorpCreditError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = [
    "JAVA_HINT",
    "SPARK_HINT",
    "SparkNoJava",
    "SparkNotInstalled",
    "SparkStartFailed",
    "find_java",
    "require_pyspark",
    "require_spark",
    "spark_session",
]

SPARK_HINT = "install the Spark extra: pip install 'corpcredit[spark]'"
JAVA_HINT = (
    "install a Java 17 runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
    "or point JAVA_HOME at one"
)
_MIN_JAVA = 17

# Spark's own default logs every stage at WARN/INFO to the terminal; errors are enough.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
# The shell's own logger at the same level: Spark then says nothing about log levels.
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
logger.submit.name = org.apache.spark.deploy.SparkSubmit
logger.submit.level = error
"""


class SparkNotInstalled(CorpCreditError):
    code = "spark.not_installed"
    http_status = 500


class SparkNoJava(CorpCreditError):
    code = "spark.no_java"
    http_status = 500


class SparkStartFailed(CorpCreditError):
    code = "spark.start_failed"
    http_status = 500


def require_pyspark() -> None:
    """Raise :class:`SparkNotInstalled` unless PySpark (4.x) can be imported."""
    try:
        import pyspark
    except ImportError as exc:
        raise SparkNotInstalled(
            f"the Spark engine needs PySpark, which is not installed; {SPARK_HINT}"
        ) from exc
    major = int(pyspark.__version__.split(".")[0])
    if major < 4:
        raise SparkNotInstalled(
            f"the Spark engine needs PySpark 4, found {pyspark.__version__}; {SPARK_HINT}"
        )


def _java_major(java: str) -> int | None:
    try:
        proc = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if m is None:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def find_java() -> str:
    """The ``java`` Spark will start (JAVA_HOME's, else the one on PATH), checked for 17+."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = str(Path(home) / "bin" / "java")
        if not os.access(java, os.X_OK):
            raise SparkNoJava(f"JAVA_HOME is {home}, but {java} is not a program; {JAVA_HINT}")
    else:
        found = shutil.which("java")
        if found is None:
            raise SparkNoJava(f"the Spark engine needs Java, and none was found; {JAVA_HINT}")
        java = found
    major = _java_major(java)
    if major is None:
        raise SparkNoJava(f"{java} does not run or report its version; {JAVA_HINT}")
    if major < _MIN_JAVA:
        raise SparkNoJava(
            f"Spark 4 needs Java {_MIN_JAVA} or later, {java} is Java {major}; {JAVA_HINT}"
        )
    return java


def require_spark() -> None:
    """Both requirements of the Spark engine: PySpark and a Java 17 runtime."""
    require_pyspark()
    find_java()


def _local_heap_mb() -> int:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):  # not POSIX: Spark's own default
        return 1024
    return max(1024, min(8192, total // 4))


def _log_config() -> str:
    path = Path(tempfile.gettempdir()) / "corpcredit-spark-log4j2.properties"
    if not path.exists() or path.read_text(encoding="utf-8") != _LOG4J2:
        # Written aside and renamed: concurrent sessions never read half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".corpcredit-log4j2.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_LOG4J2)
        os.replace(tmp, path)
    return path.as_uri()


def spark_session(
    master: str | None = None,
    *,
    shuffle_partitions: int | None = None,
    ui: bool = False,
    app_name: str = "corpcredit",
    conf: dict[str, str] | None = None,
) -> SparkSession:
    """The active Spark session, or a new one configured for corpcredit.

    ``master`` defaults to ``local[2]``. A session that already exists (a test
    fixture, a notebook) is returned as it is, apart from ``shuffle_partitions``.
    """
    require_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        if shuffle_partitions is not None:
            active.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions))
        return active

    master = master or "local[2]"
    # PySpark reads PYSPARK_PYTHON when the context starts; an operator's own choice wins.
    python = os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings: dict[str, str] = {
        "spark.pyspark.python": python,
        "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile={_log_config()}",
        "spark.ui.enabled": str(ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.shuffle.partitions": str(shuffle_partitions or 8),
        # Each Python task runs the kernel single-threaded: Spark schedules the cores.
        "spark.executorEnv.POLARS_MAX_THREADS": "1",
    }
    if master.startswith("local"):
        # Driver and executor share one JVM: give it a quarter of the machine (1-8 GB),
        # not Spark's default 1 GB, which persisted inputs and outputs overrun.
        settings["spark.driver.memory"] = f"{_local_heap_mb()}m"
        settings["spark.driver.host"] = "127.0.0.1"
        settings["spark.driver.bindAddress"] = "127.0.0.1"
    settings.update(conf or {})
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j and PySpark raise a variety of types on a failed start
        raise SparkStartFailed(
            f"Spark did not start with master {master!r}: {exc}; check the master URL, "
            f"and that Java {_MIN_JAVA}+ runs ({JAVA_HINT})"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session
