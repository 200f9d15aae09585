"""The public site and the REST API (FastAPI, server-rendered Jinja2 pages)."""

from corpcredit.web.app import create_app
from corpcredit.web.serve import serve

__all__ = ["create_app", "serve"]
