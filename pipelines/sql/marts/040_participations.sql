-- One row per project, event and professional sector: participations (osallistumiskerrat).
-- Participations count attendances, not people, so they are never suppressed.
create or replace table marts.participations as
select
    e.project_code,
    e.event_id,
    e.title,
    e.event_date,
    quarter_of(e.event_date) as quarter,
    e.event_type,
    e.delivery,
    e.wellbeing_region_code,
    e.municipality_code,
    a.sector,
    a.n_participants as n_participations
from staging.events e
join staging.attendance a using (project_code, event_id)
where e.event_type <> 'open_event'  -- an open event's attendance is reach (marts.open_events), not this
order by all;

-- One row per project and event, with its total participations (0 when no attendance yet).
create or replace table marts.events as
select
    e.project_code,
    e.event_id,
    e.title,
    e.event_date,
    quarter_of(e.event_date) as quarter,
    e.event_type,
    e.delivery,
    e.wellbeing_region_code,
    e.municipality_code,
    coalesce(sum(a.n_participants), 0)::integer as n_participations
from staging.events e
left join staging.attendance a using (project_code, event_id)
where e.event_type <> 'open_event'
group by all
order by all;

-- One row per project and open event (avoin tapahtuma, e.g. a virtual NGO fair): the participations it
-- reached. Reach of the public, kept apart from the professionals' participations above.
create or replace table marts.open_events as
select
    e.project_code,
    e.event_id,
    e.title,
    e.event_date,
    quarter_of(e.event_date) as quarter,
    e.delivery,
    e.wellbeing_region_code,
    e.municipality_code,
    coalesce(sum(a.n_participants), 0)::integer as n_reached
from staging.events e
left join staging.attendance a using (project_code, event_id)
where e.event_type = 'open_event'
group by all
order by all;
