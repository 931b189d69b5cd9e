def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "i18n_catalogues: the translation-catalogue gate (every message in et/nl/es/fi; `pytest -m i18n_catalogues`)",
    )
