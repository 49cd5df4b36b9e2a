-- Load a validated attendance upload (view upload_rows): a file states every sector of each event in it,
-- so all stored attendance rows of those events are replaced together.
delete from staging.attendance
where project_code = $project and event_id in (select event_id from upload_rows);
insert into staging.attendance by name select * from upload_rows;
