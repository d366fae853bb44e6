"""Library: items, tags, versions and the full-text search index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('library_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_type', sa.String(length=100), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_data', sa.LargeBinary(), nullable=True),
    sa.Column('attachment_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('search_tags', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('search_vector', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_library_items_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['library_items.id'], name=op.f('fk_library_items_superseded_by_id_library_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_items'))
    )
    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_items_category'), ['category'], unique=False)
        batch_op.create_index('ix_library_items_created_at', ['created_at'], unique=False)
        # GIN on PostgreSQL; on SQLite an unused plain index (the FTS5 table does the work there).
        batch_op.create_index('ix_library_items_search_vector', ['search_vector'], unique=False, postgresql_using='gin')

    op.create_table('library_item_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_library_item_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['library_items.id'], name=op.f('fk_library_item_versions_item_id_library_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_item_versions')),
    sa.UniqueConstraint('item_id', 'version', name=op.f('uq_library_item_versions_item_id_version'))
    )
    op.create_table('library_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['library_items.id'], name=op.f('fk_library_tags_item_id_library_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_tags')),
    sa.UniqueConstraint('item_id', 'tag', name=op.f('uq_library_tags_item_id_tag'))
    )
    with op.batch_alter_table('library_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_tags_tag'), ['tag'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # Stemmed text written by app.library.search; a deleted item leaves the index with it.
        op.execute(
            "CREATE VIRTUAL TABLE library_fts USING fts5("
            "title, tags, body, tokenize = 'unicode61 remove_diacritics 0')"
        )
        op.execute(
            "CREATE TRIGGER library_items_fts_delete AFTER DELETE ON library_items BEGIN "
            "DELETE FROM library_fts WHERE rowid = old.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS library_items_fts_delete")
        op.execute("DROP TABLE IF EXISTS library_fts")
    with op.batch_alter_table('library_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_tags_tag'))

    op.drop_table('library_tags')
    op.drop_table('library_item_versions')
    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.drop_index('ix_library_items_search_vector', postgresql_using='gin')
        batch_op.drop_index('ix_library_items_created_at')
        batch_op.drop_index(batch_op.f('ix_library_items_category'))

    op.drop_table('library_items')
