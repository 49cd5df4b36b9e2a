-- Build-time only (temporary): one row per client in the list that stands for each project quarter.
-- A municipality's list for a quarter is its latest snapshot at or before that quarter (each upload is
-- the full list as at the quarter's end). A view, not a table: the marts that read it aggregate it as
-- they scan, so its rows (every client of every quarter) are never written out.
create or replace temp view clients_as_at as
with as_at as (
    select q.project_code, q.quarter, q.quarter_start_date, s.municipality_code,
           max(s.quarter) as snapshot_quarter
    from marts.quarters q
    join staging.client_snapshots s on s.project_code = q.project_code and s.quarter <= q.quarter
    group by all
)
select a.quarter as as_at_quarter, a.quarter_start_date, c.*
from as_at a
join staging.client_snapshots s
  on s.project_code = a.project_code
 and s.municipality_code = a.municipality_code
 and s.quarter = a.snapshot_quarter
join staging.clients c on c.upload_id = s.upload_id and c.municipality_code = s.municipality_code;
