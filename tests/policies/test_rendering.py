"""A policy body becomes headings, paragraphs and lists; stored HTML is shown as text, never run."""

from __future__ import annotations

from nanobananas.policies.rendering import policy_body_html


def test_headings_paragraphs_and_lists() -> None:
    body = "Intro line one\nline two\n\n# Rights\n\n- see\n  your data\n- delete it\n\n## Small print\nEnd."
    assert policy_body_html(body) == (
        "<p>Intro line one line two</p>\n<h2>Rights</h2>\n<ul><li>see your data</li><li>delete it</li></ul>\n"
        "<h3>Small print</h3>\n<p>End.</p>"
    )


def test_html_in_the_body_is_escaped() -> None:
    html = policy_body_html('# <script>alert(1)</script>\n\n<img src=x onerror="x()"> & more')
    assert "<script>" not in html
    assert "<img" not in html
    assert html == (
        "<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>\n<p>&lt;img src=x onerror=&quot;x()&quot;&gt; &amp; more</p>"
    )
