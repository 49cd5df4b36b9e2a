-- One row per client profile listed at the quarter (active and ended clients): n_clients, for the
-- indicators of pipelines/indicators.py; optionally one municipality.
select age_group, gender, status_at_entry, is_long_term_unemployed, is_active, status_at_exit, pathway,
       sum(n_clients)::integer as n_clients
from marts.client_counts
where project_code = $project
  and quarter = $quarter
  and ($municipality is null or municipality_code = $municipality)
group by all
order by all;
