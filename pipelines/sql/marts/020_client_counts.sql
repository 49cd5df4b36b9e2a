-- One row per project, quarter, municipality and combination of client attributes: n_clients.
-- The dashboard reads only these counts, never client rows. Clients are counted first and the few
-- combinations then get their region and progress (ref.pathways.is_progressed, from pipelines/codes.py):
-- joining every client row costs a third more.
create or replace table marts.client_counts as
with counted as (
    select
        c.project_code,
        c.as_at_quarter as quarter,
        c.municipality_code,
        c.age_group,
        c.gender,
        c.status_at_entry,
        coalesce(c.is_long_term_unemployed, false) as is_long_term_unemployed,
        c.end_date is null as is_active,
        c.start_date >= c.quarter_start_date as is_new,
        c.end_date is not null and c.end_date >= c.quarter_start_date as is_ended_in_quarter,
        case when c.end_date is not null then coalesce(c.status_at_exit, 'unknown') end as status_at_exit,
        c.pathway,
        count(*)::integer as n_clients
    from clients_as_at c
    group by all
)
select
    c.project_code,
    c.quarter,
    c.municipality_code,
    m.wellbeing_region_code,
    c.age_group,
    c.gender,
    c.status_at_entry,
    c.is_long_term_unemployed,
    c.is_active,
    c.is_new,
    c.is_ended_in_quarter,
    c.status_at_exit,
    c.pathway,
    p.is_progressed,
    c.n_clients
from counted c
join ref.municipalities m using (municipality_code)
left join ref.pathways p on p.pathway = c.pathway
order by all;
