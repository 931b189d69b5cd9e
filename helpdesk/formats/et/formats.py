# Estonian: day before month, a 24-hour clock, weeks from Monday (Django ships only the date formats).
# The format strings use Django's date format syntax: https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date
DATE_FORMAT = "j. F Y"  # '3. detsember 2026'
TIME_FORMAT = "G:i"  # "9:05" (as Django's own Estonian TIME_FORMAT)
DATETIME_FORMAT = "j. F Y G:i"  # "3. detsember 2026 9:05"
YEAR_MONTH_FORMAT = "F Y"  # 'detsember 2026'
MONTH_DAY_FORMAT = "j. F"  # '3. detsember'
SHORT_DATE_FORMAT = "d.m.Y"  # '03.12.2026'
SHORT_DATETIME_FORMAT = "d.m.Y G:i"  # "03.12.2026 9:05"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '03.12.2026'
    "%d.%m.%y",  # '03.12.26'
    "%Y-%m-%d",  # '2026-12-03'
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",  # '03.12.2026 09:05:59'
    "%d.%m.%Y %H:%M",  # '03.12.2026 09:05'
    "%d.%m.%y %H:%M",  # '03.12.26 09:05'
    "%Y-%m-%d %H:%M:%S",  # '2026-12-03 09:05:59'
    "%Y-%m-%d %H:%M",  # '2026-12-03 09:05'
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%H.%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
