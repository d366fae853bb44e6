"""Reading rendered pages: the one HTML helper of the tests.

`Page(html)` parses a page once into a tree of `Element`s (the standard library's parser, no
dependency) and answers what tests ask of it: the CSRF token, forms, links, flash messages,
tables, the text a reader sees, elements by tag, id, class or attribute, and what the
accessibility checks need (controls and their labels, field errors, the title and language).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Elements whose text a reader does not see.
_UNSHOWN = frozenset({"script", "style", "template", "title"})
# Attributes whose values are read out or shown to the user.
_SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-confirm")


def squash(text: str) -> str:
    """Whitespace as a browser shows it: runs become one space, none at the ends."""
    return " ".join(text.split())


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set(self.get("class").split())

    @property
    def is_hidden(self) -> bool:
        return self.tag == "input" and self.get("type", "text").lower() == "hidden"

    @property
    def text(self) -> str:
        """The element's text as `textContent` gives it (scripts and styles left out),
        whitespace squashed."""
        return squash("".join(self._strings()))

    def strings(self) -> list[str]:
        """Each piece of text inside, in order, whitespace squashed, empty pieces left out."""
        return [s for s in (squash(part) for part in self._strings()) if s]

    def elements(self) -> Iterator[Element]:
        """Every element inside, depth first, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.elements()

    def find_all(
        self, tag: str | None = None, *, class_: str | None = None, **attrs: str
    ) -> list[Element]:
        """Elements inside named `tag` (any if None) having the class `class_` and the given
        attribute values (`data_confirm="..."` stands for `data-confirm`)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.elements()
            if (tag is None or element.tag == tag)
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, *, class_: str | None = None, **attrs: str) -> Element:
        """The one element that matches; fails the test if there are none or several."""
        found = self.find_all(tag, class_=class_, **attrs)
        assert len(found) == 1, f"{len(found)} elements match {tag!r} {class_!r} {attrs!r}"
        return found[0]

    def texts(self, tag: str) -> list[str]:
        return [element.text for element in self.find_all(tag)]

    def links(self) -> list[Link]:
        return [Link(a.get("href"), a.text) for a in self.find_all("a") if "href" in a.attrs]

    def _strings(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in _UNSHOWN:
                yield from child._strings()


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    element: Element


@dataclass
class Link:
    href: str
    text: str


class Page:
    """A parsed page; every query reads the same tree."""

    def __init__(self, html: str) -> None:
        builder = _TreeBuilder()
        builder.feed(html)
        builder.close()
        self.root = builder.root

    def find_all(
        self, tag: str | None = None, *, class_: str | None = None, **attrs: str
    ) -> list[Element]:
        return self.root.find_all(tag, class_=class_, **attrs)

    def find(self, tag: str | None = None, *, class_: str | None = None, **attrs: str) -> Element:
        return self.root.find(tag, class_=class_, **attrs)

    def within(self, element_id: str) -> Element:
        """The element with this id, to ask about its part of the page."""
        return self.find(id=element_id)

    def texts(self, tag: str, within: str | None = None) -> list[str]:
        """The text of every `tag` element (inside the element with id `within`, if given)."""
        scope = self.within(within) if within else self.root
        return scope.texts(tag)

    @cached_property
    def text(self) -> str:
        """Every piece of text a reader sees, one space apart."""
        return " ".join(self.root.strings())

    @property
    def csrf_token(self) -> str:
        tokens = {element.get("value") for element in self.find_all("input", name="csrf_token")}
        assert len(tokens) == 1, f"{len(tokens)} different CSRF tokens in the page"
        return tokens.pop()

    @property
    def forms(self) -> list[Form]:
        return [_form(element) for element in self.find_all("form")]

    def form(self, action: str) -> Form:
        found = [form for form in self.forms if form.action == action]
        assert len(found) == 1, f"{len(found)} forms post to {action!r}"
        return found[0]

    def links(self, within: str | None = None) -> list[Link]:
        return (self.within(within) if within else self.root).links()

    @property
    def flashes(self) -> list[str]:
        """The flash messages (and a refused form's message for the whole form)."""
        return [element.text for element in self.find_all(class_="flash")]

    @property
    def tables(self) -> list[list[list[str]]]:
        """Every table as rows of cell texts (header cells included)."""
        return [table_rows(table) for table in self.find_all("table")]

    def table_rows(self, within: str | None = None) -> list[list[str]]:
        """The rows of every table (inside the element with id `within`, if given)."""
        scope = self.within(within) if within else self.root
        return table_rows(scope)

    # What the accessibility and translation checks read.

    @property
    def html_lang(self) -> str | None:
        html = self.find_all("html")
        return html[0].attrs.get("lang") if html else None

    @property
    def title(self) -> str:
        titles = self.find_all("title")
        return "".join(child for t in titles for child in t.children if isinstance(child, str))

    @property
    def ids(self) -> list[str]:
        return [element.attrs["id"] for element in self.root.elements() if "id" in element.attrs]

    @property
    def controls(self) -> list[Element]:
        return [e for e in self.root.elements() if e.tag in ("input", "select", "textarea")]

    def control(self, name: str) -> Element:
        found = [c for c in self.controls if c.get("name") == name and not c.is_hidden]
        assert len(found) == 1, f"{len(found)} controls named {name!r}"
        return found[0]

    def unlabelled_controls(self) -> list[str]:
        targets = {label.get("for") for label in self.find_all("label") if "for" in label.attrs}
        return [
            f"<{c.tag} name={c.attrs.get('name')!r} id={c.attrs.get('id')!r}>"
            for c in self.controls
            if not c.is_hidden and c.attrs.get("id") not in targets
        ]

    @property
    def field_errors(self) -> dict[str, str]:
        """The message under each refused field, by the field's name."""
        return {
            p.get("id").removesuffix("-error"): p.text
            for p in self.find_all("p", class_="field-error")
        }

    @property
    def shown_strings(self) -> set[str]:
        """Every piece of text a reader sees or hears, whitespace squashed."""
        attributes = [
            element.attrs[name]
            for element in self.root.elements()
            for name in _SHOWN_ATTRIBUTES
            if name in element.attrs
        ]
        parts = self.root.strings() + attributes + self.title.split("·")
        return {squash(part) for part in parts} - {""}


def csrf_from(html: str) -> str:
    """The CSRF token of a page's forms."""
    return Page(html).csrf_token


def table_rows(scope: Element) -> list[list[str]]:
    return [
        [cell.text for cell in row.elements() if cell.tag in ("td", "th")]
        for row in scope.find_all("tr")
    ]


def _form(element: Element) -> Form:
    fields: dict[str, str] = {}
    for control in element.elements():
        name = control.get("name")
        if not name or control.tag not in ("input", "select", "textarea"):
            continue
        if control.tag == "select":
            options = control.find_all("option")
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            fields[name] = chosen[0].get("value", chosen[0].text) if chosen else ""
        elif control.tag == "textarea":
            fields[name] = "".join(c for c in control.children if isinstance(c, str))
        elif control.get("type").lower() in ("checkbox", "radio"):
            if "checked" in control.attrs:
                fields[name] = control.get("value", "on")
        elif control.get("type").lower() not in ("submit", "button", "reset", "file"):
            fields[name] = control.get("value")
    return Form(element.get("action"), element.get("method", "get").lower(), fields, element)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._open[-1].children.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        # An end tag closes the nearest open element of its name and any left open inside it;
        # one with no open element of its name is ignored, as browsers do.
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)
