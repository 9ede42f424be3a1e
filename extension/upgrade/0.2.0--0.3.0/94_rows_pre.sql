-- doliflow 0.2.0 -> 0.3.0, part 94: 0.2.0 has the settings_restore trigger, which would turn
-- the registry upserts of 95_rows.sql into value updates (a user's changed value would be
-- reset to the shipped one): it is off while they run.
ALTER TABLE doliflow.settings DISABLE TRIGGER settings_restore;
