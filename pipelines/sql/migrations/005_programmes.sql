-- The EU funding programmes and their common indicators (issue 13). Loaded from data/reference.

-- One row per programme (ohjelma) whose common indicators a project reports.
create table ref.programmes (
    programme_code varchar primary key,  -- ESF2014 | ESFPLUS2021
    label varchar not null,              -- ESF 2014-2020 | ESF+ 2021-2027
    name_fi varchar not null,
    name_sv varchar not null,
    name_en varchar not null,
    regulation varchar not null,
    indicator_prefix varchar not null,
    source varchar not null
);

-- One row per project: its programme, or null where no source names it, and the source either way.
create table ref.project_programmes (
    project_code varchar primary key,
    programme_code varchar,
    source varchar not null
);

-- One row per common indicator of a programme, with its official name, the rule applied and its source.
create table ref.indicators (
    programme_code varchar not null,
    indicator_code varchar,             -- null for the ESF 2014-2020 total, which has no code of its own
    kind varchar not null,              -- output | result
    key varchar not null,
    name_en varchar not null,
    rule varchar not null,
    is_collected varchar not null,      -- yes | no: whether the data contract collects what it needs
    source varchar not null,
    primary key (programme_code, key)
);

-- A published figure may count by the report's own definition (Yhdessä osallisuuteen counts rehabilitative
-- services as progress): say so beside it, in each language; empty where the contract's definition holds.
alter table ref.published_figures add column definition_fi varchar;
alter table ref.published_figures add column definition_sv varchar;
alter table ref.published_figures add column definition_en varchar;

-- A project's targets where it set them (clients to reach; participation_target exists already), and
-- where they are published; empty where a project published none (the page says so, never invents one).
alter table ref.projects add column client_target integer;
alter table ref.projects add column target_source varchar;
