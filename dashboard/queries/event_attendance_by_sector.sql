-- One row per professional sector at one event: participations (osallistumiskerrat).
-- columns: sector, n_participations
select sector, sum(n_participations)::integer as n_participations
from marts.participations
where project_code = $project and event_id = $event_id
group by sector
order by n_participations desc, sector;
