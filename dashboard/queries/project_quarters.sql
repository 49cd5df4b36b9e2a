-- One row per reporting quarter of the project (its period and any later data), oldest first.
-- columns: quarter, quarter_start_date, quarter_end_date, has_data, has_clients
select
    q.quarter,
    q.quarter_start_date,
    q.quarter_end_date,
    q.has_data,
    exists (select 1 from marts.client_counts c
            where c.project_code = q.project_code and c.quarter = q.quarter) as has_clients
from marts.quarters q
where q.project_code = $project
order by q.quarter_start_date;
