"""Business days in the shipper's country: its weekend and its public holidays (the ``holidays`` package)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from onboard.businesses import BUSINESSES

if TYPE_CHECKING:
    import holidays

#: UK-wide holidays leave out Easter Monday and the August bank holiday, which England observes and
#: where most UK shippers (and Amazon's UK support) work; other countries use their national list
_SUBDIVISION = {"GB": "ENG"}


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    country: str
    _holidays: holidays.HolidayBase

    def is_business_day(self, day: date) -> bool:
        # holidays knows each country's weekend (Friday and Saturday in Saudi Arabia and Egypt)
        return day.weekday() not in self._holidays.weekend and day not in self._holidays

    def add(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself never counts)."""
        if days < 1:
            raise ValueError("count at least one business day")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_business_day(day):
                days -= 1
        return day


@cache
def calendar_for(country: str) -> BusinessCalendar:
    # imported here: loading holidays and a country's rules takes ~0.2 s, which only a step with a
    # due date needs, not every 'onboard status'
    import holidays  # noqa: PLC0415

    return BusinessCalendar(country, holidays.country_holidays(country, subdiv=_SUBDIVISION.get(country)))


def calendar_for_business(business_id: str) -> BusinessCalendar:
    """The calendar of the country a shipping business serves (``AmazonShipping_UK`` → GB)."""
    return calendar_for(BUSINESSES[business_id].country_code)
