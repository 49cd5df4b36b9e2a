-- One row per project (hanke) in the reference data: what it is, its programme, and its figures as at its latest quarter with client data.
-- columns: project_code, name, organiser, start_date, end_date, age_min, age_max, programme_code, programme_label, municipalities_fi, municipalities_sv, regions_fi, regions_sv, regions_en, latest_quarter, n_clients, n_progressed, n_participations, published_n_clients, published_share_progressed, published_definition_fi, published_definition_sv, published_definition_en
with places as (
    select pm.project_code,
           string_agg(m.name_fi, ', ' order by m.name_fi) as municipalities_fi,
           string_agg(m.name_sv, ', ' order by m.name_sv) as municipalities_sv,
           string_agg(distinct r.name_fi, ', ' order by r.name_fi) as regions_fi,
           string_agg(distinct r.name_sv, ', ' order by r.name_sv) as regions_sv,
           string_agg(distinct r.name_en, ', ' order by r.name_en) as regions_en
    from ref.project_municipalities pm
    join ref.municipalities m using (municipality_code)
    join ref.wellbeing_regions r using (wellbeing_region_code)
    group by pm.project_code
),
latest as (  -- after it every list is carried forward: the counts of later quarters are these
    select project_code, max(quarter) as latest_quarter
    from marts.quarters
    where has_client_data
    group by project_code
),
clients as (
    select c.project_code,
           sum(c.n_clients)::integer as n_clients,
           sum(c.n_clients) filter (where c.is_progressed)::integer as n_progressed
    from marts.client_counts c
    join latest l on l.project_code = c.project_code and l.latest_quarter = c.quarter
    group by c.project_code
),
participations as (
    select project_code, sum(n_participations)::integer as n_participations
    from marts.participations
    group by project_code
)
select
    p.project_code,
    p.name,
    p.organiser,
    p.start_date,
    p.end_date,
    p.age_min,
    p.age_max,
    pp.programme_code,
    g.label as programme_label,
    pl.municipalities_fi,
    pl.municipalities_sv,
    pl.regions_fi,
    pl.regions_sv,
    pl.regions_en,
    l.latest_quarter,
    c.n_clients,
    c.n_progressed,
    pa.n_participations,
    pc.value::integer as published_n_clients,
    ps.value as published_share_progressed,
    ps.definition_fi as published_definition_fi,
    ps.definition_sv as published_definition_sv,
    ps.definition_en as published_definition_en
from ref.projects p
left join ref.project_programmes pp using (project_code)
left join ref.programmes g on g.programme_code = pp.programme_code
left join places pl on pl.project_code = p.project_code
left join latest l on l.project_code = p.project_code
left join clients c on c.project_code = p.project_code
left join participations pa on pa.project_code = p.project_code
left join ref.published_figures pc on pc.project_code = p.project_code and pc.figure = 'n_clients'
left join ref.published_figures ps on ps.project_code = p.project_code and ps.figure = 'share_progressed'
order by p.start_date, p.project_code;
