-- Website keys (DataFast's `df_` keys): a key restricted to one site of its workspace. NULL:
-- the key reaches every site.
ALTER TABLE auth_keys ADD COLUMN site_id TEXT;
