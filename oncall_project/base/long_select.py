"""A <select> of many options (every team) written in Python: Django renders each option
through a template of its own, some 0.2 ms apiece, so 1,000 teams cost a page 200 ms."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """The same HTML as forms.Select for flat choices (no groups), in a fraction of the time:
    each option escaped as Django's templates do (html.escape), joined once."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        options = mark_safe(options)  # noqa: S308 (each key and label escaped above)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, attributes, options)
