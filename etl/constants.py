"""Constants more than one stage needs, each in one place (a stage imports them from here, never from another
stage): one edit changes them everywhere."""

from __future__ import annotations

from datetime import timedelta, timezone

# The documents' time zone: a date without a time is a calendar day in Beijing. China has had one fixed offset
# without daylight saving since 1991; every date we read is later, so a fixed offset is exact and needs no tz
# database on the machine.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

# Two documents whose 64-bit simhashes differ in at most this many bits are copies of one story: the transform
# fingerprints, the load links copies. How it was chosen: tests/extract/test_duplicates.py and bench/README.md.
DUPLICATE_MAX_DISTANCE = 6

# A figure's qualifier as written (约, 超过, 以上 …) and an agency's level: the transform makes them, the schema's
# CHECK constraints hold the load to them, corrections and the rule tables are checked against them.
QUALIFIERS = ("exact", "approx", "more_than", "at_least", "less_than", "at_most", "range")
LEVELS = ("national", "provincial", "prefectural", "county", "township")
