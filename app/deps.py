"""Annotated dependencies of the kernel: the request's session and the paging of a JSON list
(`app.pagination.page_paging` gives a page's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.db import get_session
from app.pagination import Paging, api_paging
from app.web import check_parameters, csrf_protect

# scope="function": the transaction commits when the route returns, before the response is
# sent, so a failed commit is an error response and never a success that was not stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


PagingDep = Annotated[Paging, Depends(api_paging)]


csrf_dependency = Depends(csrf_protect)
parameters_dependency = Depends(check_parameters)
