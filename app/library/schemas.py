"""Request and response bodies of the library."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from app.bilingual import Translations, checked
from app.library.models import LibraryItem
from app.schemas import Input, Output

CategorySlug = Literal[
    "it_industry", "technology", "regulation", "financing", "cluster_news", "other"
]
LanguageSlug = Literal["ru", "en"]
VisibilitySlug = Literal["public", "members"]

MAX_TAGS = 20
ItemTranslations = Annotated[Translations, checked(LibraryItem.__translatable__)]


def normalise_tags(value: object) -> object:
    """Tags are trimmed, lower-cased and de-duplicated; a comma-separated string is accepted."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list):
        seen: list[str] = []
        for tag in value:
            if not isinstance(tag, str):
                return value
            cleaned = " ".join(tag.split()).lower()
            if cleaned and cleaned not in seen:
                seen.append(cleaned)
        return seen
    return value


class ItemIn(Input):
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=5_000)
    body: str = Field(default="", max_length=500_000)
    language: LanguageSlug
    category: CategorySlug
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    visibility: VisibilitySlug = "public"
    effective_from: date | None = None
    effective_to: date | None = None
    superseded_by: int | None = Field(default=None, ge=1, le=2_147_483_647)
    # left out: a new item has none, an edited one keeps its own
    translations: ItemTranslations | None = None

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: object) -> object:
        return normalise_tags(value)

    @field_validator("tags")
    @classmethod
    def _tag_length(cls, value: list[str]) -> list[str]:
        for tag in value:
            if len(tag) > 50:
                raise ValueError("a tag may be at most 50 characters long")
        return value

    @model_validator(mode="after")
    def _regulation_dates(self) -> ItemIn:
        if self.category != "regulation" and (
            self.effective_from or self.effective_to or self.superseded_by
        ):
            raise ValueError("effective dates and superseded_by apply to regulations only")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to must not be before effective_from")
        return self


class FileOut(Output):
    name: str
    content_type: str
    size: int
    url: str


class ItemSummaryOut(Output):
    id: int
    kind: str
    title: str
    snippet: str
    summary: str
    language: str
    translations: Translations
    category: str
    category_label: str
    tags: list[str]
    visibility: str
    created_at: datetime
    updated_at: datetime


class ItemOut(Output):
    id: int
    kind: str
    title: str
    summary: str
    body: str
    body_html: str
    language: str
    translations: Translations
    category: str
    category_label: str
    tags: list[str]
    visibility: str
    effective_from: date | None
    effective_to: date | None
    superseded_by: int | None
    file: FileOut | None
    version: int
    created_at: datetime
    updated_at: datetime


class VersionOut(Output):
    version: int
    title: str
    created_at: datetime
    created_by: int | None
    note: str
    current: bool
