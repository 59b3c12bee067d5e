"""Every user-visible string is marked for translation, in templates and Python (tests/translation_scan.py).

A finding names the file, a line and the text: wrap it in {% translate %} / {% blocktranslate %} or
gettext_lazy. The exceptions below are the only ones, each with its reason.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from tests.translation_scan import scan_python, scan_template, scan_tree

ROOT = Path(settings.BASE_DIR)
APPS = ["accounts", "notifications", "programs", "pairing", "meetings", "circles", "surveys", "evaluation",
        "scim", "api", "mentoring"]
# Template text allowed as written, with why.
ALLOWED_TEXT = frozenset({
    "Flipside",  # the product's name: the same in every language
    "· Flipside",  # the title suffix after the page's own (translated) title
    "— Flipside",  # an e-mail's signature: the product's name
})
# (file, finding) pairs allowed in Python, with why. None today; add one only with a reason.
ALLOWED_PYTHON: frozenset[tuple[str, str]] = frozenset()


def test_no_template_or_python_module_shows_an_unmarked_string():
    findings = scan_tree(ROOT, template_dirs=["templates"], apps=APPS, allowed_text=ALLOWED_TEXT,
                         allowed_python=ALLOWED_PYTHON)
    assert findings == [], "mark these for translation:\n" + "\n".join(map(str, findings))


# --- the scanner itself: it finds what it should and nothing else ------------------------------


def _template(source: str, *, html: bool = True) -> list[str]:
    return [f.text for f in scan_template(source, path="t.html", html=html, allowed=ALLOWED_TEXT)]


def test_the_template_scan_finds_plain_text_and_readable_attributes():
    source = """{% load i18n %}<h1>Welcome back</h1>
<img src="x.png" alt="Our team"><input placeholder="Search people">
<a href="/x" title="{% translate 'Fine' %}" aria-label="Open menu">{% translate "Fine" %}</a>"""
    assert _template(source) == ["alt=Our team", "placeholder=Search people", "aria-label=Open menu",
                                 "Welcome back"]


def test_the_template_scan_ignores_what_is_not_shown_as_written():
    source = """{% load i18n %}{# a note #}{% comment %}Why this is here{% endcomment %}
{% block layout_class %}layout-sidebar{% endblock %}
<script>var label = "not text";</script><style>.x::after { content: "x"; }</style><!-- html note -->
<p>{% translate "Hello" %} {{ user.full_name }} &middot; 42 ·
{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}</p>
<{% if href %}a href="{{ href }}"{% else %}button{% endif %} class="button">{% translate "Go" %}
</{% if href %}a{% else %}button{% endif %}>
<dl><dt><code>manager email</code></dt></dl><pre>name,email</pre>
<span>Flipside</span>"""
    assert _template(source) == []


def test_the_template_scan_reads_e_mail_text_bodies_too():
    assert _template("{% load i18n %}Hello {{ name }},\n{% translate 'Thanks' %}", html=False) == ["Hello ,"]


def _python(source: str) -> list[str]:
    return [f.text for f in scan_python(source, path="m.py")]


def test_the_python_scan_finds_literals_where_people_read_them():
    source = '''
from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpResponse
def view(request, n):
    messages.success(request, "Saved.")
    messages.error(request, f"{n} rows failed")
    raise forms.ValidationError("Too long: %s" % n)
class Kind(models.TextChoices):
    A = "a", "Apple"
class F(forms.Form):
    name = forms.CharField(label="Name", help_text="Your {}".format("name"),
                           choices=[("x", "Ex")])
    class Meta:
        verbose_name = "thing"
        labels = {"name": "Full name"}
def page(request):
    return HttpResponse("Nothing here")
'''
    assert _python(source) == [
        "messages.success: Saved.", "messages.error:  rows failed", "ValidationError: Too long: %s",
        "Kind label: Apple", "label=: Name", "help_text=: Your {}", "choices=: Ex",
        "Meta.verbose_name: thing", "Meta.labels: Full name", "HttpResponse: Nothing here",
    ]


def test_the_python_scan_accepts_marked_strings_and_data():
    source = '''
from django.utils.translation import gettext_lazy as _
def view(request, error, n):
    messages.success(request, _("Saved."))
    messages.error(request, " ".join(error.messages))
    raise ValidationError(_("%(n)s rows") % {"n": n}, code="rows")
class Kind(models.TextChoices):
    A = "a", _("Apple")
field = forms.CharField(label=_("Name"), choices=[("x", _("Ex"))])
response = HttpResponse(body, content_type="text/csv")
'''
    assert _python(source) == []
