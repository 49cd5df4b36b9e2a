-- One row per project and reporting quarter: from the project's start to its end, and any later data.
-- has_data: some upload (clients or events) is about this quarter; has_client_data: a client list is (a
-- list carried forward from an earlier quarter gives its counts, but is not client data of this one).
create or replace table marts.quarters as
with data_quarters as (
    select project_code, quarter from staging.client_snapshots
    union
    select project_code, quarter_of(event_date) from staging.events
),
bounds as (
    select
        p.project_code,
        quarter_start(quarter_of(p.start_date)) as first_start,
        greatest(
            quarter_start(quarter_of(p.end_date)),
            coalesce(
                (select max(quarter_start(d.quarter)) from data_quarters d where d.project_code = p.project_code),
                quarter_start(quarter_of(p.end_date))
            )
        ) as last_start
    from ref.projects p
),
spine as (
    select b.project_code, cast(g.quarter_start_date as date) as quarter_start_date
    from bounds b,
        unnest(generate_series(b.first_start, b.last_start, interval 3 month)) as g(quarter_start_date)
)
select
    s.project_code,
    quarter_of(s.quarter_start_date) as quarter,
    s.quarter_start_date,
    quarter_end(quarter_of(s.quarter_start_date)) as quarter_end_date,
    d.quarter is not null as has_data,
    exists (
        select 1 from staging.client_snapshots c
        where c.project_code = s.project_code and c.quarter = quarter_of(s.quarter_start_date)
    ) as has_client_data
from spine s
left join data_quarters d on d.project_code = s.project_code and d.quarter = quarter_of(s.quarter_start_date)
order by s.project_code, s.quarter_start_date;
