"""The applicant's side: an application from draft to submission, its named competitors and
shareholders, its documents, withdrawal and the appeal of a rejection."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.accounts.identifiers import is_valid_inn
from app.accounts.models import Organisation, OrganisationKind, User
from app.accounts.policies import is_organisation_member, is_organisation_owner
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, NotFound, raise_field_errors
from app.i18n import gettext, ngettext
from app.membership import policies, rubric
from app.membership.committee import reopen_review
from app.membership.kinds import SUBMITTED
from app.membership.models import (
    Application,
    ApplicationParty,
    ApplicationStatus,
    Attachment,
    DocumentKind,
    Membership,
    MembershipStatus,
    PartyRelation,
    Track,
    transition,
)
from app.membership.queries import is_member_organisation, membership_of
from app.membership.reading import get_application, log_refusal
from app.notifications.service import notify
from app.uploads import store_pdf, upload_folder

SECTIONS = ("summary", "innovation", "market", "team", "funding_needs")
RENEWAL_NOTICE_DAYS = 30
UPLOAD_FOLDER = "membership"


def _locked(session: Session, actor: User, application_id: int) -> Application:
    return get_application(session, actor=actor, application_id=application_id, lock=True)


def create_application(session: Session, *, actor: User, values: dict[str, Any]) -> Application:
    """The owner of a small or medium company applies; one open application per organisation,
    none while the organisation is already a member."""
    organisation = session.get(Organisation, values["organisation_id"])
    if organisation is None or not is_organisation_member(session, actor, organisation.id):
        raise NotFound(gettext("Organisation not found."))
    if not is_organisation_owner(session, actor, organisation.id):
        raise Forbidden(gettext("Only the organisation's owner may apply for membership."))
    if organisation.kind not in (OrganisationKind.sme, OrganisationKind.project):
        raise Conflict(gettext("Large companies and investors join by staff verification."))
    track = Track(values.get("track") or Track.membership)
    policies.enforce(policies.track_refusal(organisation, track))
    if is_member_organisation(session, organisation.id) and not renewal_due(
        membership_of(session, organisation.id)
    ):
        raise Conflict(gettext("This organisation is already a member of the cluster."))
    session.execute(
        select(Organisation.id).where(Organisation.id == organisation.id).with_for_update()
    )
    if _open_application_id(session, organisation.id) is not None:
        raise Conflict(gettext("This organisation already has an open application."))
    application = Application(
        organisation_id=organisation.id,
        open_organisation_id=organisation.id,
        applicant_id=actor.id,
        status=ApplicationStatus.draft,
        track=track,
        **{name: values.get(name) or "" for name in SECTIONS},
    )
    session.add(application)
    session.flush()
    _set_parties(session, application, values)
    audit.record(
        session,
        actor_id=actor.id,
        action="application.created",
        entity_type="membership_application",
        entity_id=application.id,
        data={"organisation_id": organisation.id, "track": track.value},
    )
    return application


def renewal_due(membership: Membership | None, today: date | None = None) -> bool:
    """A member may apply again (renew) from 30 days before the expiry and in the grace
    period; suspended and revoked memberships are not renewed this way."""
    if membership is None or membership.status != MembershipStatus.active:
        return False
    today = today or date.today()
    return membership.expires_on - timedelta(days=RENEWAL_NOTICE_DAYS) <= today


PARTY_FIELDS = {"competitors": PartyRelation.competitor, "shareholders": PartyRelation.shareholder}


def party_problems(
    session: Session, *, organisation_id: int, values: dict[str, Any]
) -> dict[str, str]:
    """What is wrong with the named competitors and shareholders as typed (a list of
    references each), so that a form refused for other reasons tells these too."""
    problems: dict[str, str] = {}
    for field_name in PARTY_FIELDS:
        references = values.get(field_name)
        for reference in references if isinstance(references, list) else ():
            try:
                _resolve_party(session, field_name, reference, organisation_id)
            except FieldError as exc:
                problems[field_name] = exc.detail
                break
    return problems


def _resolve_party(
    session: Session, field_name: str, reference: int | str, own_organisation_id: int
) -> tuple[str, int | None]:
    """An organisation named by its portal number or by its INN; an INN not (yet) on the
    portal is kept as given."""
    text_value = str(reference).strip()
    if not text_value.isdigit() or not text_value.isascii():
        raise FieldError(field_name, gettext("Name organisations by their INN or portal number."))
    if len(text_value) in (10, 12):
        if not is_valid_inn(text_value):
            raise FieldError(field_name, gettext("The INN %(inn)s is not valid.", inn=text_value))
        organisation = session.scalar(select(Organisation).where(Organisation.inn == text_value))
        inn, organisation_id = text_value, organisation.id if organisation else None
    else:
        organisation = session.get(Organisation, int(text_value))
        if organisation is None:
            raise FieldError(
                field_name,
                gettext("No organisation has the number %(number)s.", number=text_value),
            )
        if organisation.inn is None:
            raise FieldError(
                field_name, gettext("This organisation has no INN yet: it cannot be named.")
            )
        inn, organisation_id = organisation.inn, organisation.id
    if organisation_id == own_organisation_id:
        raise FieldError(field_name, gettext("Do not name your own organisation."))
    return inn, organisation_id


def _set_parties(session: Session, application: Application, values: dict[str, Any]) -> list[str]:
    """Replace the competitors and shareholders the applicant named (each list that is given);
    returns the names of the lists that were given."""
    given: dict[str, dict[str, int | None]] = {}
    problems: dict[str, str] = {}
    for field_name in PARTY_FIELDS:
        references = values.get(field_name)
        if references is None:
            continue
        resolved: dict[str, int | None] = {}
        try:
            for reference in references:
                inn, organisation_id = _resolve_party(
                    session, field_name, reference, application.organisation_id
                )
                resolved[inn] = organisation_id
        except FieldError as exc:  # both lists are checked before either is refused
            problems.update(exc.by_field())
        given[field_name] = resolved
    raise_field_errors(problems)
    changed = []
    for field_name, resolved in given.items():
        relation = PARTY_FIELDS[field_name]
        changed.append(field_name)
        for party in [p for p in application.parties if p.relation == relation]:
            application.parties.remove(party)
        session.flush()
        for inn, organisation_id in resolved.items():
            application.parties.append(
                ApplicationParty(relation=relation, inn=inn, organisation_id=organisation_id)
            )
        session.flush()
    return changed


def _open_application_id(session: Session, organisation_id: int) -> int | None:
    return session.scalar(
        select(Application.id).where(Application.open_organisation_id == organisation_id)
    )


def update_application(
    session: Session, *, actor: User, application_id: int, changes: dict[str, Any]
) -> Application:
    """The owner edits while the application is a draft or changes were requested; else 409."""
    application = _locked(session, actor, application_id)
    policies.enforce(policies.edit_refusal(session, actor, application))
    changed = sorted(name for name in SECTIONS if changes.get(name) is not None)
    for name in changed:
        setattr(application, name, changes[name])
    changed += _set_parties(session, application, changes)
    application.updated_at = utcnow()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.updated",
        entity_type="membership_application",
        entity_id=application.id,
        data={"fields": changed},
    )
    session.flush()
    return application


def required_documents() -> list[DocumentKind]:
    """The kinds of document an application needs (`PORTAL_MEMBERSHIP_REQUIRED_DOCUMENTS`)."""
    return [DocumentKind(kind) for kind in get_settings().membership_required_documents]


def missing_documents(kinds: Iterable[str]) -> list[DocumentKind]:
    """The required kinds among none of the attached documents' `kinds`."""
    attached = set(kinds)
    return [kind for kind in required_documents() if kind.value not in attached]


