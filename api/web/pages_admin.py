"""The admin pages (accounts, people, rules, canned replies): one router, agents get 403.

Pages only read; every change goes through the REST API from ``static/admin.js``, so the API
is the one place that validates."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import pages_admin_accounts, pages_admin_canned, pages_admin_people, pages_admin_rules

router = APIRouter(include_in_schema=False)
for _page in (pages_admin_accounts, pages_admin_people, pages_admin_rules, pages_admin_canned):
    router.include_router(_page.router)
