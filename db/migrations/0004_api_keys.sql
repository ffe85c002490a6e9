-- API keys and the browser sessions minted from them. Only digests are stored: a key or a session token is
-- shown once and cannot be read back from the database (or from a dump of it).

CREATE TABLE api_keys (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
  -- The public part of the key (after "mr_"): finds the row; the secret part is checked against the digest.
  lookup        text NOT NULL UNIQUE,
  salt          bytea NOT NULL,
  -- sha256(salt || whole key)
  digest        bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);

-- Same-origin browser sessions (an HttpOnly cookie) for the web report; they only read.
CREATE TABLE api_sessions (
  id          bigserial PRIMARY KEY,
  key_id      bigint NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
  -- sha256(token)
  digest      bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX api_sessions_expires_idx ON api_sessions (expires_at);
