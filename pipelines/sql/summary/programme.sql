-- One row: the project's programme (null where not known) and its name.
select p.programme_code, g.label
from ref.project_programmes p
left join ref.programmes g using (programme_code)
where p.project_code = $project;
