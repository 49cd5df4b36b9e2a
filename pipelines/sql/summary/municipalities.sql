-- Municipality codes with client data for a project as at a quarter.
select distinct municipality_code
from marts.client_counts
where project_code = $project
  and quarter = $quarter
  and ($municipality is null or municipality_code = $municipality)
order by 1;
