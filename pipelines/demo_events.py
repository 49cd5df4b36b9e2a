"""Invent the VALPAS 2 demo's events for professionals and their attendance, deterministically.

Pure generation, no files: ``pipelines.demo`` writes what this returns as the quarterly workbooks.
Values are contract codes (``pipelines.codes``); the writer turns them into the Finnish spellings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

TOTAL_PARTICIPANTS = 1259  # the final report's professional participations (osallistumiskerrat)

# Events per quarter: few before covid, a steady rhythm after, none in the project's last month (July).
EVENTS_PER_QUARTER = {
    "2020Q1": 3, "2020Q2": 4, "2020Q3": 4, "2020Q4": 6,
    "2021Q1": 6, "2021Q2": 5, "2021Q3": 4, "2021Q4": 6,
    "2022Q1": 6, "2022Q2": 5, "2022Q3": 4, "2022Q4": 6,
    "2023Q1": 6, "2023Q2": 5,
}  # fmt: skip

TYPE_WEIGHT = {"training": 30, "network_meeting": 25, "workshop": 20, "webinar": 15, "seminar": 10}
TYPE_SIZE = {"seminar": 40, "webinar": 28, "training": 18, "workshop": 12, "network_meeting": 10}
TITLES = {  # nimi, by event type
    "training": (
        "Motivoiva haastattelu nuoren kohtaamisessa",
        "Työkyvyn arviointi ja tuki",
        "Mielenterveyden ensiapu",
        "Osatyökykyisen nuoren palvelupolut",
        "Traumatietoinen työote",
        "Ratkaisukeskeinen valmennus",
    ),
    "seminar": (
        "Nuorten osallisuus ja työkyky",
        "Jatkopolut työhön ja koulutukseen",
        "Kuntouttavan työtoiminnan kehittäminen",
    ),
    "workshop": ("Palvelupolkujen työpaja", "Yhteistyömallin työpaja", "Asiakasosallisuuden työpaja"),
    "network_meeting": (
        "Alueellinen verkostotapaaminen",
        "Työllisyyspalvelujen verkostotapaaminen",
        "Etsivän nuorisotyön verkosto",
    ),
    "webinar": (
        "Sosiaalinen kuntoutus käytännössä",
        "Työkokeilu ja tuettu työtoiminta",
        "Nuorten mielenterveyspalvelut",
        "Etäohjauksen hyvät käytännöt",
    ),
}
SECTOR_WEIGHT = {
    "social_services": 25,
    "employment_services": 20,
    "health_care": 15,
    "youth_work": 15,
    "education": 10,
    "ngo": 8,
    "parish": 4,
    "other": 3,
}
MUNICIPALITY_REGION = {"261": "21", "614": "21", "678": "19", "977": "19"}  # kunta -> hyvinvointialue


@dataclass(frozen=True)
class Event:
    """One training, seminar or workshop for professionals (tapahtuma)."""

    event_id: str
    title: str
    event_date: date
    event_type: str
    delivery: str
    wellbeing_region: str  # code: 21 Lapland, 19 North Ostrobothnia
    municipality: str | None  # code, or None for a region-wide event


@dataclass(frozen=True)
class Attendance:
    """Participations of one professional sector at one event (osallistumiset)."""

    event_id: str
    sector: str
    n_participants: int


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up exactly (largest remainder)."""
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _is_working_day(day: date) -> bool:
    """Tell whether events are held that day: weekdays outside the summer and Christmas holidays."""
    month_day = (day.month, day.day)
    return day.weekday() < 5 and not ((6, 21) <= month_day <= (8, 7) or month_day >= (12, 19))


def _delivery(rng: random.Random, event_type: str, event_date: date) -> str:
    """Pick lähi/etä/hybridi: remote when covid kept people apart (from spring 2020 to 2021)."""
    if event_type == "webinar":
        return "remote"
    if event_date < date(2020, 3, 16):
        return "in_person"
    if event_date < date(2021, 1, 1):
        weights = (0, 8, 2)
    elif event_date < date(2022, 1, 1):
        weights = (1, 7, 2)
    else:
        weights = (5, 2, 3)
    return rng.choices(("in_person", "remote", "hybrid"), weights=weights)[0]


