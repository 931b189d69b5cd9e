"""Forms a customer fills in without logging in: the support form, a reply, and "send me a fresh link"."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tickets import attachments
from tickets.exceptions import InvalidAttachment
from tickets.forms.fields import MessageField


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """Optional files (several may be chosen at once), each checked by `tickets.attachments` (size,
    extension, content), together within the per-submission count and total size; cleans to a list of
    CheckedFile (empty when none was chosen). Every refused file is named in the error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = attachments.ACCEPT_ATTRIBUTE

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        checked, errors = [], []
        for upload in uploads:
            upload = super().clean(upload, initial)
            if not upload:
                continue
            try:
                checked.append(attachments.check_upload(upload))
            except InvalidAttachment as exc:
                errors.append(forms.ValidationError(exc.detail, code=exc.code))
        if errors:
            raise forms.ValidationError(errors)
        try:
            attachments.check_total_size(checked)
        except InvalidAttachment as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc
        return checked


def attachment_help_text() -> str:
    return _(
        "Optional. PDF, images, text, office documents or ZIP, at most %(limit)s each; "
        "up to %(n)d files, %(total)s in all."
    ) % {"limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES), "n": attachments.max_files(),
         "total": filesizeformat(attachments.max_total_bytes())}


class _PublicForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if "attachment" in self.fields:
            self.fields["attachment"].help_text = attachment_help_text()


class SupportForm(_PublicForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email"), max_length=254,
                             help_text=_("We send the confirmation and our answers here."))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = MessageField(label=_("How can we help?"))
    attachment = AttachmentField()
    # The honeypot: hidden from people (CSS class and aria-hidden), filled in by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Please give your request a subject."))
        return subject

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if len(description) < 5:
            raise forms.ValidationError(_("Please tell us a little more (at least 5 characters)."))
        return description

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class ReplyForm(_PublicForm):
    body = MessageField(label=_("Your reply"), rows=5)
    attachment = AttachmentField()

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Please write a reply."))
        return body


class FreshLinkForm(_PublicForm):
    email = forms.EmailField(label=_("Your email"), max_length=254)
