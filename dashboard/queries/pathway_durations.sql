-- One row per municipality, pathway and duration in days of the clients who found a pathway: n_clients.
-- columns: municipality_code, pathway, days, n_clients
select
    municipality_code,
    pathway,
    days,
    sum(n_clients)::integer as n_clients
from marts.pathway_durations
where project_code = $project
  and quarter = $quarter
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar)
  and ($age_group::varchar is null or age_group = $age_group::varchar)
  and ($gender::varchar is null or gender = $gender::varchar)
group by all
order by all;
