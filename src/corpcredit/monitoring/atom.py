"""An account's change events as an Atom feed (RFC 4287), for feed readers.

Each event is an entry: its id (``urn:corpcredit:event:<id>``, stable), the
organisation and what changed as the title, the time found as ``updated``, a
link to the organisation's page, and the event's JSON as content.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from corpcredit.monitoring.events import MonitorEvent

__all__ = ["ATOM_NS", "atom_feed"]

ATOM_NS = "http://www.w3.org/2005/Atom"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def atom_feed(
    events: Sequence[MonitorEvent],
    *,
    feed_id: str,
    title: str,
    self_url: str,
    entity_url: str,
    updated: datetime,
) -> str:
    """The feed as XML text; ``entity_url`` has a ``{usci}`` placeholder."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", title)
    _sub(feed, "updated", (events[-1].occurred_at if events else updated).isoformat())
    _sub(feed, "link", rel="self", href=self_url)
    _sub(_sub(feed, "author"), "name", "corpcredit")
    for event in reversed(events):  # newest first, as readers expect
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:corpcredit:event:{event.id}")
        _sub(entry, "title", f"{event.name} ({event.usci}): {event.summary}")
        _sub(entry, "updated", event.occurred_at.isoformat())
        _sub(entry, "link", rel="alternate", href=entity_url.format(usci=event.usci))
        _sub(entry, "category", term=event.kind)
        content = json.dumps(event.to_json(), ensure_ascii=False, sort_keys=True)
        _sub(entry, "content", content, type="text")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True)
