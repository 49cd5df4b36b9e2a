-- One row per project with a data version: a digest of the upload-log rows that changed its data.
-- columns: project_code, version
-- Every write (load, rollback, rebuild) records its audit row in the same transaction as the data, so
-- the digest changes exactly when the project's staging and marts rows can have changed. Rejected and
-- unchanged uploads store nothing and are left out.
select
    project_code,
    md5(string_agg(concat_ws('|', upload_id, uploaded_at, kind, quarter, file_sha256, status, n_rows), ','
                   order by upload_id)) as version
from audit.uploads
where status not in ('rejected', 'unchanged')
group by project_code
order by project_code;
