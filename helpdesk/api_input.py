"""What every API request body goes through: no unknown fields, no JSON value of another type than
the schema documents (DRF would coerce 5 into "5" and "true" into True), and a schema that says so."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.settings import api_settings


def _json_type_matches(field: serializers.Field, value) -> bool:
    """Whether a JSON value has the type the schema documents for `field` (DRF would coerce 5 into "5",
    "5" into 5 and "true" into True, accepting what the schema says is invalid)."""
    if value is None:
        return True  # allow_null decides
    if isinstance(field, serializers.ListField):
        return isinstance(value, list) and all(_json_type_matches(field.child, item) for item in value)
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.IntegerField):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.DecimalField | serializers.FloatField):
        return isinstance(value, int | float | str) and not isinstance(value, bool)
    if isinstance(field, serializers.ChoiceField):
        return any(type(value) is type(choice) for choice in field.choices)
    if isinstance(field, serializers.CharField | serializers.DateField | serializers.DateTimeField):
        return isinstance(value, str)
    return True


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, and JSON values of another type than documented, instead of
    silently ignoring or coercing them. The schema says so too (`additionalProperties: false`)."""

    IGNORED = frozenset({"csrfmiddlewaretoken"})  # sent by HTML forms (the browsable API)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Expected a JSON object.")]}
            )
        unknown = sorted(str(key) for key in data if key not in self.fields and key not in self.IGNORED)
        if unknown:
            raise serializers.ValidationError({key[:100]: [_("Unknown field.")] for key in unknown[:20]})
        if not isinstance(data, QueryDict):  # JSON; form fields are all text, and DRF converts them
            wrong = [name for name, value in data.items()
                     if name in self.fields and not _json_type_matches(self.fields[name], value)]
            if wrong:
                raise serializers.ValidationError({name: [_("Wrong type of value.")] for name in wrong})
        return super().to_internal_value(data)


class StrictInputSerializerExtension(OpenApiSerializerExtension):
    """Documents a strict input serializer with `additionalProperties: false`."""

    target_class = "helpdesk.api_input.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema
