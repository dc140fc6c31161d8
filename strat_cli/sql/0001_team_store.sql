-- strat's team store, version 1: records, the audit trail, leases, references and the register.
-- Applied by `strat admin init` / `strat admin migrate` as the database owner, in one transaction
-- (the schema strat and its table of migrations are made first by pgstore.migrate).
-- No strat role may write a table directly: every write goes through the SECURITY DEFINER
-- functions below, which check the caller's role (pg_has_role(session_user, ...)), the version,
-- and that authorised content, amendments and the audit trail are only ever added to.

CREATE SCHEMA strat_register;  -- the register's tables, named as in the SQLite index (index.TABLES)

-- What the functions are held to, written from strat's own model at every init/migrate
-- (model.AFTER_AUTHORISATION, model.FOLLOW_UP_FIELDS, pgstore.LEASE_STALE_AFTER): one home.
CREATE TABLE strat.rules (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    after_authorisation text[] NOT NULL,
    follow_up text[] NOT NULL,
    lease_stale_after double precision NOT NULL
);

CREATE TABLE strat.people (
    login text PRIMARY KEY,
    display_name text NOT NULL CHECK (display_name <> '')
);

CREATE TABLE strat.meetings (
    id text PRIMARY KEY CHECK (id ~ '^SD-[0-9]{4}-[0-9]{4,6}$'),
    year integer GENERATED ALWAYS AS (split_part(id, '-', 2)::integer) STORED,
    number integer GENERATED ALWAYS AS (split_part(id, '-', 3)::integer) STORED,
    record jsonb NOT NULL,
    version integer NOT NULL,
    status text NOT NULL,
    saved_by text NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_year ON strat.meetings (year, number);

CREATE TABLE strat.counters (year integer PRIMARY KEY, last integer NOT NULL);

CREATE TABLE strat.audit (
    seq bigserial PRIMARY KEY,
    meeting_id text NOT NULL,
    at text,
    who text,
    event text,
    detail text,
    db_user text NOT NULL DEFAULT session_user,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_meeting ON strat.audit (meeting_id, seq);

-- Export entries made while a record is leased: the record's own copy of its audit trail takes
-- them at the holder's next save (or when the lease is released). The audit table has them at once.
CREATE TABLE strat.pending_audit (
    seq bigserial PRIMARY KEY,
    meeting_id text NOT NULL,
    entry jsonb NOT NULL
);

CREATE TABLE strat.leases (
    meeting_id text PRIMARY KEY,
    db_user text NOT NULL,
    client_id text NOT NULL,
    holder text NOT NULL,
    since timestamptz NOT NULL,
    renewed timestamptz NOT NULL
);

CREATE FUNCTION strat.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'SR002',
        MESSAGE = 'the audit trail is append-only: its entries cannot be changed or removed';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON strat.audit
    FOR EACH ROW EXECUTE FUNCTION strat.refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON strat.audit
    FOR EACH STATEMENT EXECUTE FUNCTION strat.refuse_change();

-- The register (as index.TABLES, less the SQLite index's own bookkeeping): no names, no free text.
-- mtime_ns holds the record's version (the report's facts are stamped with it); size is 0.
CREATE TABLE strat_register.meetings (
    id text PRIMARY KEY,
    mtime_ns bigint NOT NULL DEFAULT 0,
    size bigint NOT NULL DEFAULT 0,
    error text,
    agenda text, status text, type text, format text,
    started_at text, started_ts double precision, started_date text, ended_ts double precision,
    previous text, children integer, subject_children integer, child_refs text,
    outcomes text, s47 integer,
    authorised_ts double precision, circulated_ts double precision, summarised integer,
    summarised_ts double precision,
    open_actions integer,
    deadlines_ok integer NOT NULL DEFAULT 0, deadlines_error text, nation text,
    summary_due_ts double precision, minutes_due_ts double precision,
    circulation_due_ts double precision,
    icpc_target text, icpc_from text, circulated_on_time integer, icpc_held text,
    agenda_path text, agenda_stamp text
);
CREATE TABLE strat_register.children (
    meeting_id text NOT NULL, child_id text NOT NULL, local_ref text, subject integer
);
CREATE TABLE strat_register.decisions (meeting_id text NOT NULL, child_id text, outcome text);
CREATE TABLE strat_register.actions (
    meeting_id text NOT NULL, action_id text NOT NULL, agency text,
    due text, due_ts double precision, status text, contingency integer, completed_at text,
    carried_from text
);
CREATE TABLE strat_register.report_facts (
    meeting_id text PRIMARY KEY, stamp text NOT NULL, valid_until double precision,
    facts text NOT NULL
);
-- in the order the register's queries ask (SQLite's NULL order, written out: one text for both)
CREATE INDEX meetings_started ON strat_register.meetings (started_ts DESC NULLS LAST, id DESC);
CREATE INDEX meetings_started_date ON strat_register.meetings (started_date);
CREATE INDEX children_meeting ON strat_register.children (meeting_id);
CREATE INDEX children_ref ON strat_register.children (lower(local_ref));
CREATE INDEX decisions_meeting ON strat_register.decisions (meeting_id);
CREATE INDEX actions_meeting ON strat_register.actions (meeting_id);
CREATE INDEX actions_open ON strat_register.actions (due_ts NULLS FIRST, meeting_id, action_id)
    WHERE status = 'open';
CREATE INDEX meetings_followups ON strat_register.meetings (id) WHERE previous <> '';
CREATE INDEX meetings_held ON strat_register.meetings (id) WHERE icpc_held IS NOT NULL;
CREATE INDEX meetings_incomplete ON strat_register.meetings (id) WHERE deadlines_ok = 0;
-- `strat due` asks "a deadline since the lookback's start" of each kind, ORed: one index each,
-- so the server combines them (a bitmap OR) instead of reading every row.
CREATE INDEX meetings_summary_due ON strat_register.meetings (summary_due_ts) WHERE deadlines_ok = 1;
CREATE INDEX meetings_minutes_due ON strat_register.meetings (minutes_due_ts) WHERE deadlines_ok = 1;
CREATE INDEX meetings_circulation_due ON strat_register.meetings (circulation_due_ts)
    WHERE deadlines_ok = 1;
CREATE INDEX meetings_icpc_target ON strat_register.meetings (icpc_target) WHERE deadlines_ok = 1;

-- --- who is calling -------------------------------------------------------------------------

-- The display name of the login, for any strat role; a login without one is refused.
CREATE FUNCTION strat.whoami() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    name text;
BEGIN
    IF NOT pg_has_role(session_user, 'strat_reader', 'MEMBER') THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
            'the login %s has no strat role; an admin runs: strat admin add-user %s --name "..." --role member',
            session_user, session_user);
    END IF;
    SELECT display_name INTO name FROM people WHERE login = session_user;
    IF name IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
            'the login %s has no display name; an admin runs: strat admin add-user %s --name "..."',
            session_user, session_user);
    END IF;
    RETURN name;
