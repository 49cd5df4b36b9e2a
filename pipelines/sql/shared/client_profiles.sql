-- One row per municipality and client profile listed at the quarter (active and ended clients): n_clients.
-- columns: municipality_code, wellbeing_region_code, age_group, gender, status_at_entry, is_long_term_unemployed, is_active, status_at_exit, pathway, is_progressed, n_clients
-- Shared: the pages run it through dashboard/db.py, pipelines/summary.py for the CLI and the upload preview.
select
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
    sum(n_clients)::integer as n_clients
from marts.client_counts
where project_code = $project
  and quarter = $quarter
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar)
  and ($age_group::varchar is null or age_group = $age_group::varchar)
  and ($gender::varchar is null or gender = $gender::varchar)
group by all
order by all;
