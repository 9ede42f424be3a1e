-- doliflow 0.2.0 -> 0.3.0, part 96: the restore trigger again (see part 94).
ALTER TABLE doliflow.settings ENABLE TRIGGER settings_restore;
