-- Sign-in with ProConnect (OpenID Connect). Accounts stay made by clu: a
-- provider identity (issuer and `sub`) is linked to the clu user of the
-- same e-mail at its first sign-in; from then on the link, not the
-- e-mail, says who signs in. One identity per user and issuer.
CREATE TABLE oidc_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The e-mail the provider gave at the last sign-in (for people
    -- reading the table; never used to decide).
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer, subject),
    UNIQUE (user_id, issuer)
);

-- The authorization requests sent to the provider and not yet answered:
-- the browser's session holds the `state`; its answer deletes the row,
-- so a `state` is used once, and a request older than ten minutes is void.
CREATE TABLE oidc_requests (
    state TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX oidc_requests_created ON oidc_requests (created_at);
