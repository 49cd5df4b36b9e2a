-- Professionals' participations from the project's start to the end of a quarter (cumulative).
select coalesce(sum(n_participations), 0)::integer as n_participations
from marts.participations
where project_code = $project
  and event_date <= quarter_end($quarter)
  and ($municipality is null or municipality_code = $municipality);
