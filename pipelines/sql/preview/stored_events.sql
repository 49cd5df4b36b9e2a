-- One row per stored event of a project, with the columns an events upload may change.
select event_id, title, event_date, event_type, delivery, wellbeing_region_code, municipality_code
from staging.events
where project_code = $project;
