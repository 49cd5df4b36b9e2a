-- One row per event for professionals (tapahtuma) in the quarter range, newest first.
-- columns: event_id, title, event_date, quarter, event_type, delivery, wellbeing_region_code, municipality_code, n_participations
select event_id, title, event_date, quarter, event_type, delivery, wellbeing_region_code, municipality_code,
       n_participations
from marts.events
where project_code = $project
  and quarter between $quarter_from and $quarter
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar)
order by event_date desc, event_id;
