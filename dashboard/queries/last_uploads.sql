-- One row per municipality and quarter with an accepted client list, plus one per quarter of accepted
-- event uploads (municipality null): the last accepted upload and how many were accepted in all.
-- columns: quarter, kind, municipality_code, uploaded_at, file_name, n_rows, n_uploads
with upload_places as (
    select upload_id, municipality_code from audit.upload_municipalities where project_code = $project
)
select
    u.quarter,
    case when u.kind = 'clients' then 'clients' else 'events' end as kind,
    p.municipality_code,
    max(u.uploaded_at) as uploaded_at,
    arg_max(u.file_name, u.uploaded_at) as file_name,
    arg_max(u.n_rows, u.uploaded_at) as n_rows,
    count(*)::integer as n_uploads
from audit.uploads u
left join upload_places p using (upload_id)
where u.project_code = $project and u.quarter is not null and u.status = 'accepted'
group by all
order by u.quarter desc, kind, p.municipality_code;
