"""The one rule for uploaded PDF documents."""

from __future__ import annotations

import io

import pytest

from app.config import get_settings
from app.errors import PayloadTooLarge, UnsupportedMediaType
from app.uploads import clean_pdf_filename, read_pdf, store_pdf


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("plan.pdf", "plan.pdf"),
        ("C:\\Users\\me\\Бизнес-план.PDF", "Бизнес-план.PDF"),
        ("../../etc/passwd", "passwd.pdf"),
        ("deck<script>.pdf", "deck_script_.pdf"),
        ("", "document.pdf"),
        (None, "document.pdf"),
        (" . ", "document.pdf"),
    ],
)
def test_a_client_file_name_is_cleaned_by_one_rule(name: str | None, cleaned: str) -> None:
    assert clean_pdf_filename(name) == cleaned


def test_a_long_name_keeps_its_end() -> None:
    assert clean_pdf_filename("a" * 300 + ".pdf") == "a" * 116 + ".pdf"


def test_only_a_pdf_within_the_limit_is_read() -> None:
    assert read_pdf(io.BytesIO(b"%PDF-1.7 body")) == b"%PDF-1.7 body"
    with pytest.raises(UnsupportedMediaType):
        read_pdf(io.BytesIO(b"PK\x03\x04 a zip"))
    with pytest.raises(PayloadTooLarge):
        read_pdf(io.BytesIO(b"%PDF-" + b"x" * get_settings().max_upload_bytes))


def test_a_stored_pdf_gets_a_server_made_name() -> None:
    stored = store_pdf(io.BytesIO(b"%PDF-1.4 deck"), folder="tests", filename="my deck.pdf")
    assert stored.filename == "my deck.pdf"
    assert stored.stored_name.endswith(".pdf") and stored.stored_name != "my deck.pdf"
    assert (
        (get_settings().upload_dir / "tests" / stored.stored_name).read_bytes().startswith(b"%PDF-")
    )
    assert stored.size == len(b"%PDF-1.4 deck")
