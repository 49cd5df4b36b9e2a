-- One row per client profile of the project at each quarter up to $quarter (the atoms of a release): n_clients.
-- columns: quarter, municipality_code, wellbeing_region_code, age_group, gender, status_at_entry, is_long_term_unemployed, is_active, status_at_exit, pathway, is_progressed, is_new, is_ended_in_quarter, n_clients
select
    quarter,
    municipality_code,
    wellbeing_region_code,
    age_group,
    gender,
    status_at_entry,
    is_long_term_unemployed,
    is_active,
    status_at_exit,
    pathway,
    is_progressed,
    is_new,
    is_ended_in_quarter,
    sum(n_clients)::integer as n_clients
from marts.client_counts
where project_code = $project
  and quarter <= $quarter
group by all
order by all;
