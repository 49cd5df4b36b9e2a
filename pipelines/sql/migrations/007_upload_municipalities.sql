-- One row per accepted client upload and municipality whose list it carried: the upload log's own record
-- of where a list was for, so the dashboard's upload calendar need not read staging (issue 14). Written
-- by sql/load/clients.sql; filled here from the lists a warehouse already keeps.
create table audit.upload_municipalities (
    upload_id integer not null,
    project_code varchar not null,
    municipality_code varchar not null,
    primary key (upload_id, municipality_code)
);
insert into audit.upload_municipalities
select upload_id, project_code, municipality_code from staging.clients
union
select upload_id, project_code, municipality_code from staging.client_snapshots;
