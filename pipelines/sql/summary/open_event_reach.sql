-- One row: the participations open events reached (avoin tapahtuma) from the project's start to the end of a quarter; kept out of the professionals' participations.
select coalesce(sum(n_reached), 0)::integer as n_reached
from marts.open_events
where project_code = $project
  and event_date <= quarter_end($quarter)
  and ($municipality is null or municipality_code = $municipality);
