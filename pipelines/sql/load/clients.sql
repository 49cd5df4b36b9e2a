-- Load a validated clients upload (view upload_rows; view upload_snapshots: its distinct project,
-- municipality and quarter with its upload_id): keep every row as history and make this upload the current
-- list of each (project, municipality, quarter) it covers; the upload log names its municipalities.
insert into staging.clients by name select * from upload_rows;
insert or replace into staging.client_snapshots by name select * from upload_snapshots;
insert into audit.upload_municipalities by name
select distinct upload_id, project_code, municipality_code from upload_snapshots;
