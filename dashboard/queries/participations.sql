-- One row per quarter, wellbeing region, event type, delivery and sector in the quarter range:
-- professionals' participations (counts of attendances, not people; never suppressed).
-- columns: quarter, wellbeing_region_code, event_type, delivery, sector, n_participations
select quarter, wellbeing_region_code, event_type, delivery, sector,
       sum(n_participations)::integer as n_participations
from marts.participations
where project_code = $project
  and quarter between $quarter_from and $quarter
  and ($region::varchar is null or wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or municipality_code = $municipality::varchar)
group by all
order by all;
