-- One row per project, quarter, municipality, age group, gender, pathway and duration in days: n_clients.
-- Clients who found a pathway (a progressed pathway, dashboard "Time to pathway"): days from start_date to
-- end_date. Counts of clients per whole-day duration, never client rows: the dashboard computes the
-- median and quartiles from them and shows them in whole weeks (docs/privacy.md, "Time to pathway").
create or replace table marts.pathway_durations as
select
    c.project_code,
    c.as_at_quarter as quarter,
    c.municipality_code,
    m.wellbeing_region_code,
    c.age_group,
    c.gender,
    c.pathway,
    date_diff('day', c.start_date, c.end_date)::integer as days,
    count(*)::integer as n_clients
from clients_as_at c
join ref.municipalities m using (municipality_code)
join ref.pathways p on p.pathway = c.pathway and p.is_progressed
where c.end_date is not null
group by all
order by all;
