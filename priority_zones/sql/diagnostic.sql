-- Diagnostics are immutable: a recomputation inserts a new version, it never rewrites one.
-- The refusal lives in the database so that no write path (ORM, admin, psql) can bypass it.
CREATE OR REPLACE FUNCTION priority_zones_diagnostic_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Los diagnósticos son inmutables: recalcule para crear una nueva versión.'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS priority_zones_diagnostic_immutable ON priority_zones_diagnostic;
CREATE TRIGGER priority_zones_diagnostic_immutable
    BEFORE UPDATE ON priority_zones_diagnostic
    FOR EACH ROW EXECUTE FUNCTION priority_zones_diagnostic_refuse_update();

-- Household.latest_diagnostic follows the highest version, set-based once per INSERT statement
-- (a bulk insert of a million diagnostics runs one UPDATE, not a million).
CREATE OR REPLACE FUNCTION priority_zones_diagnostic_set_latest() RETURNS trigger AS $$
BEGIN
    UPDATE priority_zones_household h
       SET latest_diagnostic_id = n.id
      FROM (SELECT DISTINCT ON (household_id) household_id, id
              FROM new_rows ORDER BY household_id, version DESC) n
     WHERE h.id = n.household_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS priority_zones_diagnostic_latest ON priority_zones_diagnostic;
CREATE TRIGGER priority_zones_diagnostic_latest
    AFTER INSERT ON priority_zones_diagnostic
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION priority_zones_diagnostic_set_latest();

-- Any other UPDATE of a household (admin, ORM save of a stale instance) cannot point
-- latest_diagnostic anywhere but the newest version.
CREATE OR REPLACE FUNCTION priority_zones_household_keep_latest() RETURNS trigger AS $$
BEGIN
    NEW.latest_diagnostic_id := (SELECT id FROM priority_zones_diagnostic
                                  WHERE household_id = NEW.id ORDER BY version DESC LIMIT 1);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS priority_zones_household_keep_latest ON priority_zones_household;
CREATE TRIGGER priority_zones_household_keep_latest
    BEFORE UPDATE ON priority_zones_household
    FOR EACH ROW EXECUTE FUNCTION priority_zones_household_keep_latest();
