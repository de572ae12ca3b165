"""Posting an admin change form back as a browser would."""


def admin_form_data(response) -> dict:
    """The admin change form's current values (main form and inlines), ready to post back."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        forms.extend(formset.forms)
    for form in forms:
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            widget = field.field.widget
            if hasattr(widget, "widgets") and not isinstance(value, str):  # split date/time
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
                continue
            data[field.html_name] = value
    return data
