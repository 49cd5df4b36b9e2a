-- One row per wellbeing services county (hyvinvointialue), with its names in three languages.
-- columns: wellbeing_region_code, name_fi, name_sv, name_en
select wellbeing_region_code, name_fi, name_sv, name_en
from ref.wellbeing_regions
order by wellbeing_region_code;
