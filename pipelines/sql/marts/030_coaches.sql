-- One row per project, quarter, municipality and work-ability coach (valmentaja pseudonym): n_clients.
-- Coaches may work in several municipalities: count distinct coaches, never sum rows.
create or replace table marts.coach_clients as
select project_code, as_at_quarter as quarter, municipality_code, coach, count(*)::integer as n_clients
from clients_as_at
where coach is not null
group by all
order by all;
