-- One row per quarter with events in the selection: professionals' participations (osallistumiskerrat).
-- columns: quarter, n_events, n_participations
-- Shared: the pages run it through dashboard/db.py, pipelines/summary.py for the CLI and the upload preview.
select quarter, count(*)::integer as n_events, sum(n_participations)::integer as n_participations
from marts.events
where project_code = $project
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar)
group by quarter
order by quarter;
