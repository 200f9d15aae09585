"""`exit_now`: a finished command ends its own process at once, exactly as a normal exit."""

from __future__ import annotations

import subprocess
import sys

from corpcredit.cli import _common


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_inside_another_program_it_does_nothing() -> None:
    assert not _common._own_process
    _common.exit_now()  # a test runner, the demo: the caller goes on


def test_the_console_script_ends_with_code_0_after_flushing_and_the_exit_hooks() -> None:
    res = _python(
        "import atexit, sys\n"
        "from corpcredit.cli import _common\n"
        "_common._own_process = True\n"
        "atexit.register(lambda: print('hook ran'))\n"
        "print('written', end='')\n"
        "sys.stderr.write('warned')\n"
        "_common.exit_now()\n"
        "print('not reached')\n"
        "raise SystemExit(5)\n"
    )
    assert res.returncode == 0
    assert res.stdout == "writtenhook ran\n"
    assert res.stderr == "warned"


def test_it_waits_like_a_normal_exit_while_another_thread_works() -> None:
    res = _python(
        "import threading\n"
        "from corpcredit.cli import _common\n"
        "_common._own_process = True\n"
        "done = threading.Event()\n"
        "threading.Thread(target=done.wait).start()\n"
        "_common.exit_now()\n"
        "print('returned')\n"
        "done.set()\n"
    )
    assert res.returncode == 0
    assert res.stdout == "returned\n"
