-- Dashboard logins (api.DashboardSessions): the session cookie's id is kept only as its SHA-256, with the SHA-256 of
-- the token it was opened with (a token taken out of waveline.auth.tokens ends its sessions), and when it expires.
create table dashboard_session (
    id_sha256    bytea primary key,
    token_sha256 bytea not null,
    created_at   timestamptz not null,
    expires_at   timestamptz not null
);
create index dashboard_session_expires on dashboard_session (expires_at);
