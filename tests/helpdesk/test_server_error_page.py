"""The page of a server error speaks the visitor's language too (it is rendered without the page's context)."""

from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_the_server_error_page_speaks_the_visitors_language():
    with translation.override("et"):
        page = server_error(RequestFactory().get("/support/")).content.decode()
    assert '<html lang="et">' in page
    assert "Something went wrong" not in page and "try again" not in page