def submission_problems(application: Application) -> dict[str, str]:
    """What keeps the application from the committee, all at once: empty sections and missing
    required documents."""
    problems = {
        name: gettext("Fill in this section before submitting.")
        for name in SECTIONS
        if not getattr(application, name).strip()
    }
    missing = missing_documents(document.kind for document in application.attachments)
    if missing:
        problems["attachments"] = gettext(
            "Attach the required documents before submitting: %(kinds)s.",
            kinds=", ".join(kind.label for kind in missing),
        )
    return problems


def submit_application(session: Session, *, actor: User, application_id: int) -> Application:
    """Every section must be filled in and every required document attached before the
    committee sees the application. A
    resubmission after changes were requested opens a new review round (`reopen_review`)."""
    application = _locked(session, actor, application_id)
    policies.enforce(policies.submit_refusal(session, actor, application))
    raise_field_errors(submission_problems(application))
    resubmission = application.status == ApplicationStatus.changes_requested
    transition(session, application, ApplicationStatus.submitted, actor=actor)
    application.submitted_at = submitted_at = utcnow()
    rubric.stamp(session, application)
    session.flush()
    if resubmission:
        reopen_review(session, application)
    _confirm_submission(session, actor, application, submitted_at)
    return application


def _confirm_submission(
    session: Session, actor: User, application: Application, submitted_at: datetime
) -> None:
    notify(
        session,
        recipient=actor,
        kind=SUBMITTED,
        template="membership/submitted",
        key=f"membership.submitted.{application.id}.{submitted_at.isoformat()}",
        context={"organisation_name": application.organisation.name},
        link=f"/applications/{application.id}",
    )


