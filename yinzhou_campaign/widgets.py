"""Form widgets that render fast on long choice lists.

Django renders every <option> of a Select through a template include (≈ 0.1 ms each). The
task list's unit filter lists every unit: at city scale (300 units) that made the filter form
73% of the page's time (bench/findings.md). PlainSelect writes the same HTML in Python.
"""

from __future__ import annotations

from html import escape

from django import forms
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """Like django.forms.utils.flatatt (True → bare name, False/None → left out), without lazy wrappers."""
    out = []
    for key, value in attrs.items():
        if value is True:
            out.append(f" {key}")
        elif value is not False and value is not None:
            out.append(f' {key}="{escape(str(value))}"')
    return "".join(out)


class PlainSelect(forms.Select):
    """A single <select>, with the same markup as Django's (attributes, optgroups, selected)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = "".join(
                f'<option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{escape(str(option['label']))}</option>"
                for option in options
            )
            parts.append(f'<optgroup label="{escape(str(group_name))}">{rendered}</optgroup>' if group_name else rendered)
        return mark_safe(f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>{"".join(parts)}</select>')


def use_plain_selects(form: forms.Form) -> None:
    """Swap the form's single-choice Select widgets for PlainSelect (same attributes and choices)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            field.widget = PlainSelect(attrs=widget.attrs, choices=widget.choices)
