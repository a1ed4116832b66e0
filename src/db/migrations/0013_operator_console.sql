-- The operator console's records: every `coffer verify` run (from the CLI or an operator) with its report, so the
-- console can show the latest; and every file exchanged with the bank through the file connector (exports and
-- imports, from the CLI or an operator), so operators can see what went out and what came back.

CREATE TABLE verify_runs (
  id           text        PRIMARY KEY CHECK (id ~ '^vr_[0-9A-Za-z]{22}$'),
  seq          bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,  -- run order: two runs may share a checked_at
  source       text        NOT NULL CHECK (source IN ('cli', 'operator')),
  operator_id  text        REFERENCES operators (id),
  ledger       text        NOT NULL CHECK (ledger IN ('all', 'test', 'live')),
  ok           boolean     NOT NULL,
  accounts     bigint      NOT NULL CHECK (accounts >= 0),
  transfers    bigint      NOT NULL CHECK (transfers >= 0),
  violations   jsonb       NOT NULL,  -- [{kind, message}], as `coffer verify --json` prints them
  checked_at   timestamptz NOT NULL,
  CHECK ((source = 'operator') = (operator_id IS NOT NULL))
);

-- One row per file: an export (its batch name, how many instructions it carried) or an import (the file's name and
-- what each line did). An export's content is not kept: it holds full account numbers, and the bank has it.
CREATE TABLE bank_file_batches (
  id                 text        PRIMARY KEY CHECK (id ~ '^bfb_[0-9A-Za-z]{22}$'),
  seq                bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  direction          text        NOT NULL CHECK (direction IN ('export', 'import')),
  source             text        NOT NULL CHECK (source IN ('cli', 'operator')),
  operator_id        text        REFERENCES operators (id),
  name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 255),  -- export batch or file name
  instruction_count  integer     NOT NULL CHECK (instruction_count >= 0),
  applied            integer     NOT NULL DEFAULT 0 CHECK (applied >= 0),
  unchanged          integer     NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
  errors             integer     NOT NULL DEFAULT 0 CHECK (errors >= 0),
  problems           jsonb       NOT NULL DEFAULT '[]',  -- [{line, instruction_id, problem}] of an import
  created_at         timestamptz NOT NULL,
  CHECK ((source = 'operator') = (operator_id IS NOT NULL))
);

-- The search lists of the operator console page newest first.
CREATE INDEX merchants_created ON merchants (created_at, id);
CREATE INDEX wallet_users_created ON wallet_users (created_at, id);
