"""Engines that run the one scoring kernel: in-process (sharded) and Apache Spark."""

from corpcredit.engines.inputs import BatchInputs, load_inputs
from corpcredit.engines.local import score_sharded, shard_inputs
from corpcredit.engines.output import format_contributions, format_results, write_outputs

__all__ = [
    "BatchInputs",
    "format_contributions",
    "format_results",
    "load_inputs",
    "score_sharded",
    "shard_inputs",
    "write_outputs",
]
