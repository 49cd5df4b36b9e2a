-- Load a validated clients upload (view upload_rows): keep every row as history and make this upload the
-- current list of each (project, municipality, quarter) it covers.
insert into staging.clients by name select * from upload_rows;
insert or replace into staging.client_snapshots
select distinct project_code, municipality_code, quarter, upload_id from upload_rows;
