"""Choice fields of the tickets API, each documented as one named enum component (TicketStatusEnum, ...).

Shared by the output serializers (`tickets.api.serializers`) and the input ones (`tickets.api.inputs`).
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import serializers

from tickets.models import Message, Ticket


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum component (TicketStatusEnum, ...).

    drf-spectacular otherwise names enums after the field (`kind`, `status`), which collides as soon as
    two apps (or tickets and messages) use the same field name for different choice sets.
    """

    def __init__(self, *, component_name: str, **kwargs):
        self.component_name = component_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)
        schema["enum"] = [value for value in schema["enum"] if value not in ("", None)]
        component = ResolvedComponent(
            name=field.component_name, type=ResolvedComponent.SCHEMA, object=field.component_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_null:
            return {"oneOf": [component.ref], "nullable": True}
        return component.ref


def status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Status.choices, component_name="TicketStatusEnum", **kwargs)


def priority_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Priority.choices, component_name="TicketPriorityEnum", **kwargs)


def kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Kind.choices, component_name="TicketKindEnum", **kwargs)


def channel_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Ticket.Channel.choices, component_name="TicketChannelEnum", **kwargs)


def language_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=settings.LANGUAGES, component_name="LanguageCodeEnum", **kwargs)


def message_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Message.Kind.choices, component_name="MessageKindEnum", **kwargs)
