-- The language an account holder chose for the web interface: a BCP 47 tag among those the
-- interface ships (`en`, `fr`, …), or NULL to follow the browser's `Accept-Language`.
ALTER TABLE accounts_users ADD COLUMN language TEXT;
