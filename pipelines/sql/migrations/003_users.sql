-- One row per account (käyttäjätili): its role and the argon2 hash of its password, never the password.
create table audit.users (
    user_name varchar primary key,
    password_hash varchar not null,     -- argon2id PHC string; emptied when the account is removed
    role varchar not null check (role in ('viewer', 'coordinator', 'admin')),
    created_at timestamp not null,
    is_active boolean not null          -- false once removed: the name stays explained in upload history
);

-- One row per user, project and municipality they may upload for (municipality null = the whole project).
-- Only coordinators have rows: an admin may act on every project and a viewer uploads nothing.
create table audit.user_scopes (
    user_name varchar not null,
    project_code varchar not null,
    municipality_code varchar
);

-- One row per rollback (palautus): which (project, municipality, quarter) snapshot was pointed back to
-- which earlier upload. Its audit.uploads row (status 'rollback') has the same upload_id.
create table audit.rollbacks (
    upload_id integer primary key,
    municipality_code varchar not null,
    from_upload_id integer not null,    -- the upload that was current before the rollback
    to_upload_id integer not null       -- the earlier accepted upload that is current after it
);
