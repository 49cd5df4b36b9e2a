-- One row per query (a single row): the open events (avoin tapahtuma) in the quarter range and place and the participations they reached; not professionals' participations.
-- columns: n_open_events, n_reached
select count(*)::integer as n_open_events, coalesce(sum(n_reached), 0)::integer as n_reached
from marts.open_events
where project_code = $project
  and quarter between $quarter_from and $quarter
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar);
