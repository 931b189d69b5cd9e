"""An escalation rule's parameters in the admin: documented per trigger (ack_around_the_clock too),
and checked against what the trigger reads, with a clear message that keeps what was typed."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from escalation.forms import EscalationRuleAdminForm
from escalation.models import RULE_PARAMETERS, EscalationRule, Trigger

pytestmark = pytest.mark.django_db


def form(trigger=Trigger.MANUAL, parameters="{}") -> EscalationRuleAdminForm:
    return EscalationRuleAdminForm(data={"name": "Rule", "trigger": trigger, "is_active": "on",
                                         "parameters": parameters})


def errors(trigger, parameters: str) -> list[str]:
    f = form(trigger, parameters)
    assert not f.is_valid()
    return f.errors["parameters"]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


ADD = "admin:escalation_escalationrule_add"


# --- The help text ------------------------------------------------------------------------------


def test_the_model_help_text_documents_ack_around_the_clock():
    help_text = str(EscalationRule._meta.get_field("parameters").help_text)
    assert "ack_around_the_clock" in help_text
    assert "around the clock" in help_text and "business hours" in help_text


def test_the_model_help_text_names_every_parameter_a_rule_understands():
    help_text = str(EscalationRule._meta.get_field("parameters").help_text)
    for params in RULE_PARAMETERS.values():
        for key in params:
            assert key in help_text


def test_the_admin_page_lists_every_trigger_with_its_parameters_and_defaults(admin_client):
    body = admin_client.get(reverse(ADD)).content.decode()
    for trigger, params in RULE_PARAMETERS.items():
        line = f"<li>{escape(Trigger(trigger).label)}: " + ", ".join(f"{k} = {v}" for k, v in params.items()) + "</li>"
        assert line in body


# --- Validation ---------------------------------------------------------------------------------


def test_an_unknown_name_is_refused_naming_the_known_ones():
    [message] = errors(Trigger.COMPLAINT, '{"target_hour": 4}')
    assert "target_hour" in message
    assert "ack_minutes, ack_around_the_clock, target_hours" in message


def test_a_name_of_another_trigger_is_refused():
    [message] = errors(Trigger.MANUAL, '{"warning_percent": 80}')
    assert "Unknown parameter warning_percent" in message


def test_a_number_in_quotes_is_refused_with_an_example():
    [message] = errors(Trigger.SLA_RESOLUTION, '{"ack_minutes": "30"}')
    assert message == "ack_minutes must be a number, written without quotes, for example 60."


@pytest.mark.parametrize("value", ["true", "null", "[1]", "{}", "NaN", "Infinity"])
def test_a_value_that_is_not_a_finite_number_is_refused(value):
    [message] = errors(Trigger.SLA_RESOLUTION, f'{{"warning_percent": {value}}}')
    assert message.startswith("warning_percent must be a number")


@pytest.mark.parametrize("value", ["2", "0.5", "-1", "true", '"1"'])
def test_ack_around_the_clock_must_be_0_or_1(value):
    assert errors(Trigger.SERVICE_RECOVERY, f'{{"ack_around_the_clock": {value}}}') == [
        "ack_around_the_clock must be 0 (off) or 1 (on)."]


@pytest.mark.parametrize("value", [0, 1])
def test_ack_around_the_clock_accepts_0_and_1(value):
    f = form(Trigger.SERVICE_RECOVERY, json.dumps({"ack_around_the_clock": value, "ack_minutes": 15}))
    assert f.is_valid(), f.errors


def test_a_zero_or_negative_threshold_is_refused():
    assert errors(Trigger.COMPLAINT, '{"target_hours": 0}') == ["target_hours must be a positive number."]


def test_a_count_must_be_whole():
    assert errors(Trigger.REPEAT_CONTACT, '{"ticket_count": 2.5}') == ["ticket_count must be a whole number."]


def test_a_fractional_duration_is_fine():
    assert form(Trigger.REPEAT_CONTACT, '{"window_days": 1.5}').is_valid()


@pytest.mark.parametrize(("key", "value", "maximum"), [("warning_percent", 120, 100), ("max_stars", 6, 5)])
def test_a_threshold_above_its_range_is_refused(key, value, maximum):
    trigger = Trigger.SLA_FIRST_RESPONSE if key == "warning_percent" else Trigger.SERVICE_RECOVERY
    assert errors(trigger, json.dumps({key: value})) == [f"{key} must be at most {maximum}."]


def test_every_problem_is_reported_at_once():
    messages = errors(Trigger.REPEAT_CONTACT, '{"reopen_count": 1.5, "ack_around_the_clock": 3, "colour": 1}')
    assert len(messages) == 3


def test_parameters_that_are_not_an_object_are_refused():
    assert errors(Trigger.MANUAL, "[1, 2]") == ["Parameters must be an object of names and numbers."]


def test_every_default_passes_its_own_validation():
    for trigger, params in RULE_PARAMETERS.items():
        assert form(trigger, json.dumps(params)).is_valid(), trigger


# --- Through the admin --------------------------------------------------------------------------


def test_the_admin_saves_a_rule_counted_around_the_clock(admin_client):
    response = admin_client.post(reverse(ADD), {
        "name": "Recovery 24/7", "trigger": Trigger.SERVICE_RECOVERY, "is_active": "on",
        "parameters": '{"ack_minutes": 15, "ack_around_the_clock": 1}'})
    assert response.status_code == 302
    rule = EscalationRule.objects.get(name="Recovery 24/7")
    assert rule.param("ack_around_the_clock") == 1


def test_the_admin_refuses_an_unknown_name_and_keeps_what_was_typed(admin_client):
    typed = '{"ack_minutes": 15, "ack_around_the_clok": 1}'
    response = admin_client.post(reverse(ADD), {
        "name": "Recovery typo", "trigger": Trigger.SERVICE_RECOVERY, "is_active": "on", "parameters": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown parameter ack_around_the_clok for this trigger; allowed: " in body
    assert "ack_minutes, ack_around_the_clock, max_stars" in body
    assert "ack_around_the_clok" in response.context["adminform"].form["parameters"].value()
    assert not EscalationRule.objects.filter(name="Recovery typo").exists()


def test_the_admin_reports_invalid_json_without_an_error_page(admin_client):
    response = admin_client.post(reverse(ADD), {
        "name": "Broken", "trigger": Trigger.MANUAL, "is_active": "on", "parameters": '{"ack_minutes": 30'})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parameters"]
    assert not EscalationRule.objects.filter(name="Broken").exists()


def test_changing_the_trigger_refuses_names_the_new_one_does_not_read(admin_client):
    rule = EscalationRule.objects.create(name="Complaints", trigger=Trigger.COMPLAINT,
                                         parameters={"target_hours": 4})
    response = admin_client.post(reverse("admin:escalation_escalationrule_change", args=[rule.pk]), {
        "name": "Complaints", "trigger": Trigger.MANUAL, "is_active": "on", "parameters": '{"target_hours": 4}'})
    assert response.status_code == 200
    assert "Unknown parameter target_hours" in response.content.decode()
    rule.refresh_from_db()
    assert rule.trigger == Trigger.COMPLAINT


def test_the_model_applies_the_same_rules_as_the_admin_form_for_every_writer():
    rule = EscalationRule(name="x", trigger="sla_resolution",
                          parameters={"ack_around_the_clock": 2, "warning_percent": 150})
    with pytest.raises(ValidationError) as refused:
        rule.clean()
    assert refused.value.message_dict["parameters"] == [
        "ack_around_the_clock must be 0 (off) or 1 (on).", "warning_percent must be at most 100."
    ]
