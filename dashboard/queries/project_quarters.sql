-- One row per reporting quarter of the project (its period and any later data), oldest first.
-- columns: quarter, quarter_start_date, quarter_end_date, has_data, has_client_data
-- has_client_data is the mart's: a client list was uploaded for the quarter (lists carried forward into
-- later quarters give those counts, not client data of their own).
select
    q.quarter,
    q.quarter_start_date,
    q.quarter_end_date,
    q.has_data,
    q.has_client_data
from marts.quarters q
where q.project_code = $project
order by q.quarter_start_date;