END $$;

-- The display name of a login allowed to change records (member or manager).
CREATE FUNCTION strat.writer() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = strat, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'strat_member', 'MEMBER') THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
            'the login %s may read records but not change them (role: reader)', session_user);
    END IF;
    RETURN whoami();
END $$;

-- --- the record's rules ----------------------------------------------------------------------

-- What an authorisation covers: the record less what may change afterwards, and each action
-- less its follow-up (as store.authorised_content does on a folder).
CREATE FUNCTION strat.authorised_content(r jsonb) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = strat, pg_temp AS $$
    SELECT (r - (SELECT after_authorisation FROM rules))
        || jsonb_build_object('actions', coalesce((
            SELECT jsonb_agg(a - (SELECT follow_up FROM rules) ORDER BY n)
            FROM jsonb_array_elements(coalesce(r -> 'actions', '[]')) WITH ORDINALITY AS t(a, n)
        ), '[]'::jsonb))
$$;

-- True when `before` is the start of `after` (both JSON arrays).
CREATE FUNCTION strat.starts_with(after jsonb, before jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_array_length(after) >= jsonb_array_length(before) AND NOT EXISTS (
        SELECT 1 FROM generate_series(0, jsonb_array_length(before) - 1) AS i
        WHERE after -> i IS DISTINCT FROM before -> i)
$$;

CREATE FUNCTION strat.put_register(p_id text, p_version integer, p_rows jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat_register, strat, pg_temp AS $$
BEGIN
    DELETE FROM strat_register.meetings WHERE id = p_id;
    DELETE FROM strat_register.children WHERE meeting_id = p_id;
    DELETE FROM strat_register.decisions WHERE meeting_id = p_id;
    DELETE FROM strat_register.actions WHERE meeting_id = p_id;
    IF p_rows IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO strat_register.meetings SELECT * FROM jsonb_populate_record(
        NULL::strat_register.meetings,
        (p_rows -> 'meeting') || jsonb_build_object('id', p_id, 'mtime_ns', p_version, 'size', 0,
            'error', NULL));
    INSERT INTO strat_register.children SELECT * FROM jsonb_populate_recordset(
        NULL::strat_register.children, p_rows -> 'children') WHERE meeting_id = p_id;
    INSERT INTO strat_register.decisions SELECT * FROM jsonb_populate_recordset(
        NULL::strat_register.decisions, p_rows -> 'decisions') WHERE meeting_id = p_id;
    INSERT INTO strat_register.actions SELECT * FROM jsonb_populate_recordset(
        NULL::strat_register.actions, p_rows -> 'actions') WHERE meeting_id = p_id;
END $$;

-- Save (or create) a record. p_base: the version the caller read (NULL: the record must be new).
-- Returns the new version, and the record as kept when the server changed it (who did it).
CREATE FUNCTION strat.save_meeting(
    p_id text, p_record jsonb, p_base integer, p_rows jsonb, p_create boolean
) RETURNS TABLE (new_version integer, kept text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    me text := writer();
    manager boolean := pg_has_role(session_user, 'strat_manager', 'MEMBER');
    old meetings%ROWTYPE;
    o jsonb := '{}';
    r jsonb := p_record;
    o_auth jsonb; n_auth jsonb; o_am jsonb; n_am jsonb; o_au jsonb; n_au jsonb;
    changed boolean := false;
    i integer;
    p record;
BEGIN
    IF r ->> 'id' IS DISTINCT FROM p_id THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('%s: the record holds another reference', p_id);
    END IF;
    SELECT * INTO old FROM meetings WHERE id = p_id FOR UPDATE;
    IF FOUND THEN
        IF p_create THEN
            RAISE EXCEPTION USING ERRCODE = 'SR005', MESSAGE = format('%s already exists', p_id);
        END IF;
        IF p_base IS DISTINCT FROM old.version THEN
            RAISE EXCEPTION USING ERRCODE = 'SR001', MESSAGE = format(
                '%s was saved by %s at %s since this copy was read (version %s, this copy %s); nothing was overwritten',
                p_id, old.saved_by, to_char(old.saved_at AT TIME ZONE 'Europe/London', 'HH24:MI DD/MM/YYYY'),
                old.version, coalesce(p_base::text, 'new'));
        END IF;
        o := old.record;
    ELSIF p_base IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'SR003', MESSAGE = format('no meeting %s on the server', p_id);
    END IF;

    o_auth := coalesce(o -> 'authorisation', 'null');
    n_auth := coalesce(r -> 'authorisation', 'null');
    IF n_auth IS DISTINCT FROM o_auth THEN
        IF NOT manager THEN
            RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                '%s: only a manager may authorise a record (the login %s is a member)', p_id, session_user);
        END IF;
        IF o_auth <> 'null' THEN
            RAISE EXCEPTION USING ERRCODE = 'SR002', MESSAGE = format(
                '%s is authorised: its authorisation cannot change; add to it with: strat amend %s', p_id, p_id);
        END IF;
        IF n_auth ->> 'by' IS DISTINCT FROM me THEN
            r := jsonb_set(r, '{authorisation,by}', to_jsonb(me));
            changed := true;
        END IF;
    END IF;
    IF r ->> 'status' = 'authorised' AND n_auth = 'null' THEN  -- a record strat could not read
        RAISE EXCEPTION USING ERRCODE = 'SR002', MESSAGE = format(
            '%s: status authorised without an authorisation', p_id);
    END IF;
    IF o_auth <> 'null' AND authorised_content(r) IS DISTINCT FROM authorised_content(o) THEN
        RAISE EXCEPTION USING ERRCODE = 'SR002', MESSAGE = format(
            '%s is authorised: its content cannot change; add to it with: strat amend %s', p_id, p_id);
    END IF;

    o_am := coalesce(o -> 'amendments', '[]');
    n_am := coalesce(r -> 'amendments', '[]');
    IF n_am IS DISTINCT FROM o_am THEN
        IF NOT manager THEN
            RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                '%s: only a manager may amend a record (the login %s is a member)', p_id, session_user);
        END IF;
        IF NOT starts_with(n_am, o_am) THEN
            RAISE EXCEPTION USING ERRCODE = 'SR002', MESSAGE = format(
                '%s: amendments can only be added to', p_id);
        END IF;
        FOR i IN jsonb_array_length(o_am) .. jsonb_array_length(n_am) - 1 LOOP
            IF n_am -> i ->> 'by' IS DISTINCT FROM me THEN
                r := jsonb_set(r, ARRAY['amendments', i::text, 'by'], to_jsonb(me));
                changed := true;
            END IF;
        END LOOP;
    END IF;

    o_au := coalesce(o -> 'audit', '[]');
    n_au := coalesce(r -> 'audit', '[]');
    IF NOT starts_with(n_au, o_au) THEN
        RAISE EXCEPTION USING ERRCODE = 'SR002', MESSAGE = format(
            '%s: the audit trail can only be added to', p_id);
    END IF;
    FOR i IN jsonb_array_length(o_au) .. jsonb_array_length(n_au) - 1 LOOP
        IF n_au -> i ->> 'who' IS DISTINCT FROM me THEN
            r := jsonb_set(r, ARRAY['audit', i::text, 'who'], to_jsonb(me));
            changed := true;
        END IF;
        INSERT INTO audit (meeting_id, at, who, event, detail)
        VALUES (p_id, n_au -> i ->> 'at', me, n_au -> i ->> 'event', n_au -> i ->> 'detail');
    END LOOP;
    FOR p IN DELETE FROM pending_audit WHERE meeting_id = p_id RETURNING seq, entry LOOP
        r := jsonb_set(r, '{audit}', coalesce(r -> 'audit', '[]') || jsonb_build_array(p.entry));
        changed := true;
    END LOOP;

    INSERT INTO meetings (id, record, version, status, saved_by, saved_at)
    VALUES (p_id, r, coalesce(old.version, 0) + 1, coalesce(r ->> 'status', 'draft'), me, now())
    ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, version = EXCLUDED.version,
        status = EXCLUDED.status, saved_by = EXCLUDED.saved_by, saved_at = EXCLUDED.saved_at;
    PERFORM put_register(p_id, coalesce(old.version, 0) + 1, p_rows);
    new_version := coalesce(old.version, 0) + 1;
    kept := CASE WHEN changed THEN r::text END;
    RETURN NEXT;
END $$;

-- The next free reference of the year: a row lock per year, so two callers never get one number.
CREATE FUNCTION strat.next_reference(p_year integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    PERFORM writer();
    INSERT INTO counters (year, last) VALUES (p_year, 0) ON CONFLICT DO NOTHING;
    SELECT last INTO n FROM counters WHERE year = p_year FOR UPDATE;
    n := greatest(n, coalesce((SELECT max(number) FROM meetings WHERE year = p_year), 0)) + 1;
    IF n > 999999 THEN  -- one odd reference (an imported SD-2026-999999) never blocks a year:
        -- the lowest number neither used nor given out before (counters.last) is taken
        SELECT min(g) INTO n FROM generate_series(1, 999999) AS g
        WHERE g > (SELECT last FROM counters WHERE year = p_year AND last < 999999)
            AND NOT EXISTS (SELECT 1 FROM meetings WHERE year = p_year AND number = g);
        IF n IS NULL THEN
            SELECT min(g) INTO n FROM generate_series(1, 999999) AS g
            WHERE NOT EXISTS (SELECT 1 FROM meetings WHERE year = p_year AND number = g);
        END IF;
        IF n IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'SR004', MESSAGE = format('every reference of %s is in use', p_year);
        END IF;
    END IF;
    UPDATE counters SET last = n WHERE year = p_year;
    RETURN format('SD-%s-%s', p_year, lpad(n::text, 4, '0'));
END $$;

-- An export leaves an audit entry on any record, authorised or not, by any strat role (p_at as
-- the client's model writes a time). While
-- the record is leased the entry waits for the holder's next save (its copy is being written).
CREATE FUNCTION strat.record_export(p_id text, p_at text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    me text := whoami();
    entry jsonb := jsonb_build_object('at', p_at, 'who', me, 'event', 'exported', 'detail', p_detail);
    leased boolean;
BEGIN
    PERFORM 1 FROM meetings WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SR003', MESSAGE = format('no meeting %s on the server', p_id);
    END IF;
    INSERT INTO audit (meeting_id, at, who, event, detail) VALUES (p_id, p_at, me, 'exported', p_detail);
    SELECT EXISTS (SELECT 1 FROM leases l, rules WHERE l.meeting_id = p_id
        AND l.renewed > now() - make_interval(secs => rules.lease_stale_after)) INTO leased;
    IF leased THEN
        INSERT INTO pending_audit (meeting_id, entry) VALUES (p_id, entry);
    ELSE
        UPDATE meetings SET record = jsonb_set(record, '{audit}', coalesce(record -> 'audit', '[]') || jsonb_build_array(entry)),
            version = version + 1, saved_by = me, saved_at = now()
        WHERE id = p_id;
    END IF;
END $$;

-- A record copied from another store, verbatim (its audit trail as it was). Manager only.
CREATE FUNCTION strat.copy_in(p_id text, p_record jsonb, p_rows jsonb) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    me text := writer();
    e jsonb;
BEGIN
    IF NOT pg_has_role(session_user, 'strat_manager', 'MEMBER') THEN
        RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
            'only a manager may copy records into the server (the login %s is not one)', session_user);
    END IF;
    IF p_record ->> 'id' IS DISTINCT FROM p_id THEN
        RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format('%s: the record holds another reference', p_id);
    END IF;
    INSERT INTO meetings (id, record, version, status, saved_by)
    VALUES (p_id, p_record, 1, coalesce(p_record ->> 'status', 'draft'), me)
    ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    FOR e IN SELECT x FROM jsonb_array_elements(coalesce(p_record -> 'audit', '[]')) AS x LOOP
        INSERT INTO audit (meeting_id, at, who, event, detail)
        VALUES (p_id, e ->> 'at', e ->> 'who', e ->> 'event', e ->> 'detail');
    END LOOP;
    PERFORM put_register(p_id, 1, p_rows);
    RETURN true;
END $$;

-- The register's rows of one record, written again (strat reindex). Member or manager.
CREATE FUNCTION strat.reindex(p_id text, p_rows jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    v integer;
BEGIN
    PERFORM writer();
    SELECT version INTO v FROM meetings WHERE id = p_id;
    IF FOUND THEN
        PERFORM put_register(p_id, v, p_rows);
    END IF;
END $$;

-- --- leases: one writer at a time ----------------------------------------------------------

-- Take (or take back) the lease of a record. A lease held by another client is taken only when
-- its holder stopped renewing and p_take_over is set; that is audited on the record.
-- p_at: the time as the client's model writes it (the record's JSON stays what strat writes).
CREATE FUNCTION strat.take_lease(p_id text, p_client text, p_take_over boolean, p_at text)
RETURNS TABLE (got boolean, holder text, since timestamptz, stale boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    me text := writer();
    l leases%ROWTYPE;
    is_stale boolean;
    entry jsonb;
BEGIN
    PERFORM 1 FROM meetings WHERE id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'SR003', MESSAGE = format('no meeting %s on the server', p_id);
    END IF;
    INSERT INTO leases VALUES (p_id, session_user, p_client, me, now(), now()) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN QUERY SELECT true, me, now(), false;
        RETURN;
    END IF;
    SELECT * INTO l FROM leases WHERE meeting_id = p_id FOR UPDATE;
    IF l.db_user = session_user AND l.client_id = p_client THEN
        UPDATE leases SET renewed = now() WHERE meeting_id = p_id;
        RETURN QUERY SELECT true, l.holder, l.since, false;
        RETURN;
    END IF;
    SELECT l.renewed < now() - make_interval(secs => rules.lease_stale_after) INTO is_stale FROM rules;
    IF NOT (is_stale AND p_take_over) THEN
        RETURN QUERY SELECT false, l.holder, l.since, is_stale;
        RETURN;
    END IF;
    UPDATE leases SET db_user = session_user, client_id = p_client, holder = me, since = now(),
        renewed = now() WHERE meeting_id = p_id;
    entry := jsonb_build_object('at', p_at, 'who', me, 'event', 'taken over',
        'detail', format('lease held by %s since %s, last renewed %s', l.holder,
            to_char(l.since AT TIME ZONE 'Europe/London', 'HH24:MI DD/MM/YYYY'),
            to_char(l.renewed AT TIME ZONE 'Europe/London', 'HH24:MI DD/MM/YYYY')));
    INSERT INTO audit (meeting_id, at, who, event, detail)
    VALUES (p_id, entry ->> 'at', me, 'taken over', entry ->> 'detail');
    UPDATE meetings SET record = jsonb_set(record, '{audit}', coalesce(record -> 'audit', '[]') || jsonb_build_array(entry)),
        version = version + 1, saved_by = me, saved_at = now()
    WHERE id = p_id;
    RETURN QUERY SELECT true, me, now(), false;
END $$;

-- Renew a lease this client holds; false when it is no longer this client's (taken over).
CREATE FUNCTION strat.renew_lease(p_id text, p_client text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
BEGIN
    UPDATE leases SET renewed = now()
    WHERE meeting_id = p_id AND db_user = session_user AND client_id = p_client;
    RETURN FOUND;
END $$;

-- Release a lease this client holds; export entries that waited for it join the record.
CREATE FUNCTION strat.release_lease(p_id text, p_client text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = strat, pg_temp AS $$
DECLARE
    p record;
    moved boolean := false;
BEGIN
    DELETE FROM leases WHERE meeting_id = p_id AND db_user = session_user AND client_id = p_client;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM 1 FROM meetings WHERE id = p_id FOR UPDATE;
    FOR p IN DELETE FROM pending_audit WHERE meeting_id = p_id RETURNING seq, entry LOOP
        UPDATE meetings SET record = jsonb_set(record, '{audit}', coalesce(record -> 'audit', '[]') || jsonb_build_array(p.entry))
        WHERE id = p_id;
        moved := true;
    END LOOP;
    IF moved THEN
        UPDATE meetings SET version = version + 1, saved_at = now() WHERE id = p_id;
    END IF;
END $$;

-- --- who may do what ------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA strat, strat_register FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA strat FROM PUBLIC;
GRANT USAGE ON SCHEMA strat, strat_register TO strat_reader;
GRANT SELECT ON strat.meetings, strat.audit, strat.leases, strat.people, strat.rules TO strat_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA strat_register TO strat_reader;
-- Each function checks the caller's role itself (a refusal then says why in words): EXECUTE is
-- granted wide, the tables not at all. put_register is reached only through the functions.
GRANT USAGE ON SCHEMA strat TO PUBLIC;  -- so a login without a role is told so in words
GRANT EXECUTE ON FUNCTION strat.whoami() TO PUBLIC;
GRANT EXECUTE ON FUNCTION strat.record_export(text, text, text), strat.writer(),
    strat.save_meeting(text, jsonb, integer, jsonb, boolean), strat.next_reference(integer),
    strat.copy_in(text, jsonb, jsonb), strat.reindex(text, jsonb),
    strat.take_lease(text, text, boolean, text), strat.renew_lease(text, text),
    strat.release_lease(text, text) TO strat_reader;
