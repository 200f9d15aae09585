"""The Spark engine gives the in-process engine's results, row for row (DESIGN.md:
one kernel, three callers). Spark runs in local[2]; all tests share one session."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from corpcredit.catalogue import default_catalogue
from corpcredit.cli import app
from corpcredit.engines import format_contributions, format_results, load_inputs, score_sharded
from corpcredit.errors import InputError
from corpcredit.scoring.frames import CHINA_TZ
from tests.engines.conftest import Registry

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

from tests.worked import WORKED  # noqa: E402

AS_OF = date(2025, 6, 30)


def _read_csv(path: Path) -> pl.DataFrame:
    df = pl.read_csv(path, infer_schema=False, empty_string_is_null=False)
    return df.drop("catalogue_version", strict=False)


def _cli(*args: str) -> str:
    res = CliRunner().invoke(app, ["batch", "score", *args, "--engine", "spark"])
    assert res.exit_code == 0, res.output
    return res.output


def _write_parts(frame: pl.DataFrame, directory: Path, parts: int = 3) -> Path:
    """A feed as a directory of Parquet part files, as a national export would be."""
    directory.mkdir(parents=True)
    size = -(-frame.height // parts)
    for i in range(parts):
        frame.slice(i * size, size).write_parquet(directory / f"part-{i:05d}.parquet")
    return directory


def _local(tmp_path: Path, reg: Registry, known_at: datetime | None = None):
    """The registry checked and scored by the in-process engine, one worker."""
    files = {}
    for name in ("entities", "records", "events"):
        files[name] = tmp_path / f"{name}.parquet"
        getattr(reg, name).write_parquet(files[name])
    cat = default_catalogue()
    inputs = load_inputs(files["entities"], files["records"], files["events"], cat)
    out = score_sharded(inputs.entities, inputs.records, inputs.events, cat, AS_OF, known_at)
    return inputs, out


@pytest.mark.parametrize(
    ("known_at", "expected"),
    [(None, "2025-06-30"), ("2025-03-01T12:00:00+08:00", "2025-06-30-known-2025-03-01")],
)
def test_worked_example_through_spark_equals_expected_csvs(spark, tmp_path, known_at, expected):
    out, contrib = tmp_path / "results.csv", tmp_path / "contributions.csv"
    feeds = [str(WORKED / "entities.csv"), str(WORKED / "records.csv")]
    extra = ["--known-at", known_at] if known_at else []
    _cli(
        *feeds, "--events", str(WORKED / "events.csv"), "--as-of", "2025-06-30",
        "--out", str(out), "--contributions", str(contrib), *extra,
    )  # fmt: skip
    assert_frame_equal(_read_csv(out), _read_csv(WORKED / f"expected-results-{expected}.csv"))
    assert_frame_equal(
        _read_csv(contrib), _read_csv(WORKED / f"expected-contributions-{expected}.csv")
    )


def test_generated_registry_scores_equal_local_engine_row_for_row(spark, tmp_path, registry):
    from corpcredit.engines.spark import ENTITY_IN_SCHEMA, score_spark, to_spark
    from corpcredit.scoring.frames import EVENT_SCHEMA, RECORD_SCHEMA

    known_at = datetime(2025, 5, 15, 9, 30, tzinfo=CHINA_TZ)
    inputs, local = _local(tmp_path, registry, known_at)
    cat = default_catalogue()
    warnings: list[str] = []
    results, contributions = score_spark(
        spark,
        to_spark(spark, inputs.entities, ENTITY_IN_SCHEMA),
        to_spark(spark, inputs.records, RECORD_SCHEMA),
        to_spark(spark, inputs.events, EVENT_SCHEMA),
        cat, AS_OF, known_at, warnings=warnings,
    )  # fmt: skip
    got_results = pl.from_arrow(results.toArrow())
    got_contributions = pl.from_arrow(contributions.toArrow())

    assert_frame_equal(got_results, local.results)
    assert_frame_equal(got_contributions, local.contributions)
    assert warnings == local.warnings
    # The registry really holds what the engines could get wrong.
    res, con = local.results, local.contributions
    assert res.height == registry.entities.height >= 2000
    assert set(con["role"]) == {"own", "from_branch", "from_head", "from_sibling"}
    assert res.filter(pl.col("black") & pl.col("abnormal")).height > 0
    assert res["natural_person"].sum() > 0 and res["red"].sum() > 0
    assert con.filter(pl.col("tier") == "minor").height > 0


def test_parquet_directories_in_and_out_through_cli(spark, tmp_path, synthetic):
    feeds = {
        name: _write_parts(getattr(synthetic, name), tmp_path / "feeds" / name)
        for name in ("entities", "records", "events")
    }
    out, contrib = tmp_path / "results", tmp_path / "contributions"
    _cli(
        str(feeds["entities"]), str(feeds["records"]), "--events", str(feeds["events"]),
        "--as-of", "2025-06-30", "--out", str(out), "--contributions", str(contrib),
    )  # fmt: skip

    _, local = _local(tmp_path, synthetic)
    assert sorted(p.name for p in out.iterdir())[0].startswith("part-00000")
    assert_frame_equal(pl.read_parquet(out), format_results(local.results, csv=False))
    assert_frame_equal(
        pl.read_parquet(contrib), format_contributions(local.contributions, csv=False)
    )
    assert local.results.height == 3000
    assert local.contributions["role"].n_unique() == 4


def test_invalid_rows_in_a_parquet_directory_refuse_everything(spark, tmp_path, registry):
    from corpcredit.engines.spark_io import load_inputs_spark

    records = registry.records.head(50)
    bad = pl.concat(
        [
            records.with_columns(
                pl.when(pl.col("record_id") == "G3")
                .then(pl.lit("gossip"))
                .otherwise(pl.col("kind"))
                .alias("kind")
            ),
            records.slice(10, 1),  # a duplicate key, in another part file
        ]
    )
    feeds = tmp_path / "feeds"
    _write_parts(registry.entities, feeds / "entities", parts=2)
    _write_parts(bad, feeds / "records", parts=2)

    with pytest.raises(InputError) as err:
        load_inputs_spark(spark, feeds / "entities", feeds / "records", None, default_catalogue())
    rows = [str(r) for r in err.value.rows]
    part0 = feeds / "records" / "part-00000.parquet"
    assert any(r.startswith(f"{part0}, row 4, column 'kind' ('gossip')") for r in rows), rows
    assert any("column 'record_id'" in r and "duplicate (source, record_id)" in r for r in rows)

    out = tmp_path / "results"
    args = [str(feeds / "entities"), str(feeds / "records"), "--as-of", "2025-06-30"]
    res = CliRunner().invoke(app, ["batch", "score", *args, "--out", str(out), "--engine", "spark"])
    assert res.exit_code == 2
    assert "problem(s) in the input; nothing was written" in res.output
    assert not out.exists()


def test_parent_cycle_is_an_error_naming_the_entities(spark):
    from corpcredit.engines.spark import resolve_heads_spark
    from corpcredit.scoring.org import ParentCycleError
    from tests.factory import usci

    a, b, c, d = (usci(i) for i in (1, 2, 3, 4))
    entities = spark.createDataFrame(
        [(a, b), (b, c), (c, a), (d, a)], "usci string, parent_usci string"
    )
    with pytest.raises(ParentCycleError) as err:
        resolve_heads_spark(entities)
    assert err.value.uscis == sorted([a, b, c, d])


def test_without_pyspark_the_engine_says_how_to_install_it(monkeypatch):
    from corpcredit.engines.spark_session import require_pyspark
    from corpcredit.errors import CorpCreditError

    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):
        if name == "pyspark" or name.startswith("pyspark."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    with pytest.raises(CorpCreditError) as err:
        require_pyspark()
    assert err.value.code == "spark.not_installed"
    assert "pip install 'corpcredit[spark]'" in err.value.message


def test_without_java_the_engine_says_how_to_install_it(monkeypatch, tmp_path):
    from corpcredit.engines.spark_session import find_java
    from corpcredit.errors import CorpCreditError

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CorpCreditError) as err:
        find_java()
    assert err.value.code == "spark.no_java"
    assert "openjdk-17-jre-headless" in err.value.message
