-- The mart SQL the marts were last built from (one row: a SHA-256 over sql/marts/*.sql). A write whose
-- code differs rebuilds every mart, so a changed or new mart file never waits for its inputs to change.
create table audit.marts_source (
    sha256 varchar not null
);
