"""Status badges: one mapping from state to tone, used by the pages of every domain, always with
the state's label in text."""

from __future__ import annotations

from enum import StrEnum

import pytest

from app.introductions.models import IntroductionStatus
from app.meetings.models import MeetingStatus, PitchDayStage, RequestStatus
from app.membership.models import ApplicationStatus, MembershipStatus
from app.notifications.models import OutboxStatus
from app.tones import STATUS_TONES, Tone, status_tone
from app.training.models import EnrolmentStatus
from tests.factories import Factory
from tests.html import Page
from tests.membership.helpers import decide, reviewed

STATUS_ENUMS: tuple[type[StrEnum], ...] = (
    ApplicationStatus,
    MembershipStatus,
    EnrolmentStatus,
    MeetingStatus,
    RequestStatus,
    PitchDayStage,
    IntroductionStatus,
    OutboxStatus,
)


@pytest.mark.parametrize(
    ("state", "tone"),
    [
        (ApplicationStatus.approved, Tone.success),
        (MembershipStatus.active, Tone.success),
        (RequestStatus.accepted, Tone.success),
        (IntroductionStatus.accepted, Tone.success),
        (EnrolmentStatus.enrolled, Tone.success),
        (OutboxStatus.sent, Tone.success),
        ("valid", Tone.success),
        (ApplicationStatus.under_review, Tone.info),
        (EnrolmentStatus.waitlisted, Tone.warning),
        (MembershipStatus.grace, Tone.warning),
        (ApplicationStatus.rejected, Tone.danger),
        (EnrolmentStatus.cancelled, Tone.danger),
        (MeetingStatus.cancelled, Tone.danger),
        (RequestStatus.declined, Tone.danger),
        (MembershipStatus.suspended, Tone.danger),
        (MembershipStatus.revoked, Tone.danger),
        (OutboxStatus.dead, Tone.danger),
        (ApplicationStatus.withdrawn, Tone.neutral),
        ("something-new", Tone.neutral),
    ],
)
def test_each_state_has_the_tone_a_reader_expects(state: str, tone: Tone) -> None:
    assert status_tone(state) == tone.value


def test_every_state_of_every_domain_is_mapped_explicitly() -> None:
    unmapped = [f"{enum.__name__}.{m.value}" for enum in STATUS_ENUMS for m in enum]
    unmapped = [name for name in unmapped if name.split(".")[1] not in STATUS_TONES]
    assert unmapped == []


def _badge(html: str, state_class: str) -> tuple[set[str], str]:
    badge = Page(html).find(class_=state_class)
    return badge.classes, badge.text


def test_application_pages_show_the_decision_in_its_tone_with_its_label(factory: Factory) -> None:
    approved = reviewed(factory, browser=True, locale="en")
    assert decide(approved).status_code == 200
    browser = approved.applicant.browser
    assert browser is not None
    page = browser.get(f"/applications/{approved.application_id}?lang=en")
    classes, label = _badge(page.text, "badge-approved")
    assert {"status", "tone-success"} <= classes and label == "Approved"

    board = approved.chair.api.get("/applications?lang=en")  # type: ignore[union-attr]
    rows = [
        cell
        for cell in Page(board.text).find_all("td")
        if cell.get("data-label") == "Status" and "Approved" in cell.text
    ]
    assert rows, "the board labels its status cells for the phone layout"
    badge = rows[0].find(class_="status")
    assert "tone-success" in badge.classes and "tone-danger" not in badge.classes


def test_a_rejection_is_shown_in_the_danger_tone(factory: Factory) -> None:
    rejected = reviewed(factory, browser=True, locale="en")
    assert decide(rejected, decision="rejected", reason="Too early").status_code == 200
    browser = rejected.applicant.browser
    assert browser is not None
    page = browser.get(f"/applications/{rejected.application_id}?lang=en")
    classes, label = _badge(page.text, "badge-rejected")
    assert "tone-danger" in classes and label == "Rejected"
