"""JSON route: /api/v1/reports/kpis (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.accounts.deps import CurrentUser
from app.deps import SessionDep
from app.i18n import get_timezone
from app.reports import service
from app.reports.filters import filters_query
from app.reports.schemas import Filters, KpisOut

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.get("/reports/kpis", response_model=KpisOut)
def get_kpis(
    user: CurrentUser, session: SessionDep, filters: Annotated[Filters, Depends(filters_query)]
) -> KpisOut:
    """The funnel (applied → approved → trained → met investor → funded) overall, by region and
    by sector, and the KPIs, for `?from=&to=&region=&sector=`."""
    return service.kpis(session, actor=user, filters=filters, tz=get_timezone())
