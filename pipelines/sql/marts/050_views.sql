-- One row per project, quarter, municipality, status at entry, status at exit and pathway: n_clients.
-- The entry -> exit -> pathway flows (a Sankey's links come from this).
create or replace view marts.status_flows as
select project_code, quarter, municipality_code, status_at_entry, status_at_exit, pathway,
       sum(n_clients)::integer as n_clients
from marts.client_counts
group by all;
