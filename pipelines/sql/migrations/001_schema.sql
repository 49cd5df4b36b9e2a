-- Warehouse layers: ref (shipped reference data), audit (uploads log), staging (typed uploads),
-- marts (what the dashboard reads; rebuilt after every load by ../marts/*.sql).
create schema if not exists ref;
create schema if not exists audit;
create schema if not exists staging;
create schema if not exists marts;

-- One row per wellbeing services county (hyvinvointialue), plus the City of Helsinki (90) and Åland (91).
create table ref.wellbeing_regions (
    wellbeing_region_code varchar primary key,
    name_fi varchar not null,
    name_sv varchar not null,
    name_en varchar not null
);

-- One row per municipality (kunta), Statistics Finland code kept as text ("077").
create table ref.municipalities (
    municipality_code varchar primary key,
    name_fi varchar not null,
    name_sv varchar not null,
    region_fi varchar not null,
    region_sv varchar not null,
    wellbeing_region_code varchar not null
);

-- One row per project (hanke).
create table ref.projects (
    project_code varchar primary key,
    name varchar not null,
    organiser varchar,             -- null where the published description does not name it
    funding varchar not null,
    start_date date not null,
    end_date date not null,
    age_min integer not null,
    age_max integer not null,
    participation_target integer  -- professionals' participations target, when the project set one
);

-- One row per project and municipality it works in.
create table ref.project_municipalities (
    project_code varchar not null,
    municipality_code varchar not null,
    primary key (project_code, municipality_code)
);

-- One row per figure published in a project's final report (shown as "published", never mixed in).
create table ref.published_figures (
    project_code varchar not null,
    figure varchar not null,      -- e.g. n_clients, n_progressed, share_progressed
    value double not null,        -- a count, or a share as a fraction
    source varchar not null,
    primary key (project_code, figure)
);

-- One row per fact about this warehouse (e.g. is_demo).
create table audit.warehouse_info (
    key varchar primary key,
    value varchar not null
);

-- One row per upload attempt, accepted or rejected; never any row data of a rejected file.
create table audit.uploads (
    upload_id integer primary key,
    uploaded_at timestamp not null,
    user_name varchar not null,
    project_code varchar not null,
    quarter varchar,
    kind varchar not null,          -- clients | events | attendance | workbook
    file_name varchar not null,
    file_sha256 varchar not null,
    n_rows integer not null,
    status varchar not null,        -- accepted | rejected | unchanged | rollback
    n_problems integer not null,
    stored_file varchar             -- path of the kept raw file, relative to the uploads folder
);

-- One row per client per uploaded (project, municipality, quarter) snapshot; all uploads kept as history.
create table staging.clients (
    upload_id integer not null,
    project_code varchar not null,
    quarter varchar not null,
    municipality_code varchar not null,
    client_id varchar not null,            -- asiakastunnus (pseudonymous)
    age_group varchar not null,            -- ikäryhmä
    gender varchar not null,               -- sukupuoli (unknown when not given)
    start_date date not null,              -- aloituspäivä
    end_date date,                         -- lopetuspäivä, null while active
    status_at_entry varchar not null,      -- tilanne_alussa
    is_long_term_unemployed boolean,       -- pitkäaikaistyötön
    status_at_exit varchar,                -- tilanne_lopussa, null while active
    pathway varchar,                       -- jatkopolku, null while active
    coach varchar                          -- valmentaja (pseudonym)
);

-- One row per (project, municipality, quarter): the upload whose client list is current.
create table staging.client_snapshots (
    project_code varchar not null,
    municipality_code varchar not null,
    quarter varchar not null,
    upload_id integer not null,
    primary key (project_code, municipality_code, quarter)
);

-- One row per event for professionals (tapahtuma), current version.
create table staging.events (
    project_code varchar not null,
    event_id varchar not null,
    upload_id integer not null,
    title varchar not null,
    event_date date not null,
    event_type varchar not null,
    delivery varchar not null,
    wellbeing_region_code varchar not null,
    municipality_code varchar,
    primary key (project_code, event_id)
);

-- One row per event and professional sector: participations (osallistumiskerrat), current version.
create table staging.attendance (
    project_code varchar not null,
    event_id varchar not null,
    sector varchar not null,
    n_participants integer not null,
    upload_id integer not null,
    primary key (project_code, event_id, sector)
);
