"""The kinds of message membership sends."""

from __future__ import annotations

from app.i18n import N_
from app.notifications.kinds import register_kind

DECISION = register_kind("membership.decision", N_("Membership decisions"), essential=True)
ASSIGNMENT = register_kind("membership.assignment", N_("Applications to review"))
STATUS_CHANGE = register_kind(
    "membership.status", N_("Changes to the membership status"), essential=True
)
RENEWAL = register_kind("membership.renewal", N_("Membership renewal invitations"))
REVIEW_OVERDUE = register_kind("membership.review_overdue", N_("Overdue reviews"))
SUBMITTED = register_kind("membership.submitted", N_("Confirmations of submitted applications"))
RESPONSE_REQUESTED = register_kind(
    "membership.response_requested", N_("Questions from the committee"), essential=True
)
RESPONSE_RECEIVED = register_kind(
    "membership.response_received", N_("Applicants' answers to the committee's questions")
)
DISCUSSION_POST = register_kind(
    "membership.discussion_post", N_("New messages in the committee's discussion")
)
