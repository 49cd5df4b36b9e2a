-- One row per municipality (kunta) of the project, with its wellbeing region (hyvinvointialue).
-- columns: municipality_code, name_fi, name_sv, wellbeing_region_code, region_name_fi, region_name_sv, region_name_en
select
    m.municipality_code,
    m.name_fi,
    m.name_sv,
    m.wellbeing_region_code,
    r.name_fi as region_name_fi,
    r.name_sv as region_name_sv,
    r.name_en as region_name_en
from ref.project_municipalities pm
join ref.municipalities m using (municipality_code)
join ref.wellbeing_regions r using (wellbeing_region_code)
where pm.project_code = $project
order by r.wellbeing_region_code, m.name_fi;
