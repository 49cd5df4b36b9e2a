-- One row per quarter: distinct work-ability coaches (työkykyvalmentajat) with clients in the selection.
-- Coaches work in several municipalities, so they are counted distinct, never summed over rows.
-- columns: quarter, n_coaches
-- Shared: the pages run it through dashboard/db.py, pipelines/summary.py for the CLI and the upload preview.
select c.quarter, count(distinct c.coach)::integer as n_coaches
from marts.coach_clients c
join ref.municipalities m using (municipality_code)
where c.project_code = $project
  and ($region::varchar is null or m.wellbeing_region_code = $region::varchar)
  and ($municipality::varchar is null or c.municipality_code = $municipality::varchar)
group by c.quarter
order by c.quarter;
