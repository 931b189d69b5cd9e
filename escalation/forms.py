"""Browser forms of the escalation app: parse input, never write (the services do)."""

from decimal import Decimal

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from escalation.models import RULE_PARAMETERS, Escalation, EscalationRule, RemedyKind, Trigger
from helpdesk.dates import DateParameterField


class EscalateForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Why"), choices=Escalation.Reason.choices)
    reason_text = forms.CharField(label=_("In your words"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    tried = forms.CharField(label=_("What you tried (optional)"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class RemedyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Remedy"), choices=RemedyKind.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0"), max_digits=10, decimal_places=2,
                                help_text=_("Money, or a percentage for a discount."))
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3, initial="EUR")
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_currency(self):
        value = self.cleaned_data["currency"].upper()
        if not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code, for example EUR."))
        return value


# The escalation page shows the return, reassign and resolve forms together: each has its own prefix
# (PREFIX), so no two fields share an id and every label names exactly one field.


class GuidanceForm(forms.Form):
    PREFIX = "return"
    guidance = forms.CharField(label=_("Guidance for the agent"), max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    """The supervisor resolves the escalation: what they did."""

    PREFIX = "resolve"
    note = forms.CharField(label=_("What was done (optional)"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    PREFIX = "reassign"
    to_user = forms.ModelChoiceField(label=_("Reassign to"), queryset=None)
    note = forms.CharField(label=_("Note for the new handler (optional)"), required=False, max_length=1000)

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = handlers
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("deny", _("Deny"))],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note for the agent"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MeasuresFilterForm(forms.Form):
    date_from = DateParameterField(label=_("From"), required=False)
    date_to = DateParameterField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        return data


# --- Escalation rules (admin) --------------------------------------------------------------------

def _parameters_help() -> SafeString:
    """The parameters field's help: what each name means (the model's help text), then every trigger
    with the names it understands and their defaults (from RULE_PARAMETERS, so it cannot drift)."""
    defaults = format_html_join(
        "", "<li>{}: {}</li>",
        ((Trigger(trigger).label, ", ".join(f"{key} = {value}" for key, value in params.items()))
         for trigger, params in RULE_PARAMETERS.items()),
    )
    return format_html("{}<br>{}<ul>{}</ul>", EscalationRule._meta.get_field("parameters").help_text,
                       _("Names each trigger understands, with their defaults:"), defaults)


class EscalationRuleAdminForm(forms.ModelForm):
    """The rule with its parameters explained per trigger; `EscalationRule.clean()` checks them (every
    problem reported at once), so the admin and any other writer apply the same rules."""

    class Meta:
        model = EscalationRule
        fields = ("name", "trigger", "queue", "is_active", "parameters")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parameters"].help_text = _parameters_help()

    def clean_parameters(self):
        return {} if self.cleaned_data.get("parameters") is None else self.cleaned_data["parameters"]
