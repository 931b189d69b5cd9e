app_name = "escalation"

urlpatterns: list = []
