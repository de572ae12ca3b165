"""Governance of the campaign: supervision (督办), sign-off (销号), extensions (延期) and closed periods.

services.py writes, selectors.py reads; views.py/urls.py are the pages under /governance/,
the JSON endpoints under /api/v1/governance/ live in api/governance.py.
"""
