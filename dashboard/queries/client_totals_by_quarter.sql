-- One row per quarter with client data in the selection: listed, active, new, ended and outcome counts.
-- columns: quarter, n_clients, n_active, n_new, n_ended_in_quarter, n_ended, n_progressed, n_not_progressed
select
    quarter,
    sum(n_clients)::integer as n_clients,
    coalesce(sum(n_clients) filter (where is_active), 0)::integer as n_active,
    coalesce(sum(n_clients) filter (where is_new), 0)::integer as n_new,
    coalesce(sum(n_clients) filter (where is_ended_in_quarter), 0)::integer as n_ended_in_quarter,
    coalesce(sum(n_clients) filter (where not is_active), 0)::integer as n_ended,
    coalesce(sum(n_clients) filter (where is_progressed), 0)::integer as n_progressed,
    coalesce(sum(n_clients) filter (where not is_progressed), 0)::integer as n_not_progressed
from marts.client_counts
where project_code = $project
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar)
  and ($age_group::varchar is null or age_group = $age_group::varchar)
  and ($gender::varchar is null or gender = $gender::varchar)
group by quarter
order by quarter;
