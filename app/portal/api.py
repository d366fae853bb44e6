"""JSON routes that span every domain: a person's export and erasure, and disabling an account
(which releases what the person held)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from app.accounts.api import user_out
from app.accounts.deps import AdminUser, CurrentUser
from app.accounts.schemas import UserOut
from app.deps import SessionDep
from app.portal import personal_data

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.get("/me/export")
def export_me(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return personal_data.export_personal_data(session, user)


@router.delete("/me", status_code=status.HTTP_202_ACCEPTED)
def erase_me(user: CurrentUser, session: SessionDep) -> dict[str, str]:
    personal_data.erase_person(session, user)
    return {"status": "erased"}


@router.post("/users/{user_id}/disable", response_model=UserOut)
def disable_user(user_id: int, admin: AdminUser, session: SessionDep) -> UserOut:
    return user_out(personal_data.disable_account(session, actor=admin, user_id=user_id))
