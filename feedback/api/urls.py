from feedback.api import urls_feedback

urlpatterns = [*urls_feedback.urlpatterns]
