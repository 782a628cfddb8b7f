-- PostgreSQL tables of the jdbc_* conformance cases (loaded into each engine's own database by
-- conformance.test.ts). Reference tables are read by both engines; sink tables start empty.

-- Accounts by id (a PRIMARY KEY): id 4 is missing (the dcos data's senders and receivers are 1..4),
-- 9 and 50 are never used by it, 50 lies outside the partitioned scan's bounds; NULLs in every
-- nullable type.
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  owner text NOT NULL,
  tier varchar(10),
  credit_limit numeric(10, 2),
  vip boolean,
  opened timestamp(3),
  score double precision,
  branch integer
);
INSERT INTO accounts VALUES
  (1, 'alice', 'high', 12500.50, true, '2016-01-02 03:04:05.678', 0.25, 10),
  (2, 'bob', 'low', 300.00, false, '2017-07-01 00:00:00', 1.5, 20),
  (3, 'carol', 'medium', NULL, NULL, NULL, NULL, NULL),
  (9, 'zed', 'low', 0.01, false, '2010-12-31 23:59:59.999', -3.75, 10),
  (50, 'outsider', 'high', 99999999.99, true, '2000-02-29 12:00:00', 1e10, 30);

-- Aliases: several rows per account (no key), account 2 none.
CREATE TABLE aliases (account bigint, alias text, active boolean);
INSERT INTO aliases VALUES
  (1, 'al', true), (1, 'ally', false), (3, 'caz', true), (3, 'cc', true), (3, 'c3', false), (4, 'dd', true);

-- Account versions for an event-time temporal join: a version is valid from valid_from on.
CREATE TABLE account_versions (
  valid_from timestamp(3) NOT NULL,
  id bigint NOT NULL,
  owner text,
  tier text,
  PRIMARY KEY (id, valid_from)
);
INSERT INTO account_versions VALUES
  ('2017-07-23 00:00:00', 1, 'alice', 'high'),
  ('2017-07-23 00:00:00', 2, 'bob', 'low'),
  ('2017-07-23 00:00:00', 3, 'carol', 'medium'),
  ('2017-07-23 01:05:00', 1, 'alice', 'low'),
  ('2017-07-23 01:20:00', 3, 'carol', 'high'),
  ('2017-07-23 01:20:00', 4, 'dan', 'medium'),
  ('2017-07-23 01:40:00', 2, 'bob', 'high'),
  ('2017-07-23 01:50:00', 1, 'alice', 'medium');

-- Sinks: an append table (no key) and upsert tables (a key).
CREATE TABLE big_transfers (tx_time text, sender bigint, receiver bigint, amount bigint, ts timestamp(3), owner text);
CREATE TABLE pair_totals (sender bigint, receiver bigint, n bigint, total bigint, last_ts timestamp(3), PRIMARY KEY (sender, receiver));
CREATE TABLE small_senders (sender bigint PRIMARY KEY, n bigint, total bigint);
CREATE TABLE tier_counts (tier text PRIMARY KEY, accounts bigint, total numeric(12, 2));
