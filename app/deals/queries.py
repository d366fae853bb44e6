"""The named ideas of deals other domains ask about, each defined once.

- a counted deal: a deal staff have confirmed. Only counted deals make the funnel's "funded"
  stage, the investment figures and the region's indicators; a reported deal counts nowhere.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app.deals.models import Deal, DealStatus


def confirmed_deal() -> ColumnElement[bool]:
    return Deal.status == DealStatus.confirmed
