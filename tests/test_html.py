"""The tests' HTML helper reads what a browser would: nesting, void elements, forms, flashes."""

from __future__ import annotations

from tests.html import Page, csrf_from

HTML = """<!doctype html><html lang="en"><head><title>Home · Portal</title>
<style>p { color: red }</style></head><body>
<div class="flash flash-success" role="status">Saved.</div>
<nav><a href="/one">One</a> <a href="/two"><span>Two</span></a></nav>
<main id="main"><p>Hello,<br>  <b>world</b></p>
<form method="post" action="/go"><input type="hidden" name="csrf_token" value="t0k">
<label for="n">Name</label><input id="n" name="name" value="Ann">
<input type="checkbox" name="agree" checked><input type="checkbox" name="spam">
<select name="size"><option value="s">S</option><option value="m" selected>M</option></select>
<textarea name="note">a note</textarea><button type="submit">Go</button></form>
<table><tr><th>Who</th><th>Score</th></tr><tr><td>Ann <i>B.</i></td><td>5</td></tr></table>
<p class="field-error" id="name-error">Too short.</p></div></main></body></html>"""


def test_the_page_is_read_as_a_tree_with_text_as_shown() -> None:
    page = Page(HTML)
    assert page.html_lang == "en" and page.title == "Home · Portal"
    assert page.within("main").texts("p") == ["Hello, world", "Too short."]
    assert "color" not in page.text and page.text.startswith("Saved. One Two Hello,")
    assert [(link.href, link.text) for link in page.links()] == [("/one", "One"), ("/two", "Two")]
    assert page.flashes == ["Saved."]
    assert page.table_rows() == [["Who", "Score"], ["Ann B.", "5"]]
    assert page.field_errors == {"name": "Too short."}
    assert page.unlabelled_controls() == [
        "<input name='agree' id=None>",
        "<input name='spam' id=None>",
        "<select name='size' id=None>",
        "<textarea name='note' id=None>",
    ]


def test_forms_give_what_a_browser_would_submit() -> None:
    form = Page(HTML).form("/go")
    assert (form.method, form.fields) == (
        "post",
        {"csrf_token": "t0k", "name": "Ann", "agree": "on", "size": "m", "note": "a note"},
    )
    assert csrf_from(HTML) == "t0k"
