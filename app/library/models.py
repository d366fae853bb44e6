"""Library items (articles and documents), their tags and their version history.

Search columns: `search_tags` and `search_text` hold the plain text that is indexed (tags; summary,
rendered body and attachment text). On PostgreSQL `search_vector` holds the weighted tsvector under
a GIN index; on SQLite that column stays empty and the FTS5 table `library_fts` (created by the
migration, not mapped here) holds the stemmed text instead.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.bilingual import Translatable
from app.db import Base, str_enum, utcnow
from app.i18n import N_
from app.vocab import LabelledEnum

# The SQLite full-text table and its shadow tables are created by the migration and are not
# models; the drift test skips tables whose names start with these prefixes.
Base.metadata.info.setdefault("unmanaged_table_prefixes", set()).add("library_fts")


class Category(LabelledEnum):
    it_industry = "it_industry"
    technology = "technology"
    regulation = "regulation"
    financing = "financing"
    cluster_news = "cluster_news"
    other = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "it_industry": N_("IT industry"),
            "technology": N_("Technology"),
            "regulation": N_("Business regulation"),
            "financing": N_("Financing"),
            "cluster_news": N_("Cluster news"),
            "other": N_("Other"),
        }


class Language(LabelledEnum):
    ru = "ru"
    en = "en"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"ru": N_("Russian"), "en": N_("English")}


class Visibility(LabelledEnum):
    public = "public"
    members = "members"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"public": N_("Everyone"), "members": N_("Members only")}


class ItemKind(LabelledEnum):
    article = "article"
    document = "document"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"article": N_("Article"), "document": N_("Document")}


class LibraryItem(Translatable, Base):
    __tablename__ = "library_items"
    __table_args__ = (
        Index("ix_library_items_search_vector", "search_vector", postgresql_using="gin"),
        # PostgreSQL: the matches among the newest items, from the index alone (btree_gin). The
        # id is indexed as `id + 0`, the form the search writes, so that the planner cannot walk
        # the primary key instead, testing every row's vector (see library.search).
        Index(
            "ix_library_items_search_recent",
            "search_vector",
            text("(id + 0)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        Index("ix_library_items_created_at", "created_at"),
        # visitors' lists: count and page the public items without reading the whole table
        Index("ix_library_items_visibility_created_at", "visibility", "created_at"),
        # PostgreSQL keeps the texts and the search vector out of line (TOAST), so the table
        # itself stays narrow: a search that matches thousands of items reads few pages.
        {"postgresql_with": {"toast_tuple_target": 128}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, 10), default=ItemKind.article)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    __translatable__ = {"title": 300, "summary": 5_000, "body": 500_000}
    language: Mapped[Language] = mapped_column(str_enum(Language, 2))
    category: Mapped[str] = mapped_column(String(30), index=True)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, 10))
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("library_items.id", ondelete="SET NULL")
    )
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    attachment_text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    search_tags: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    search_vector: Mapped[Any] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"), nullable=True, deferred=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    tag_rows: Mapped[list[LibraryTag]] = relationship(
        cascade="all, delete-orphan", order_by="LibraryTag.tag", lazy="selectin"
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @property
    def members_only(self) -> bool:
        return self.visibility == Visibility.members

    @property
    def is_document(self) -> bool:
        return self.kind == ItemKind.document

    @property
    def has_validity(self) -> bool:
        """Regulations are in force for a period and may be superseded."""
        return self.category == Category.regulation

    @property
    def category_label(self) -> str:
        try:
            return Category(self.category).label
        except ValueError:
            return self.category


class LibraryTag(Base):
    __tablename__ = "library_tags"
    __table_args__ = (
        UniqueConstraint("item_id", "tag"),
        # A tag's items, newest first, read from the index alone (filters and related items).
        Index("ix_library_tags_tag_item", "tag", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_items.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(50))


class LibraryItemVersion(Base):
    """A snapshot of an item's editable content; version N is what the item held after edit N."""

    __tablename__ = "library_item_versions"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("library_items.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")
