"""The API's URLs (mounted at /api/): /api/v1/…, /api/schema/, /api/docs/."""

from __future__ import annotations

from api import bulk, reads, writes
from api.core import api

api.add_router("/v1/", reads.router)
api.add_router("/v1/", writes.router)
api.add_router("/v1/", bulk.router)
urls = api.urls
