-- One row per pathway (jatkopolku) of the data contract, in report order: whether a client who took it
-- found a pathway (is_progressed). Written from pipelines/codes.py on every write
-- (warehouse.load_pathways), never from a file: the code is the one definition and the marts join this.
create table ref.pathways (
    pathway varchar primary key,
    name_fi varchar not null,
    name_en varchar not null,
    is_progressed boolean not null,
    sort_order integer not null
);
