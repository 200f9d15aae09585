"""A realistic, deterministic synthetic registry for tests, demos and benchmarks.

``generate(n, seed)`` draws organisations with valid, unique USCIs over real
GB/T 2260 districts (about 2 % individual businesses, which are natural persons;
about 8 % of organisations head offices with branches), their records over the
six years before ``as_of`` across every kind and tier of the default rule
catalogue, and the lifts, repairs, withdrawals and revoked repairs that followed.
``write`` stores the three feeds in the exact layouts of FORMATS.md.
"""

from corpcredit.synth.output import FEEDS, Format, write
from corpcredit.synth.registry import DEFAULT_AS_OF, SyntheticRegistry, generate
from corpcredit.synth.summary import RegistrySummary, describe

__all__ = [
    "DEFAULT_AS_OF",
    "FEEDS",
    "Format",
    "RegistrySummary",
    "SyntheticRegistry",
    "describe",
    "generate",
    "write",
]
