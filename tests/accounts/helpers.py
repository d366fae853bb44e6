"""Reading rendered pages with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose text is not shown to the reader.
_HIDDEN_TEXT = frozenset({"script", "style", "title", "template"})
# Attributes whose values are read out or shown to the user.
_SHOWN_ATTRIBUTES = frozenset({"aria-label", "title", "placeholder", "alt", "data-confirm"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]

    @property
    def is_hidden(self) -> bool:
        return self.tag == "input" and self.attrs.get("type", "text").lower() == "hidden"


@dataclass
class ParsedPage:
    html_lang: str | None = None
    title: str = ""
    controls: list[Control] = field(default_factory=list)
    label_targets: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    attribute_texts: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    field_errors: dict[str, str] = field(default_factory=dict)

    @property
    def shown_strings(self) -> set[str]:
        """Every piece of text a reader sees or hears, whitespace-normalised."""
        parts = self.texts + self.attribute_texts + self.title.split("·")
        return {" ".join(t.split()) for t in parts} - {""}

    def unlabelled_controls(self) -> list[str]:
        targets = set(self.label_targets)
        return [
            f"<{c.tag} name={c.attrs.get('name')!r} id={c.attrs.get('id')!r}>"
            for c in self.controls
            if not c.is_hidden and c.attrs.get("id") not in targets
        ]

    def control(self, name: str) -> Control:
        found = [c for c in self.controls if c.attrs.get("name") == name and not c.is_hidden]
        assert len(found) == 1, f"{len(found)} controls named {name!r}"
        return found[0]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._text: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._error_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag == "html":
            self.page.html_lang = values.get("lang")
        if "id" in values:
            self.page.ids.append(values["id"])
        if tag in ("input", "select", "textarea"):
            self.page.controls.append(Control(tag, values))
        if tag == "label" and "for" in values:
            self.page.label_targets.append(values["for"])
        for name in _SHOWN_ATTRIBUTES & values.keys():
            self.page.attribute_texts.append(values[name])
        if tag == "table":
            self.page.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        if tag == "p" and "field-error" in values.get("class", "").split():
            self._error_id = values.get("id", "")
            self._text = []
        if tag not in _VOID:
            self._stack.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.page.tables:
            self.page.tables[-1].append(self._row)
            self._row = None
        elif tag == "p" and self._error_id is not None:
            name = self._error_id.removesuffix("-error")
            self.page.field_errors[name] = " ".join("".join(self._text).split())
            self._error_id = None
        while self._stack:
            open_tag, _attrs = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        inside = {tag for tag, _attrs in self._stack}
        if "title" in inside:
            self.page.title += data
        if inside & _HIDDEN_TEXT:
            return
        self.page.texts.append(data)
        self._text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parse_page(html: str) -> ParsedPage:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page
