"""Column names and category codes of the data contract (../shared/data-contract.md).

Finnish is canonical for what coordinators write; the warehouse stores stable lower-case English codes.
Each mapping lists every accepted spelling (Finnish first, then English aliases); matching is
case-insensitive and ignores surrounding spaces (see ``normalise``).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("clients", "events", "attendance")


@dataclass(frozen=True)
class Field:
    """One contract column: canonical name, Finnish header, accepted English alias."""

    name: str  # canonical (English) identifier used in code and the warehouse
    fi: str  # header as a Finnish coordinator writes it
    en: str  # accepted English alias
    required: bool = True  # must the column be present in the file


CLIENT_FIELDS = (
    Field("client_id", "asiakastunnus", "client_id"),
    Field("municipality", "kunta", "municipality"),
    Field("age_group", "ikäryhmä", "age_group"),
    Field("gender", "sukupuoli", "gender", required=False),
    Field("start_date", "aloituspäivä", "start_date"),
    Field("end_date", "lopetuspäivä", "end_date"),
    Field("status_at_entry", "tilanne_alussa", "status_at_entry"),
    Field("is_long_term_unemployed", "pitkäaikaistyötön", "long_term_unemployed", required=False),
    Field("status_at_exit", "tilanne_lopussa", "status_at_exit"),
    Field("pathway", "jatkopolku", "pathway"),
    Field("coach", "valmentaja", "coach", required=False),
)

EVENT_FIELDS = (
    Field("event_id", "tapahtumatunnus", "event_id"),
    Field("title", "nimi", "title"),
    Field("event_date", "päivämäärä", "event_date"),
    Field("event_type", "tyyppi", "event_type"),
    Field("delivery", "toteutustapa", "delivery"),
    Field("wellbeing_region", "hyvinvointialue", "wellbeing_region"),
    Field("municipality", "kunta", "municipality", required=False),
)

ATTENDANCE_FIELDS = (
    Field("event_id", "tapahtumatunnus", "event_id"),
    Field("sector", "sektori", "sector"),
    Field("n_participants", "osallistujia", "participants"),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "clients": CLIENT_FIELDS,
    "events": EVENT_FIELDS,
    "attendance": ATTENDANCE_FIELDS,
}

# Workbook sheets for events + attendance in one file.
WORKBOOK_SHEETS = {"events": "tapahtumat", "attendance": "osallistumiset"}

STATUS = {  # tilanne (status at entry / exit)
    "unemployed": ("työtön", "unemployed"),
    "outside_labour_force": ("työelämän ulkopuolella", "outside the labour force"),
    "employed": ("työllinen", "employed"),
    "in_education": ("opiskelija", "in education"),
    "unknown": ("ei tiedossa", "unknown"),
}
GENDER = {  # sukupuoli
    "woman": ("nainen", "woman"),
    "man": ("mies", "man"),
    "other": ("muu", "other", "non-binary"),
    "unknown": ("ei tiedossa", "unknown"),
}
PROGRESSED_PATHWAYS = {  # löysi jatkopolun
    "employment": ("palkkatyö tai yrittäjyys", "employment or entrepreneurship"),
    "education": ("koulutus", "education"),
    "work_trial": ("työkokeilu", "work trial"),
    "rehabilitative_work": ("kuntouttava työtoiminta", "rehabilitative work activity"),
    "supported_work": ("tuettu työtoiminta", "supported work activity"),
    "social_rehabilitation": ("sosiaalinen kuntoutus", "social rehabilitation"),
    "other_pathway": ("muu jatkopolku", "other pathway", "other"),
}
NOT_PROGRESSED_PATHWAYS = {  # ei jatkopolkua
    "dropped_out": ("keskeytti", "dropped out"),
    "referred_elsewhere": ("ohjattu muuhun tukeen", "referred to other support"),
}
PATHWAY = PROGRESSED_PATHWAYS | NOT_PROGRESSED_PATHWAYS  # jatkopolku


def pathway_rows() -> list[tuple[str, str, str, bool, int]]:
    """Return the rows of ``ref.pathways``: pathway, Finnish and English name, is_progressed, order."""
    return [
        (code, names[0], names[1], code in PROGRESSED_PATHWAYS, order)
        for order, (code, names) in enumerate(PATHWAY.items(), start=1)
    ]


EVENT_TYPE = {  # tapahtuman tyyppi
    "training": ("koulutus", "training"),
    "seminar": ("seminaari", "seminar"),
    "workshop": ("työpaja", "workshop"),
    "network_meeting": ("verkostotapaaminen", "network meeting"),
    "webinar": ("webinaari", "webinar"),
    # An event open to the public (e.g. a virtual NGO fair): its attendance is reach, not professionals'
    # participations, so the marts keep it out of them and count it on its own (marts.open_events).
    "open_event": ("avoin tapahtuma", "open event"),
}
PROFESSIONAL_EVENT_TYPES = tuple(k for k in EVENT_TYPE if k != "open_event")
DELIVERY = {  # toteutustapa
    "in_person": ("lähi", "in person"),
    "remote": ("etä", "remote"),
    "hybrid": ("hybridi", "hybrid"),
}
SECTOR = {  # sektori
    "social_services": ("sosiaalihuolto", "social services"),
    "health_care": ("terveydenhuolto", "health care"),
    "employment_services": ("työllisyyspalvelut", "employment services"),
    "education": ("koulutus", "education"),
    "youth_work": ("nuorisotyö", "youth work"),
    "ngo": ("järjestö", "ngo"),
    "parish": ("seurakunta", "parish"),
    "other": ("muu", "other"),
}
AGE_GROUP = {  # ikäryhmä; the en dash is accepted as a hyphen
    "15-17": ("15-17",),
    "18-24": ("18-24",),
    "25-29": ("25-29",),
    "30-40": ("30-40",),
}
YES_NO = {
    True: ("kyllä", "yes", "k", "y", "1", "true"),
    False: ("ei", "no", "e", "n", "0", "false"),
}


def normalise(text: str) -> str:
    """Fold a cell for matching: trimmed, lower case, en/em dashes as hyphens, inner spaces single."""
    folded = text.strip().lower().replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(folded.split())


def spelling_map(mapping: dict) -> dict[str, object]:
    """Return ``{normalised spelling: code}`` for a category mapping."""
    return {normalise(s): code for code, spellings in mapping.items() for s in spellings}


CATEGORIES = {
    "status_at_entry": STATUS,
    "status_at_exit": STATUS,
    "gender": GENDER,
    "pathway": PATHWAY,
    "age_group": AGE_GROUP,
    "event_type": EVENT_TYPE,
    "delivery": DELIVERY,
    "sector": SECTOR,
}
