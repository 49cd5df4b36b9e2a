-- One row per project: its targets (null where it set none), where they come from, and the figures they measure, whole project as at the quarter.
-- columns: client_target, participation_target, target_source, n_clients, n_participations
select
    p.client_target,
    p.participation_target,
    p.target_source,
    (select sum(c.n_clients) from marts.client_counts c
      where c.project_code = p.project_code and c.quarter = $quarter)::integer as n_clients,
    (select sum(a.n_participations) from marts.participations a
      where a.project_code = p.project_code and a.quarter <= $quarter)::integer as n_participations
from ref.projects p
where p.project_code = $project;
