-- One row per status at entry, status at exit (null while active) and pathway: n_clients, for a
-- project's client list as at a quarter, optionally one municipality.
select status_at_entry, status_at_exit, pathway, is_progressed, sum(n_clients)::integer as n_clients
from marts.client_counts
where project_code = $project
  and quarter = $quarter
  and ($municipality is null or municipality_code = $municipality)
group by all;
