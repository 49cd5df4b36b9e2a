-- One row per client upload and municipality whose list it carried (an empty list too, by its snapshot).
-- What the about page's upload calendar and the export stamp name a client upload by.
create or replace table marts.upload_municipalities as
select project_code, upload_id, municipality_code from staging.clients
union
select project_code, upload_id, municipality_code from staging.client_snapshots
order by all;
