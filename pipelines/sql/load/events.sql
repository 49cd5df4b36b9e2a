-- Load a validated events upload (view upload_rows): events are keyed by id, so a new version replaces
-- the stored one; their attendance rows stay.
delete from staging.events
where project_code = $project and event_id in (select event_id from upload_rows);
insert into staging.events by name select * from upload_rows;
