-- One row per client in a municipality's list that stands for a quarter now (its latest snapshot at or
-- before the quarter): what an upload for that quarter is compared with.
select c.client_id, c.age_group, c.gender, c.start_date, c.end_date, c.status_at_entry,
       c.is_long_term_unemployed, c.status_at_exit, c.pathway, c.coach
from staging.client_snapshots s
join staging.clients c on c.upload_id = s.upload_id and c.municipality_code = s.municipality_code
where s.project_code = $project
  and s.municipality_code = $municipality
  and s.quarter = (
      select max(quarter) from staging.client_snapshots
      where project_code = $project and municipality_code = $municipality and quarter <= $quarter
  );
