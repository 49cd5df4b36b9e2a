-- One row per project (hanke) in the reference data, with what the warehouse holds for it.
-- n_clients: as at the latest quarter with client data (marts.quarters.has_client_data).
-- columns: project_code, name, organiser, start_date, end_date, participation_target, n_clients, n_events, n_published
select
    p.project_code,
    p.name,
    p.organiser,
    p.start_date,
    p.end_date,
    p.participation_target,
    coalesce((select sum(c.n_clients) from marts.client_counts c
              where c.project_code = p.project_code
                and c.quarter = (select max(q.quarter) from marts.quarters q
                                 where q.project_code = p.project_code and q.has_client_data)), 0)::integer
        as n_clients,
    (select count(*) from marts.events e where e.project_code = p.project_code)::integer as n_events,
    (select count(*) from ref.published_figures f where f.project_code = p.project_code)::integer
        as n_published
from ref.projects p
order by p.start_date, p.project_code;
