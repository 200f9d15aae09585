"""The command line loads only the module of the command it runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from corpcredit.cli import COMMANDS, MODULES, app, build_app


def _names(root: typer.Typer) -> set[str]:
    group = typer.main.get_command(root)
    assert isinstance(group, typer.core.TyperGroup)
    return set(group.list_commands(typer.Context(group)))


def test_the_table_names_every_command_of_the_full_app() -> None:
    assert _names(app) == set(COMMANDS)
    assert set(COMMANDS.values()) == set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_registers_exactly_the_commands_the_table_gives_it(module: str) -> None:
    assert _names(build_app((module,))) == {c for c, m in COMMANDS.items() if m == module}


def _modules_loaded_by(*argv: str) -> tuple[int, set[str]]:
    code = (
        "import sys\n"
        f"sys.argv = ['corpcredit', {', '.join(repr(a) for a in argv)}]\n"
        "from corpcredit.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return int(out[-2].split()[1]), set(out[-1].split())


def test_batch_loads_neither_the_database_layer_nor_the_web() -> None:
    code, loaded = _modules_loaded_by("batch", "--help")
    assert code == 0
    assert "corpcredit.cli.batch" in loaded
    for heavy in ("sqlalchemy", "alembic", "fastapi", "corpcredit.cli.accounts"):
        assert heavy not in loaded


def test_help_loads_every_command() -> None:
    code, loaded = _modules_loaded_by("--help")
    assert code == 0
    assert {f"corpcredit.cli.{m}" for m in MODULES} <= loaded
