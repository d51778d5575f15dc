-- Catalogue schema: agencies, procedures with immutable versions, working-day calendars, audit.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

-- Agencies and one-stop units (cơ quan, bộ phận một cửa), with validity and successor.
CREATE TABLE agency (
    code            text PRIMARY KEY,
    name            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('one_stop', 'agency', 'sector_system')),
    level           text NOT NULL,
    sector          text,
    unit_code       text,
    parent_code     text REFERENCES agency (code) DEFERRABLE INITIALLY DEFERRED,
    valid_from      date,
    valid_until     date,
    successor_code  text REFERENCES agency (code) DEFERRABLE INITIALLY DEFERRED,
    -- Working sessions of this agency when they differ from the province's, e.g. [["07:30","11:30"],["13:00","16:30"]].
    working_sessions jsonb,
    -- The agency as published (catalogue file format), for export and comparison.
    body            jsonb NOT NULL
);

-- A procedure (thủ tục hành chính) by its national or local code.
CREATE TABLE procedure (
    code        text PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One published version; immutable once written (a change is a new version).
CREATE TABLE procedure_version (
    code            text NOT NULL REFERENCES procedure (code),
    version         integer NOT NULL CHECK (version > 0),
    name            text NOT NULL,
    field           text NOT NULL,
    level           text NOT NULL,
    online_level    text NOT NULL,
    effective_from  date NOT NULL,
    effective_until date,
    decision_number text,
    decision_date   date,
    time_limit      jsonb NOT NULL,
    -- The whole published version (catalogue file format).
    body            jsonb NOT NULL,
    -- Lower-case name without Vietnamese diacritics, for search.
    search_key      text NOT NULL,
    -- Implementing, deciding and coordinating agencies and step owners, for filters.
    agencies        text[] NOT NULL DEFAULT '{}',
    published_at    timestamptz NOT NULL DEFAULT now(),
    published_by    text NOT NULL,
    PRIMARY KEY (code, version),
    UNIQUE (code, effective_from),
    CHECK (effective_until IS NULL OR effective_until >= effective_from)
);
CREATE INDEX procedure_version_search ON procedure_version USING gin (search_key public.gin_trgm_ops);

CREATE FUNCTION procedure_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'procedure_version % v% is published and immutable; publish a new version',
        OLD.code, OLD.version USING ERRCODE = 'P0001';
END $$;

CREATE TRIGGER procedure_version_no_update BEFORE UPDATE OR DELETE ON procedure_version
    FOR EACH ROW EXECUTE FUNCTION procedure_version_immutable();

-- The procedures each one-stop unit publishes (danh mục TTHC niêm yết), by version.
CREATE TABLE listing (
    one_stop        text    NOT NULL REFERENCES agency (code),
    procedure_code  text    NOT NULL,
    version         integer NOT NULL,
    PRIMARY KEY (one_stop, procedure_code),
    FOREIGN KEY (procedure_code, version) REFERENCES procedure_version (code, version)
);

-- Days off and extra working days of one year (lịch nghỉ lễ, ngày làm bù).
CREATE TABLE calendar_year (
    year        integer PRIMARY KEY,
    data        jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL
);

-- Every write, who did it and what changed (nhật ký).
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    subject     text NOT NULL,
    before      jsonb,
    after       jsonb,
    request_id  text
);