def withdraw_application(session: Session, *, actor: User, application_id: int) -> Application:
    application = _locked(session, actor, application_id)
    policies.enforce(policies.withdraw_refusal(session, actor, application))
    transition(session, application, ApplicationStatus.withdrawn, actor=actor)
    return application


def attachment_limit() -> int:
    """How many documents one application may carry (`PORTAL_MAX_ATTACHMENTS_PER_APPLICATION`)."""
    return get_settings().max_attachments_per_application


def add_attachment(
    session: Session,
    *,
    actor: User,
    application_id: int,
    filename: str | None,
    stream: BinaryIO,
    kind: DocumentKind = DocumentKind.other,
) -> Attachment:
    """PDF only, recognised by its first bytes, at most `max_upload_bytes`, at most
    `attachment_limit()` per application; stored under a server-generated name outside the web
    root. The application's row lock makes concurrent uploads count one after the other."""
    application = _locked(session, actor, application_id)
    policies.enforce(policies.edit_refusal(session, actor, application))
    most = attachment_limit()
    attached = session.scalar(
        select(func.count(Attachment.id)).where(Attachment.application_id == application.id)
    )
    if (attached or 0) >= most:
        raise Conflict(
            ngettext(
                "No more documents can be attached: an application may have at most %(num)s "
                "document.",
                "No more documents can be attached: an application may have at most %(num)s "
                "documents.",
                most,
            )
        )
    stored = store_pdf(stream, folder=UPLOAD_FOLDER, filename=filename)
    attachment = Attachment(
        application_id=application.id,
        filename=stored.filename,
        stored_name=stored.stored_name,
        size=stored.size,
        kind=kind,
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="application.attachment_added",
        entity_type="membership_application",
        entity_id=application.id,
        data={"attachment_id": attachment.id, "size": attachment.size, "kind": kind.value},
    )
    return attachment


def open_attachment(
    session: Session, *, actor: User, application_id: int, attachment_id: int
) -> tuple[Attachment, Path]:
    """Documents open to the applicant, chair and staff, and reviewers who declared no conflict;
    a recused reviewer's attempt is refused and logged."""
    application = get_application(session, actor=actor, application_id=application_id)
    attachment = next((a for a in application.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(gettext("Document not found."))
    refusal = policies.documents_refusal(session, actor, application)
    if refusal is not None:
        if policies.is_recused(application, actor):
            log_refusal(actor, application, "application.documents_refused")
        raise refusal
    path = upload_folder(UPLOAD_FOLDER) / attachment.stored_name
    if not path.is_file():
        raise NotFound(gettext("Document not found."))
    return attachment, path


def appeal(session: Session, *, actor: User, application_id: int, statement: str) -> Application:
    """Once, within 30 days of the rejection; the appeal goes to reviewers who did not review
    the original."""
    application = _locked(session, actor, application_id)
    policies.enforce(policies.appeal_refusal(session, actor, application))
    other = _open_application_id(session, application.organisation_id)
    if other is not None:
        raise Conflict(gettext("This organisation already has an open application."))
    application.appeal_statement = statement
    application.appealed_at = utcnow()
    application.review_round += 1
    transition(
        session, application, ApplicationStatus.submitted, actor=actor, data={"appeal": True}
    )
    rubric.stamp(session, application)
    return application
