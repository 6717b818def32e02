"""'Decision expected by': N business days later, skipping the weekend and the shipper's public holidays."""

from __future__ import annotations

from datetime import date

import pytest

from onboard.checklist.business_days import calendar_for, calendar_for_business


@pytest.mark.parametrize(
    ("country", "submitted", "expected", "why"),
    [
        ("US", date(2026, 6, 1), date(2026, 6, 8), "Monday + 5 is the next Monday"),
        ("US", date(2026, 6, 5), date(2026, 6, 12), "Friday + 5 skips one weekend"),
        ("US", date(2026, 6, 6), date(2026, 6, 12), "a Saturday submission counts from Monday"),
        ("US", date(2026, 11, 23), date(2026, 12, 1), "Thanksgiving, Thursday 2026-11-26, is not a business day"),
        ("US", date(2026, 7, 1), date(2026, 7, 9), "Independence Day 2026 falls on a Saturday: observed Friday 3rd"),
        ("GB", date(2026, 4, 2), date(2026, 4, 13), "Good Friday and Easter Monday are English bank holidays"),
        ("GB", date(2026, 12, 23), date(2027, 1, 4), "Christmas, Boxing Day observed on the 28th, New Year's Day"),
        ("GB", date(2026, 8, 27), date(2026, 9, 4), "the late summer bank holiday, Monday 2026-08-31"),
        ("SA", date(2026, 6, 3), date(2026, 6, 10), "Saudi Arabia's weekend is Friday and Saturday"),
    ],
)
def test_five_business_days_later(country: str, submitted: date, expected: date, why: str) -> None:
    assert calendar_for(country).add(submitted, 5) == expected, why


def test_the_same_lane_in_another_country_ends_on_another_day() -> None:
    # Thanksgiving is no holiday in England, Easter Monday no holiday in the US
    assert calendar_for("GB").add(date(2026, 11, 23), 5) == date(2026, 11, 30)
    assert calendar_for("US").add(date(2026, 4, 2), 5) == date(2026, 4, 9)


def test_a_business_id_brings_its_country() -> None:
    assert calendar_for_business("AmazonShipping_UK").country == "GB"
    assert calendar_for_business("AmazonShipping_US").country == "US"
    assert not calendar_for_business("AmazonShipping_UK").is_business_day(date(2026, 5, 25))  # Spring bank holiday
    assert calendar_for_business("AmazonShipping_US").is_business_day(date(2026, 5, 26))


def test_counting_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least one"):
        calendar_for("US").add(date(2026, 6, 1), 0)