def build_events(rng: random.Random, quarters: list[tuple[str, date, date]]) -> list[Event]:
    """Invent the events of each (quarter, first day, last day), in date order with ids ``V2-<year>-<nn>``."""
    events: list[Event] = []
    per_year: dict[int, int] = {}
    for quarter, first, last in quarters:
        days = [first + timedelta(d) for d in range((last - first).days + 1)]
        dates = sorted(
            rng.sample([d for d in days if _is_working_day(d)], EVENTS_PER_QUARTER.get(quarter, 0))
        )
        for event_date in dates:
            per_year[event_date.year] = per_year.get(event_date.year, 0) + 1
            event_type = rng.choices(list(TYPE_WEIGHT), weights=list(TYPE_WEIGHT.values()))[0]
            title = rng.choice(TITLES[event_type])
            municipality = rng.choice(("261", "614", "678", "977", None, None))
            region = MUNICIPALITY_REGION.get(municipality) or rng.choice(("21", "19"))
            events.append(
                Event(
                    event_id=f"V2-{event_date.year}-{per_year[event_date.year]:02d}",
                    title=title,
                    event_date=event_date,
                    event_type=event_type,
                    delivery=_delivery(rng, event_type, event_date),
                    wellbeing_region=region,
                    municipality=municipality,
                )
            )
    # The project opened and closed with a seminar for the whole network.
    events[0] = replace(
        events[0],
        title="VALPAS 2 -hankkeen aloitusseminaari",
        event_type="seminar",
        delivery="in_person",
        wellbeing_region="19",
        municipality="678",
    )
    events[-1] = replace(
        events[-1],
        title="VALPAS 2 -hankkeen loppuseminaari",
        event_type="seminar",
        delivery="hybrid",
        wellbeing_region="21",
        municipality=None,
    )
    return events


def build_attendance(
    rng: random.Random, events: list[Event], total: int = TOTAL_PARTICIPANTS
) -> list[Attendance]:
    """Split ``total`` participations over the events by size, then each event's over 2-6 sectors."""
    sizes = [TYPE_SIZE[e.event_type] * rng.uniform(0.6, 1.4) for e in events]
    rows: list[Attendance] = []
    for event, n_event in zip(events, apportion(total, sizes), strict=True):
        pool = dict(SECTOR_WEIGHT)
        chosen: list[str] = []
        for _ in range(min(rng.randint(2, 6), n_event)):
            sector = rng.choices(list(pool), weights=list(pool.values()))[0]
            chosen.append(sector)
            del pool[sector]
        weights = [SECTOR_WEIGHT[s] * rng.uniform(0.5, 1.5) for s in chosen]
        counts = [1 + n for n in apportion(n_event - len(chosen), weights)]  # every sector present >= 1
        by_sector = dict(zip(chosen, counts, strict=True))
        rows += [Attendance(event.event_id, s, by_sector[s]) for s in SECTOR_WEIGHT if s in by_sector]
    return rows


# The final report also tells of "over 4 000 participations" at a virtual NGO fair: reach of the public,
# not professionals' participations. The demo invents its date, place and exact count.
OPEN_EVENT = Event(
    "V2-2021-90", "Virtuaaliset järjestömessut", date(2021, 11, 17), "open_event", "remote", "19", None
)
OPEN_EVENT_REACH = 4126


def with_open_event(
    events: list[Event], attendance: list[Attendance]
) -> tuple[list[Event], list[Attendance]]:
    """Add the virtual NGO fair (an open event) in date order, its reach counted under sector 'other'."""
    events = sorted([*events, OPEN_EVENT], key=lambda e: e.event_date)
    return events, [*attendance, Attendance(OPEN_EVENT.event_id, "other", OPEN_EVENT_REACH)]


def sample_events(first_number: int, first_day: date) -> tuple[list[Event], list[Attendance]]:
    """Return two small new events in Kittilä a week apart, ids ``S-2023-<nn>`` from ``first_number`` on."""
    n = first_number
    events = [
        Event(
            f"S-2023-{n:02d}", "Työkykyvalmennuksen perehdytys", first_day, "training", "remote", "21", "261"
        ),
        Event(
            f"S-2023-{n + 1:02d}",
            "Kittilän verkostotapaaminen",
            first_day + timedelta(7),
            "network_meeting",
            "in_person",
            "21",
            "261",
        ),
    ]
    attendance = [
        Attendance(events[0].event_id, "social_services", 6),
        Attendance(events[0].event_id, "employment_services", 4),
        Attendance(events[0].event_id, "youth_work", 2),
        Attendance(events[1].event_id, "social_services", 3),
        Attendance(events[1].event_id, "health_care", 2),
        Attendance(events[1].event_id, "ngo", 1),
    ]
    return events, attendance
