-- Export jobs of more than one kind (issue 27): `domains` (the worker role builds them) and
-- `query` (an analytics query's whole result as CSV, built by an api process, which has the query
-- engine). Each runner claims only its own kind.
ALTER TABLE exports ADD COLUMN kind TEXT NOT NULL DEFAULT 'domains';
