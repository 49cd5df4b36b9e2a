-- Distinct work-ability coaches serving a project's clients as at a quarter.
select count(distinct coach)::integer as n_coaches
from marts.coach_clients
where project_code = $project
  and quarter = $quarter
  and ($municipality is null or municipality_code = $municipality);
