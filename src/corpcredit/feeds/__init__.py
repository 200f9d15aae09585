"""Feed files: reading every supported format and validating rows with exact locations."""

from corpcredit.feeds.read import FORMATS, decode_text, detect_format, read_feed
from corpcredit.feeds.validate import (
    EVENT_KINDS,
    Checked,
    check_entities,
    check_events,
    check_records,
)

__all__ = [
    "EVENT_KINDS",
    "FORMATS",
    "Checked",
    "check_entities",
    "check_events",
    "check_records",
    "decode_text",
    "detect_format",
    "read_feed",
]
