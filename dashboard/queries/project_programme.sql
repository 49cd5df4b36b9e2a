-- One row per project asked for: its funding programme (null where no source names it), the programme's names and regulation, and the source either way.
-- columns: programme_code, label, name_fi, name_sv, name_en, regulation, source
select pp.programme_code, g.label, g.name_fi, g.name_sv, g.name_en, g.regulation, pp.source
from ref.project_programmes pp
left join ref.programmes g using (programme_code)
where pp.project_code = $project;
