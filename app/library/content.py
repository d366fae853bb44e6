"""Article bodies (Markdown → sanitised HTML) and the text of uploaded documents."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "js-default": no raw HTML passes through the parser; nh3 cleans what it produces.
    return MarkdownIt("js-default").enable("table").enable("strikethrough")


def render_markdown(source: str) -> Markup:
    rendered = _markdown().render(source or "")
    cleaned = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    return Markup(cleaned)


def markdown_text(source: str) -> str:
    """The readable text of a Markdown body, for search and snippets."""
    stripped = nh3.clean(str(render_markdown(source)), tags=set())
    return re.sub(r"\s+", " ", html.unescape(stripped)).strip()


# --- uploaded documents -----------------------------------------------------------------------

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TXT = "text/plain"
SUPPORTED_TYPES = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt", TXT: ".txt"}
MAX_EXTRACTED_CHARS = 1_000_000


class UnreadableDocument(Exception):
    pass


@dataclass(frozen=True)
class Extracted:
    content_type: str
    text: str


def sniff(data: bytes, filename: str) -> str | None:
    """The document type from its bytes (never from what the client claims), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return DOCX
                if (
                    "content.xml" in names
                    and "mimetype" in names
                    and archive.read("mimetype").strip() == ODT.encode()
                ):
                    return ODT
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        return None
    if filename.lower().endswith((".txt", ".md")) and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return TXT
    return None


def extract_text(data: bytes, content_type: str) -> str:
    """The searchable text of a document. Broken files raise UnreadableDocument."""
    try:
        if content_type == PDF:
            text = _pdf_text(data)
        elif content_type == DOCX:
            text = _xml_text(data, "word/document.xml")
        elif content_type == ODT:
            text = _xml_text(data, "content.xml")
        else:
            text = data.decode("utf-8")
    except UnreadableDocument:
        raise
    except Exception as exc:  # a malformed upload must never become a 500
        raise UnreadableDocument(str(exc)) from exc
    return re.sub(r"\s+", " ", text.replace("\x00", " ")).strip()[:MAX_EXTRACTED_CHARS]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise UnreadableDocument("encrypted PDF")
    parts: list[str] = []
    size = 0
    for page in reader.pages[:2000]:
        chunk = page.extract_text() or ""
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_EXTRACTED_CHARS:
            break
    return "\n".join(parts)


def _xml_text(data: bytes, member: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
        if info.file_size > 50 * 1024 * 1024:
            raise UnreadableDocument("document too large when unpacked")
        xml = archive.read(member)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise UnreadableDocument("document type declarations are not accepted")
    root = ElementTree.fromstring(xml)
    paragraphs = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("p", "h"):
            paragraphs.append("".join(element.itertext()))
    return "\n".join(paragraphs)
