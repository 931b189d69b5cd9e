from tests.shipped.fixtures import shipped_desk  # noqa: F401 - the fixture, for the tests of this folder
