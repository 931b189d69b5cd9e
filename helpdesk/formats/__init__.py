"""Date, time and number formats that Django's own locales lack (settings.FORMAT_MODULE_PATH).

Django looks here first, then in its own `django/conf/locale/<language>/formats.py`, then in the global
settings (US style: "N j, Y, P", a 12-hour clock). Estonian ships only a few formats, so without this
an Estonian page showed "12/03/2026 4:56 e.l.". tests/tickets/test_date_formats.py checks that every
language of settings.LANGUAGES has a full, consistent set (one order of day and month, one clock).
"""
