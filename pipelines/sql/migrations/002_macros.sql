-- Reporting quarter helpers: 'YYYYQn' <-> dates.
create or replace macro quarter_of(d) as cast(year(d) as varchar) || 'Q' || cast(quarter(d) as varchar);
create or replace macro quarter_start(q) as
    make_date(cast(left(q, 4) as integer), (cast(right(q, 1) as integer) - 1) * 3 + 1, 1);
create or replace macro quarter_end(q) as
    cast(quarter_start(q) + interval 3 month - interval 1 day as date);
