"""Browser forms of the escalation app: parse input, never write (the services do)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from escalation.models import Escalation, RemedyKind


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


class GuidanceForm(forms.Form):
    guidance = forms.CharField(label=_("Guidance for the agent"), max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Reassign to"), queryset=None)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000)

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
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must be before the end date."))
        return data
