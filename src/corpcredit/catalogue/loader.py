"""Load and validate a rule catalogue from TOML, with errors that name the key path."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corpcredit.catalogue.model import Catalogue
from corpcredit.errors import CatalogueError

__all__ = ["default_catalogue", "load_catalogue", "parse_catalogue"]


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "[key]") or "(top level)"


def parse_catalogue(data: dict[str, Any], *, source: str = "<catalogue>") -> Catalogue:
    """Validate a decoded catalogue; raise CatalogueError naming the first bad key."""
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            path = _path(tuple(err["loc"]))
            # Model-level checks name their own key: "grades: bands … overlap".
            head, sep, rest = msg.partition(": ")
            if sep and " " not in head:
                path = head if path == "(top level)" else f"{path}.{head}"
                msg = rest
            problems.append({"path": path, "reason": msg})
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CatalogueError(
            f"{source}: {first['path']}: {first['reason']}{more}",
            details={"path": first["path"], "problems": problems},
        ) from exc


def load_catalogue(path: Path | str) -> Catalogue:
    """Read an operator's catalogue file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read catalogue {p}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{p}: not valid TOML: {exc}", details={"path": ""}) from exc
    return parse_catalogue(data, source=str(p))


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with corpcredit."""
    text = resources.files("corpcredit.catalogue").joinpath("default.toml").read_text("utf-8")
    return parse_catalogue(tomllib.loads(text), source="default.toml")
