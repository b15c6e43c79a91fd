-- The seed a request under an Idempotency-Key draws its new ids and secrets from
-- (api/src/entropy.rs, ADR 0016), sealed like the stored response. A claim released after a
-- failure now keeps its row (state 'released') so that a retry draws from the same seed and finds
-- the events of a first run whose commit went through unanswered.
ALTER TABLE idempotency_records ADD COLUMN seed TEXT;
